// Seed 002's quality checklist, step by step: every step actionable, with a timeline,
// handoffs that name both sides, sign-offs the signer can reach, one accountable role.
import { deliverablesOf } from "../../playbook/schema.ts";
import type { LintRule } from "../rule.ts";

export const stepActionable: LintRule = {
  id: "step/actionable",
  severity: "error",
  kind: "quality",
  description: "Every step has an owner and an expected result, a deliverable, a sign-off or a decision.",
  *check({ order }) {
    for (const { step, path } of order) {
      if (!step.expected_result && deliverablesOf(step).length === 0 && !step.gate && !step.decision) {
        yield {
          path: [...path, "id"],
          message: `step "${step.id}" says neither what it produces nor how to tell it is done`,
          fix: "add expected_result: (what is true when it is done) or deliverable: (what it produces)",
        };
      }
    }
  },
};

export const stepTimeline: LintRule = {
  id: "step/timeline",
  severity: "error",
  kind: "quality",
  description: "Every step has a timeline: its own deadline, or its phase's window.",
  *check({ order }) {
    for (const { step, phase, path } of order) {
      if (!step.due && !phase.window && !step.opens) {
        yield {
          path: [...path, "id"],
          message: `step "${step.id}" has no deadline`,
          fix: `add due: (e.g. "2 business days"), or a window: on its phase "${phase.id}" (e.g. "Days 1-10")`,
        };
      }
    }
  },
};

export const handoffBothSides: LintRule = {
  id: "handoff/both-sides",
  severity: "error",
  kind: "quality",
  description: "Every cross-role handoff names who hands over, who receives, and they differ.",
  *check({ order }) {
    for (const { step, path } of order) {
      const handoff = step.handoff;
      if (!handoff) continue;
      if (handoff.from === handoff.to) {
        yield {
          path: [...path, "handoff", "to"],
          message: `the handoff in "${step.id}" goes from "${handoff.from}" to itself`,
          fix: "name the receiving role in to:",
        };
      }
      const involved = new Set([step.owner, ...(step.raci?.responsible ?? []), step.raci?.accountable]);
      if (!involved.has(handoff.from)) {
        yield {
          path: [...path, "handoff", "from"],
          severity: "warning",
          message: `"${handoff.from}" hands over in "${step.id}" but neither owns the step nor is responsible for it`,
          fix: "make the handing-over role the owner or responsible",
        };
      }
    }
  },
};

export const gateReachable: LintRule = {
  id: "gate/client-visible",
  severity: "error",
  kind: "correctness",
  description: "A sign-off by a client stakeholder sits on a step the client can see in the portal.",
  *check({ order, playbook }) {
    for (const { step, path } of order) {
      const clientSigners = (step.gate?.approvers ?? []).filter((r) => playbook.roles[r]?.side === "client");
      if (clientSigners.length > 0 && !step.visible_to_client) {
        yield {
          path: [...path, "gate", "approvers"],
          message: `"${clientSigners.join(", ")}" must sign "${step.id}" but the step is hidden from the client`,
          fix: "add visible_to_client: true to the step",
        };
      }
    }
  },
};

export const gateSystemSigner: LintRule = {
  id: "gate/system-signer",
  severity: "error",
  kind: "correctness",
  description:
    "A sign-off is a person's judgement: no system role (an automation's service account) is an approver, since it could never sign.",
  *check({ order, playbook }) {
    for (const { step, path } of order) {
      const systems = (step.gate?.approvers ?? []).filter((r) => playbook.roles[r]?.side === "system");
      if (systems.length > 0) {
        yield {
          path: [...path, "gate", "approvers"],
          message: `"${systems.join(", ")}" is a system role and can never sign "${step.id}": automations do not give sign-offs`,
          fix: "let the automation do the step (owner or raci.responsible) and a person's role sign it",
        };
      }
    }
  },
};

export const raciAccountable: LintRule = {
  id: "raci/consistent",
  severity: "error",
  kind: "quality",
  description: "RACI: exactly one accountable role, the owner is responsible or accountable, no role in two columns but A/R.",
  *check({ order }) {
    for (const { step, path } of order) {
      const raci = step.raci;
      if (!raci) continue;
      if (step.owner !== raci.accountable && !raci.responsible.includes(step.owner)) {
        yield {
          path: [...path, "owner"],
          message: `the owner "${step.owner}" of "${step.id}" is neither responsible nor accountable in its RACI`,
          fix: "add the owner to raci.responsible or make it accountable",
        };
      }
      const columns = [
        ["responsible", raci.responsible],
        ["consulted", raci.consulted],
        ["informed", raci.informed],
      ] as const;
      const seen = new Map<string, string>();
      for (const [column, roles] of columns) {
        for (const role of roles) {
          const before = seen.get(role);
          if (before)
            yield {
              path: [...path, "raci", column],
              message: `"${role}" is both ${before} and ${column} for "${step.id}"`,
              fix: "keep the role in one column",
            };
          seen.set(role, column);
        }
      }
      if (raci.consulted.includes(raci.accountable) || raci.informed.includes(raci.accountable)) {
        yield {
          path: [...path, "raci", "accountable"],
          message: `the accountable role "${raci.accountable}" of "${step.id}" is also only consulted or informed`,
          fix: "remove it from consulted/informed",
        };
      }
    }
  },
};

export const templateReferenced: LintRule = {
  id: "step/template",
  severity: "info",
  kind: "quality",
  description: "Deliverables name the template they are written from.",
  *check({ order }) {
    for (const { step, path } of order) {
      if (step.template) continue;
      const all = [
        ...(step.deliverable ? [{ d: step.deliverable, at: ["deliverable"] }] : []),
        ...step.deliverables.map((d, i) => ({ d, at: ["deliverables", i] })),
      ];
      for (const { d, at } of all.filter(({ d }) => !d.template)) {
        yield { path: [...path, ...at], message: `the deliverable "${d.title}" has no template`, fix: "add template: with a template id" };
      }
    }
  },
};
