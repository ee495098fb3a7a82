// What a complete SOP contains besides its steps (seed 002's checklist): exception handling,
// metrics with targets, compliance that is attached to real steps, and nothing declared for nothing.
import type { LintRule } from "../rule.ts";

export const exceptionsPresent: LintRule = {
  id: "coverage/exceptions",
  severity: "error",
  kind: "quality",
  description: "Exception handling is documented: at least one exception or escalation rule.",
  *check({ playbook }) {
    if (!playbook.rules.some((r) => r.category === "exception" || r.category === "escalation")) {
      yield {
        path: ["rules"],
        message: "the playbook says nothing about exceptions or escalations",
        fix: "add a rule with category: exception (e.g. a delay over 2 weeks) or escalation (e.g. a step overdue)",
      };
    }
  },
};

export const kpisPresent: LintRule = {
  id: "coverage/kpis",
  severity: "error",
  kind: "quality",
  description: "Metrics and success criteria are defined: at least one KPI, each with a target.",
  *check({ playbook }) {
    if (playbook.kpis.length === 0) {
      yield { path: ["kpis"], message: "the playbook defines no KPIs", fix: "add kpis: with a metric, a target and a frequency" };
    }
    for (const [i, kpi] of playbook.kpis.entries()) {
      if (!kpi.target)
        yield {
          path: ["kpis", i, "id"],
          severity: "warning",
          message: `KPI "${kpi.id}" has no target`,
          fix: 'add target: (e.g. "< 45 days")',
        };
    }
  },
};

/** What the project log must hold for a metric to be measured at all. */
const MEASURED_FROM: Partial<Record<string, { readonly needs: (p: LintContextPlaybook) => boolean; readonly fix: string }>> = {
  time_to_go_live: {
    needs: (p) => p.phases.some((ph) => ph.steps.some((s) => s.go_live)),
    fix: "mark the step that takes the client live go_live: true, or measure another metric",
  },
  training_completion: {
    needs: (p) => Object.keys(p.training?.tracks ?? {}).length > 0,
    fix: "declare training tracks (training: tracks:), or measure another metric",
  },
  on_time_milestones: {
    needs: (p) => p.phases.some((ph) => ph.steps.some((s) => s.kind === "milestone")),
    fix: "give the milestones kind: milestone, or measure another metric",
  },
};
type LintContextPlaybook = Parameters<LintRule["check"]>[0]["playbook"];

export const kpiMeasurable: LintRule = {
  id: "kpi/measurable",
  severity: "warning",
  kind: "correctness",
  description: "A KPI measured from the project log has what it counts in the playbook (a go-live step, training tracks, milestones).",
  *check({ playbook }) {
    for (const [i, kpi] of playbook.kpis.entries()) {
      const rule = MEASURED_FROM[kpi.metric];
      if (!rule || kpi.source === "manual" || rule.needs(playbook)) continue;
      yield {
        path: ["kpis", i, "metric"],
        message: `KPI "${kpi.id}" measures ${kpi.metric}, but nothing in the playbook produces it: it would say "not measured" forever`,
        fix: rule.fix,
      };
    }
  },
};

export const complianceAttached: LintRule = {
  id: "coverage/compliance",
  severity: "error",
  kind: "correctness",
  description: "Every compliance addendum is attached to the steps where its evidence or checks happen.",
  *check({ playbook, order }) {
    for (const [i, addendum] of playbook.compliance.entries()) {
      const items = [...addendum.evidence, ...addendum.checks];
      const attached = items.some((item) => item.at.length > 0) || order.some((e) => e.step.compliance === addendum.id);
      if (!attached) {
        yield {
          path: ["compliance", i, "id"],
          message: `the addendum "${addendum.id}" is not attached to any step, so nothing runs it`,
          fix: `list the steps under at: of its evidence/checks, or mark steps with compliance: ${addendum.id}`,
        };
      }
      for (const [j, item] of items.entries()) {
        if (item.at.length === 0) {
          yield {
            path: [
              "compliance",
              i,
              j < addendum.evidence.length ? "evidence" : "checks",
              j < addendum.evidence.length ? j : j - addendum.evidence.length,
              "id",
            ],
            severity: "warning",
            message: `"${item.id}" is not collected at any step`,
            fix: "add at: with the steps where it happens",
          };
        }
      }
    }
  },
};

export const unusedDeclarations: LintRule = {
  id: "coverage/unused",
  severity: "warning",
  kind: "quality",
  description: "Declared roles, parameters and forms are used somewhere.",
  *check({ playbook }) {
    const text = JSON.stringify({ ...playbook, roles: undefined, parameters: undefined, forms: undefined, facts: undefined });
    for (const role of Object.keys(playbook.roles)) {
      if (!text.includes(`"${role}"`))
        yield {
          path: ["roles", role],
          key: true,
          message: `role "${role}" is declared but nothing uses it`,
          fix: "give it work (owner, RACI, approvals) or remove it",
        };
    }
    const raw = JSON.stringify(playbook);
    for (const param of Object.keys(playbook.parameters)) {
      const used = new RegExp(`\\{\\{\\s*${param}\\s*\\}\\}|params\\.${param}\\b`).test(raw);
      if (!used)
        yield {
          path: ["parameters", param],
          key: true,
          message: `parameter "${param}" is declared but nothing uses it`,
          fix: `use {{${param}}} somewhere or remove it`,
        };
    }
    for (const form of Object.keys(playbook.forms)) {
      if (!text.includes(`"${form}"`) && !text.includes(`forms.${form}.`))
        yield {
          path: ["forms", form],
          key: true,
          message: `form "${form}" is declared but no step uses it`,
          fix: "attach it to a step with form:",
        };
    }
  },
};
