// Checks that need the whole playbook: every id referred to exists (with a did-you-mean when not),
// ids are unique, every CEL condition type-checks in its scope, every {{placeholder}} is declared,
// and every deadline anchor and duration amount means something.

import { type FormAnswer, isAnswer } from "./agreed.ts";
import { didYouMean, type Finding, type Path } from "./diagnostics.ts";
import type { ExpressionChecker, ExpressionScope } from "./expressions.ts";
import { fieldRuleProblems } from "./field-rules.ts";
import { fileTagMessage, fileTagsIn } from "./liquid-tags.ts";
import { BRANCH_KEYWORDS, type PlaybookModel } from "./model.ts";
import { literalsOutsideOptions } from "./option-literals.ts";
import type { Action, Playbook } from "./schema.ts";
import type { Amount, Anchor, Deadline, Duration } from "./time-expressions.ts";

type Kind = "role" | "step" | "form" | "template" | "survey" | "training track" | "compliance addendum" | "phase" | "fact";

/** Runtime placeholder roots a template may use besides the playbook's parameters. */
export const RUNTIME_PLACEHOLDERS: Readonly<Record<string, readonly string[] | "roles" | "facts">> = {
  client: ["name", "company", "country", "time_zone"],
  project: ["start_date", "go_live_date", "url", "name", "completion_date"],
  contact: ["name", "first_name", "email"],
  meeting: ["date", "time", "link", "attendees"],
  roles: "roles",
  facts: "facts",
};

export class SemanticChecker {
  readonly findings: Finding[] = [];
  readonly #p: Playbook;
  readonly #model: PlaybookModel;
  readonly #expressions: ExpressionChecker;
  readonly #ids: Record<Kind, Set<string>>;

  constructor(model: PlaybookModel, expressions: ExpressionChecker) {
    this.#model = model;
    this.#p = model.playbook;
    this.#expressions = expressions;
    const p = this.#p;
    const referencedTemplates = p.references.filter((r) => r.kind === "template").map((r) => r.id);
    this.#ids = {
      role: new Set(Object.keys(p.roles)),
      step: new Set(model.order.map((e) => e.step.id)),
      form: new Set(Object.keys(p.forms)),
      template: new Set([...Object.keys(p.templates), ...referencedTemplates]),
      survey: new Set(Object.keys(p.surveys)),
      "training track": new Set(Object.keys(p.training?.tracks ?? {})),
      "compliance addendum": new Set(p.compliance.map((c) => c.id)),
      phase: new Set(p.phases.map((ph) => ph.id)),
      fact: new Set(Object.keys(p.facts)),
    };
  }

  #error(rule: string, path: Path, message: string, fix?: string, extra: Partial<Finding> = {}): void {
    this.findings.push({ rule, severity: "error", message, path, ...(fix ? { fix } : {}), ...extra });
  }

  #ref(kind: Kind, id: string | undefined, path: Path): void {
    if (id === undefined || this.#ids[kind].has(id)) return;
    const plural = kind === "compliance addendum" ? "compliance addenda" : `${kind}s`;
    this.#error(`ref/unknown-${kind.replace(/ /g, "-")}`, path, `unknown ${kind} "${id}"`, didYouMean(id, this.#ids[kind], plural));
  }

  /** An email's cc, reply_to and from name roles or addresses: a role must exist. */
  #mailParties(mail: { readonly cc?: readonly string[]; readonly reply_to?: string; readonly from?: string }, path: Path): void {
    mail.cc?.forEach((party, i) => {
      if (!party.includes("@")) this.#ref("role", party, [...path, "cc", i]);
    });
    for (const key of ["reply_to", "from"] as const) {
      const party = mail[key];
      if (party !== undefined && !party.includes("@")) this.#ref("role", party, [...path, key]);
    }
  }

  /** A value agreed in a form: the form and its field exist (lint checks the field's options). */
  #answer(answer: FormAnswer, path: Path): void {
    const form = this.#p.forms[answer.form];
    if (!form) {
      this.#ref("form", answer.form, path);
      return;
    }
    const fields = new Set(Object.keys(form.fields));
    if (!fields.has(answer.field))
      this.#error(
        "ref/unknown-field",
        path,
        `form "${answer.form}" has no field "${answer.field}"`,
        didYouMean(answer.field, fields, `fields of ${answer.form}`),
      );
  }

  #refs(kind: Kind, ids: readonly string[] | undefined, path: Path): void {
    ids?.forEach((id, i) => {
      this.#ref(kind, id, [...path, i]);
    });
  }

  #expression(source: string | undefined, path: Path, scope: ExpressionScope, expected: "bool" | "list" | "string" = "bool"): void {
    if (source === undefined) return;
    // A comparison with a value the answer can never hold routes every client the same way.
    for (const bad of literalsOutsideOptions(this.#p, source)) {
      const near = bad.options.find((o) => o.toLowerCase() === bad.literal.toLowerCase());
      this.#error(
        "expr/option",
        path,
        `condition "${source}": "${bad.literal}" is not one of ${bad.subject}'s options (${bad.options.join(", ")}), so this comparison never matches`,
        near ? `write "${near}" (options are compared exactly)` : `compare with one of: ${bad.options.join(", ")}`,
        { offset: bad.offset },
      );
    }
    const result = this.#expressions.check(source, scope, expected);
    if (!result.ok) {
      this.#error(
        result.rule ?? "expr/type",
        path,
        `condition "${source}": ${result.message}`,
        result.fix ??
          "conditions may use facts.*, params.*, forms.<form>.<field>, training.*, project.* (and step.*, event.*, the repeat item where they apply); declare what is missing",
        result.offset === undefined ? {} : { offset: result.offset },
      );
    }
  }

  #amount(amount: Amount, path: Path): void {
    if (amount.kind !== "placeholder") return;
    const param = this.#p.parameters[amount.name];
    const fact = amount.name.startsWith("facts.") ? this.#p.facts[amount.name.slice(6)] : undefined;
    if (param && (param.type === "integer" || param.type === "number")) return;
    if (fact && (fact.type === "int" || fact.type === "double")) return;
    if (param || fact) {
      this.#error(
        "ref/amount-type",
        path,
        `"{{${amount.name}}}" is not a number, so it cannot count time`,
        "declare it with type integer (parameters) or int (facts)",
      );
      return;
    }
    this.#error(
      "ref/unknown-parameter",
      path,
      `unknown parameter "{{${amount.name}}}"`,
      didYouMean(amount.name, Object.keys(this.#p.parameters), "parameters"),
    );
  }

  #anchor(anchor: Anchor, path: Path): void {
    if (anchor.kind === "step") this.#ref("step", anchor.step, path);
    if (anchor.kind === "form") {
      const form = this.#p.forms[anchor.form];
      const field = form?.fields[anchor.field];
      if (!form) this.#ref("form", anchor.form, path);
      else if (!field)
        this.#error(
          "ref/unknown-field",
          path,
          `form "${anchor.form}" has no field "${anchor.field}"`,
          didYouMean(anchor.field, Object.keys(form.fields), `fields of ${anchor.form}`),
        );
      else if (field.type !== "date" && field.type !== "datetime")
        this.#error(
          "ref/anchor-type",
          path,
          `field "${anchor.form}.${anchor.field}" is of type ${field.type}, not a date`,
          "anchor deadlines on date or datetime fields",
        );
    }
    if (anchor.kind === "fact") {
      const fact = this.#p.facts[anchor.fact];
      if (!fact) this.#ref("fact", anchor.fact, path);
      else if (fact.type !== "date")
        this.#error(
          "ref/anchor-type",
          path,
          `fact "${anchor.fact}" is a ${fact.type}, not a date`,
          "anchor deadlines on facts of type date",
        );
    }
  }

  #deadline(deadline: Deadline | undefined, path: Path): void {
    if (!deadline) return;
    this.#anchor(deadline.anchor, path);
    if (deadline.kind === "offset") this.#amount(deadline.duration.amount, path);
  }

  #duration(duration: Duration | undefined, path: Path): void {
    if (duration) this.#amount(duration.amount, path);
  }

  #actions(actions: readonly Action[], path: Path, scope: ExpressionScope): void {
    actions.forEach((action, i) => {
      const at = [...path, i];
      this.#expression(action.when, [...at, "when"], scope);
      if (action.notify) this.#refs("role", action.notify.to, [...at, "notify", "to"]);
      if (action.email) {
        this.#refs("role", action.email.to, [...at, "email", "to"]);
        this.#ref("template", action.email.template, [...at, "email", "template"]);
        this.#ref("step", action.email.attach_invite, [...at, "email", "attach_invite"]);
        this.#mailParties(action.email, [...at, "email"]);
      }
      if (action.create_task) {
        this.#ref("role", action.create_task.owner, [...at, "create_task", "owner"]);
        this.#deadline(action.create_task.due, [...at, "create_task", "due"]);
      }
      if (action.escalate) this.#ref("role", action.escalate.to, [...at, "escalate", "to"]);
      if (action.assign) this.#ref("role", action.assign.role, [...at, "assign", "role"]);
      if (action.send_survey) this.#ref("survey", action.send_survey.survey, [...at, "send_survey", "survey"]);
      if (action.send_invite) this.#ref("step", action.send_invite.meeting, [...at, "send_invite", "meeting"]);
      if (action.activate) this.#ref("step", action.activate.step, [...at, "activate", "step"]);
      if (action.request_approval) this.#ref("role", action.request_approval.from, [...at, "request_approval", "from"]);
    });
  }

  #duplicates(kind: string, ids: readonly { id: string; path: Path }[]): void {
    const seen = new Map<string, Path>();
    for (const { id, path } of ids) {
      if (seen.has(id)) this.#error("ids/duplicate", [...path, "id"], `the ${kind} id "${id}" is used twice`, "give each one its own id");
      else seen.set(id, path);
    }
  }

  run(): Finding[] {
    const p = this.#p;
    this.#duplicates(
      "step",
      this.#model.order.map((e) => ({ id: e.step.id, path: e.path })),
    );
    this.#duplicates(
      "phase",
      p.phases.map((ph, i) => ({ id: ph.id, path: ["phases", i] })),
    );
    this.#duplicates(
      "rule",
      p.rules.map((r, i) => ({ id: r.id, path: ["rules", i] })),
    );
    this.#duplicates(
      "cadence",
      p.cadences.map((c, i) => ({ id: c.id, path: ["cadences", i] })),
    );
    this.#duplicates(
      "KPI",
      p.kpis.map((k, i) => ({ id: k.id, path: ["kpis", i] })),
    );
    this.#duplicates(
      "risk",
      p.risks.map((r, i) => ({ id: r.id, path: ["risks", i] })),
    );
    this.#duplicates(
      "compliance addendum",
      p.compliance.map((c, i) => ({ id: c.id, path: ["compliance", i] })),
    );

    for (const [id, role] of Object.entries(p.roles)) {
      this.#ref("role", role.escalates_to, ["roles", id, "escalates_to"]);
      this.#refs("fact", role.assignment?.match_on, ["roles", id, "assignment", "match_on"]);
      if (typeof role.assignment?.capacity === "string") {
        const match = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}$/.exec(role.assignment.capacity);
        if (match?.[1]) this.#amount({ kind: "placeholder", name: match[1] }, ["roles", id, "assignment", "capacity"]);
        else
          this.#error(
            "schema/invalid",
            ["roles", id, "assignment", "capacity"],
            "capacity is a whole number or a {{parameter}}",
            "write e.g. 25",
          );
      }
    }
    for (const [id, form] of Object.entries(p.forms)) {
      this.#ref("template", form.template, ["forms", id, "template"]);
      for (const [fid, field] of Object.entries(form.fields)) {
        const at: Path = ["forms", id, "fields", fid];
        for (const problem of fieldRuleProblems(field))
          this.#error(problem.rule, problem.key ? [...at, problem.key] : at, `field "${fid}": ${problem.message}`, problem.fix);
        for (const [cid, column] of Object.entries(field.fields ?? {}))
          for (const problem of fieldRuleProblems(column, true)) {
            const where: Path = [...at, "fields", cid];
            this.#error(
              problem.rule,
              problem.key ? [...where, problem.key] : where,
              `column "${cid}" of "${fid}": ${problem.message}`,
              problem.fix,
            );
          }
        this.#expression(field.required_if, [...at, "required_if"], {});
      }
    }
    for (const [id, survey] of Object.entries(p.surveys)) {
      this.#refs("role", survey.to, ["surveys", id, "to"]);
      this.#deadline(survey.send, ["surveys", id, "send"]);
    }
    for (const [id, track] of Object.entries(p.training?.tracks ?? {})) {
      this.#expression(track.when, ["training", "tracks", id, "when"], {});
    }
    p.training?.delivery.forEach((d, i) => {
      this.#expression(d.when, ["training", "delivery", i, "when"], {});
    });

    for (const entry of this.#model.order) {
      const { step, path } = entry;
      const at = (...rest: (string | number)[]) => [...path, ...rest];
      this.#ref("role", step.owner, at("owner"));
      if (step.raci) {
        this.#refs("role", step.raci.responsible, at("raci", "responsible"));
        this.#ref("role", step.raci.accountable, at("raci", "accountable"));
        this.#refs("role", step.raci.consulted, at("raci", "consulted"));
        this.#refs("role", step.raci.informed, at("raci", "informed"));
      }
      this.#refs("step", step.after, at("after"));
      this.#ref("step", step.next, at("next"));
      this.#expression(step.when, at("when"), {});
      this.#deadline(step.opens, at("opens"));
      this.#deadline(step.due, at("due"));
      this.#deadline(step.target, at("target"));
      this.#duration(step.lasts, at("lasts"));
      this.#duration(step.extension?.up_to, at("extension", "up_to"));
      if (step.per_occurrence && (!step.on_demand || step.repeat)) {
        this.#error(
          "step/per-occurrence",
          at("per_occurrence"),
          step.repeat
            ? `step "${step.id}" repeats for each item already; it cannot also repeat per occurrence`
            : `step "${step.id}" runs once in the flow, so it has no occurrences`,
          step.repeat ? "remove per_occurrence: or repeat:" : "mark it on_demand: true and open it from a rule (activate:)",
        );
      }
      step.extension?.by?.forEach((role, i) => {
        this.#ref("role", role, at("extension", "by", i));
      });
      this.#ref("template", step.deliverable?.template, at("deliverable", "template"));
      step.deliverables.forEach((d, i) => {
        this.#ref("template", d.template, at("deliverables", i, "template"));
      });
      this.#ref("template", step.template, at("template"));
      this.#ref("form", step.form, at("form"));
      this.#ref("survey", step.survey, at("survey"));
      this.#refs("training track", step.training, at("training"));
      this.#ref("compliance addendum", step.compliance, at("compliance"));
      this.#refs("role", step.meeting?.attendees, at("meeting", "attendees"));
      this.#duration(step.meeting?.length, at("meeting", "length"));
      this.#refs("role", step.gate?.approvers, at("gate", "approvers"));
      if (step.handoff) {
        this.#ref("role", step.handoff.from, at("handoff", "from"));
        this.#ref("role", step.handoff.to, at("handoff", "to"));
      }
      if (step.email) this.#mailParties(step.email, at("email"));
      step.checklist.forEach((item, i) => {
        if (typeof item === "string") return;
        this.#ref("role", item.owner, at("checklist", i, "owner"));
        this.#expression(item.when, at("checklist", i, "when"), {});
      });
      const itemName = step.repeat?.as;
      this.#expression(step.repeat?.for_each, at("repeat", "for_each"), {}, "list");
      const itemType = step.repeat ? this.#expressions.itemTypeOf(step.repeat.for_each) : undefined;
      if (step.repeat && itemName) this.#expression(step.repeat.label, at("repeat", "label"), { item: itemName, itemType }, "string");
      step.decision?.branches.forEach((branch, b) => {
        const bAt = at("decision", "branches", b);
        const scope: ExpressionScope = { step: true, ...(itemName ? { item: itemName, itemType } : {}) };
        if ((branch.when === undefined) === (branch.otherwise === undefined)) {
          this.#error(
            "decision/branch-condition",
            bAt,
            `branch "${branch.label}" needs either "when:" (a condition) or "otherwise: true"`,
            "add a measurable when: condition, or mark the fallback branch otherwise: true",
          );
        }
        this.#expression(branch.when, [...bAt, "when"], scope);
        this.#actions(branch.actions, [...bAt, "actions"], scope);
        this.#refs("step", branch.detour, [...bAt, "detour"]);
        if (branch.detour && branch.next !== "continue") {
          this.#error(
            "decision/detour",
            [...bAt, "next"],
            `branch "${branch.label}" takes a detour, so it carries on after "${step.id}": its next must be continue, not "${branch.next}"`,
            "write next: continue (or drop the detour and go to the step with next:)",
          );
        }
        branch.detour?.forEach((id, d) => {
          const target = this.#model.steps.get(id)?.step;
          if (target && (!target.on_demand || target.next !== undefined)) {
            this.#error(
              "decision/detour",
              [...bAt, "detour", d],
              target.on_demand
                ? `detour step "${id}" has next: "${target.next}", but a detour returns by itself to what follows "${step.id}"`
                : `detour step "${id}" is not on_demand, so it runs anyway`,
              target.on_demand ? `remove next: from "${id}"` : `mark "${id}" on_demand: true`,
            );
          }
        });
        if (!(BRANCH_KEYWORDS as readonly string[]).includes(branch.next)) {
          if (!this.#ids.step.has(branch.next)) {
            this.#error(
              "ref/unknown-step",
              [...bAt, "next"],
              `unknown step "${branch.next}"`,
              `${didYouMean(branch.next, this.#ids.step, "steps")} (or use continue, hold, end)`,
            );
          }
        }
      });
    }

    p.cadences.forEach((cadence, i) => {
      const at = ["cadences", i];
      this.#ref("role", cadence.owner, [...at, "owner"]);
      this.#ref("phase", cadence.during, [...at, "during"]);
      if (cadence.after_close === "continue" && (!cadence.until || cadence.during)) {
        this.#error(
          "cadence/after-close",
          [...at, cadence.during ? "during" : "after_close"],
          cadence.during
            ? `cadence "${cadence.id}" runs during a phase, so it cannot continue after the project closes`
            : `cadence "${cadence.id}" continues after the project closes, so it needs its own end`,
          cadence.during ? "remove during: (use from: and until:)" : 'add until:, e.g. "12 months after completion"',
        );
      }
      if (isAnswer(cadence.every)) this.#answer(cadence.every, [...at, "every"]);
      else this.#duration(cadence.every, [...at, "every"]);
      if (isAnswer(cadence.weekday)) this.#answer(cadence.weekday, [...at, "weekday"]);
      if (isAnswer(cadence.at)) this.#answer(cadence.at, [...at, "at"]);
      this.#deadline(cadence.from, [...at, "from"]);
      this.#deadline(cadence.until, [...at, "until"]);
      this.#deadline(cadence.due, [...at, "due"]);
      this.#expression(cadence.when, [...at, "when"], {});
    });

    p.rules.forEach((rule, i) => {
      const at = ["rules", i];
      this.#ref("step", rule.step, [...at, "step"]);
      this.#ref("role", rule.owner, [...at, "owner"]);
      this.#duration(rule.after, [...at, "after"]);
      this.#duration(rule.repeat_every, [...at, "repeat_every"]);
      this.#expression(rule.when, [...at, "when"], { event: rule.on });
      this.#actions(rule.actions, [...at, "actions"], { event: rule.on });
    });

    p.kpis.forEach((kpi, i) => {
      const at: Path = ["kpis", i];
      this.#ref("role", kpi.owner, [...at, "owner"]);
      const moment = (m: { step: string } | { fact: string } | undefined, key: string) => {
        if (m === undefined) return;
        this.#anchor("step" in m ? { kind: "step", step: m.step, point: "completed" } : { kind: "fact", fact: m.fact }, [...at, key]);
      };
      moment(kpi.from, "from");
      moment(kpi.to, "to");
      moment(kpi.first_value, "first_value");
      if (kpi.metric === "time_to_step" && kpi.to === undefined)
        this.#error(
          "kpi/measured-to",
          [...at, "metric"],
          `KPI "${kpi.id}" measures time to a step but names none`,
          "add to: { step: <step id> }",
        );
      for (const key of ["from", "to"] as const)
        if (kpi[key] !== undefined && kpi.metric !== "time_to_step")
          this.#error(
            "kpi/measured-to",
            [...at, key],
            `\`${key}:\` applies to time_to_step KPIs only`,
            "use metric: time_to_step, or remove it",
          );
      if (kpi.first_value !== undefined && kpi.metric !== "time_to_first_value")
        this.#error(
          "kpi/measured-to",
          [...at, "first_value"],
          "`first_value:` applies to time_to_first_value KPIs only",
          "use metric: time_to_first_value, or remove it",
        );
    });
    p.risks.forEach((risk, i) => {
      this.#ref("role", risk.owner, ["risks", i, "owner"]);
    });
    p.compliance.forEach((addendum, i) => {
      const at = ["compliance", i];
      this.#expression(addendum.applies_when, [...at, "applies_when"], {});
      for (const list of ["evidence", "checks"] as const) {
        addendum[list].forEach((item, j) => {
          this.#refs("step", item.at, [...at, list, j, "at"]);
          this.#ref("role", item.owner, [...at, list, j, "owner"]);
        });
      }
      addendum.approvals.forEach((approval, j) => {
        this.#ref("role", approval.role, [...at, "approvals", j, "role"]);
      });
    });
    return this.findings;
  }
}

const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Every `{{name}}` in any text of the raw document must name a parameter or a runtime value. */
export function checkPlaceholders(raw: unknown, playbook: Playbook): Finding[] {
  const findings: Finding[] = [];
  const params = Object.keys(playbook.parameters);
  const known = (name: string): boolean => {
    if (playbook.parameters[name]) return true;
    const [root, ...rest] = name.split(".");
    const spec = root === undefined ? undefined : RUNTIME_PLACEHOLDERS[root];
    if (!spec || rest.length === 0) return false;
    if (spec === "roles") return rest[0] !== undefined && rest[0] in playbook.roles && ["name", "email", "phone"].includes(rest[1] ?? "");
    if (spec === "facts") return rest[0] !== undefined && rest[0] in playbook.facts && rest.length === 1;
    return rest.length === 1 && spec.includes(rest[0] ?? "");
  };
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === "string") {
      for (const match of value.matchAll(PLACEHOLDER_RE)) {
        const name = match[1] ?? "";
        if (!known(name)) {
          findings.push({
            rule: "ref/unknown-placeholder",
            severity: "error",
            message: `unknown placeholder "{{${name}}}"`,
            fix: `${didYouMean(name, [...params, "client.name", "client.company", "project.start_date", "project.go_live_date"], "parameters")}; or declare it under parameters:`,
            path,
            offset: match.index,
          });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        visit(v, [...path, i]);
      });
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  visit(raw, []);
  return findings;
}

/**
 * A template's subject and body may not include, render or lay out other templates: the sandbox has
 * no files to read, so the playbook is refused when it loads rather than its mail failing later.
 */
export function checkTemplateTags(playbook: Playbook): Finding[] {
  const findings: Finding[] = [];
  for (const [id, template] of Object.entries(playbook.templates)) {
    for (const field of ["subject", "body"] as const) {
      const text = template[field];
      if (text === undefined) continue;
      for (const use of fileTagsIn(text)) {
        findings.push({
          rule: "template/file-tag",
          severity: "error",
          message: fileTagMessage(use, `the ${field} of template ${id}`),
          fix: "write the shared text into each template (Liquid's if/for/assign and filters remain available)",
          path: ["templates", id, field],
          offset: use.offset,
        });
      }
    }
  }
  return findings;
}
