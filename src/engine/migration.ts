// Moving a running project to a newer version of its playbook: never implicit, always previewed.
// The plan says which steps appear, which disappear and what changes for the steps both versions
// have; the migration itself is one logged event, after which the project runs on the new version.
import type { PlaybookModel } from "../playbook/model.ts";
import type { Step } from "../playbook/schema.ts";
import { conditionValues, evaluate } from "./conditions.ts";
import { checklistKey, type EngineContext, engineContext } from "./context.ts";
import { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { settle } from "./flow.ts";
import { canManage } from "./permissions.ts";
import { decidedAtStart } from "./run-time.ts";
import { rememberStepSets } from "./step-sets.ts";
import type { Actor, Instant, Outcome, ProjectState, StepStatus } from "./types.ts";

export interface MigrationPlan {
  readonly from: { readonly id: string; readonly version: string };
  readonly to: { readonly id: string; readonly version: string };
  /** New steps and how they start: waiting, left out for this client, or on demand. */
  readonly added: readonly { readonly step: string; readonly status: "blocked" | "not_applicable" | "dormant" }[];
  readonly removed: readonly { readonly step: string; readonly status: StepStatus }[];
  readonly changed: readonly { readonly step: string; readonly changes: readonly string[] }[];
  /** Why the project cannot move now; empty when it can. */
  readonly blockers: readonly string[];
}

const WORK_IN_HAND: ReadonlySet<StepStatus> = new Set(["open", "in_progress", "looping", "scheduled"]);

function describeChanges(before: Step, after: Step): string[] {
  const changes: string[] = [];
  if (before.owner !== after.owner) changes.push(`owner ${before.owner} → ${after.owner}`);
  if (before.due?.text !== after.due?.text) changes.push(`deadline ${before.due?.text ?? "none"} → ${after.due?.text ?? "none"}`);
  if (JSON.stringify(before.gate ?? null) !== JSON.stringify(after.gate ?? null)) {
    changes.push(`sign-off ${before.gate?.approvers.join(", ") ?? "none"} → ${after.gate?.approvers.join(", ") ?? "none"}`);
  }
  if (before.form !== after.form) changes.push(`form ${before.form ?? "none"} → ${after.form ?? "none"}`);
  if (JSON.stringify(before.decision ?? null) !== JSON.stringify(after.decision ?? null)) changes.push("decision criteria changed");
  if (JSON.stringify(before.checklist) !== JSON.stringify(after.checklist)) changes.push("checklist changed");
  if (before.when !== after.when) changes.push(`condition ${before.when ?? "always"} → ${after.when ?? "always"}`);
  return changes;
}

export function planMigration(from: PlaybookModel, to: PlaybookModel, state: ProjectState, now: Instant): MigrationPlan {
  const blockers: string[] = [];
  if (from.playbook.id !== to.playbook.id) blockers.push(`the project runs ${from.playbook.id}, not ${to.playbook.id}`);
  if (from.playbook.document.version === to.playbook.document.version)
    blockers.push(`the project is already on version ${to.playbook.document.version}`);
  if (state.status === "closed" || state.status === "cancelled") blockers.push(`the project is ${state.status}`);
  const ctx = engineContext(to, state.calendar);
  const values = conditionValues(ctx, state, now);
  const added: MigrationPlan["added"][number][] = [];
  const changed: MigrationPlan["changed"][number][] = [];
  for (const { step } of to.order) {
    const before = from.steps.get(step.id)?.step;
    if (!before) {
      // A condition on run-time values (forms, sign-offs) is decided when the step becomes reachable (run-time.ts).
      const result =
        step.when === undefined || !decidedAtStart(step) ? { ok: true as const, value: true } : evaluate(ctx, step.when, {}, values);
      if (!result.ok) blockers.push(`the condition of new step "${step.id}" (${step.when}) fails for this project: ${result.error}`);
      const excluded = result.value !== true;
      added.push({ step: step.id, status: excluded ? "not_applicable" : step.on_demand ? "dormant" : "blocked" });
      continue;
    }
    const changes = describeChanges(before, step);
    if (changes.length > 0) changed.push({ step: step.id, changes });
  }
  const removed = from.order
    .filter(({ step }) => !to.steps.has(step.id))
    .map(({ step }) => ({ step: step.id, status: state.steps[step.id]?.status ?? "blocked" }));
  for (const r of removed) {
    if (WORK_IN_HAND.has(r.status))
      blockers.push(
        `step "${r.step}" is ${r.status.replace("_", " ")} and does not exist in version ${to.playbook.document.version}: finish or skip it first`,
      );
  }
  for (const { step, status } of added) {
    const repeated = to.steps.get(step)?.step.repeat;
    const def = to.steps.get(step)?.step;
    if (repeated && def && decidedAtStart(def) && status === "blocked")
      blockers.push(`new step "${step}" repeats per item, which is only known at project start`);
  }
  return {
    from: { id: from.playbook.id, version: from.playbook.document.version },
    to: { id: to.playbook.id, version: to.playbook.document.version },
    added,
    removed,
    changed,
    blockers,
  };
}

/** Move the project; CS operations only, with a reason, and only when the plan has no blockers. */
export function migrateProject(
  from: PlaybookModel,
  to: PlaybookModel,
  state: ProjectState,
  actor: Actor,
  now: Instant,
  reason: string,
): Outcome & { readonly ctx: EngineContext; readonly plan: MigrationPlan } {
  if (!canManage(actor)) throw new EngineError("forbidden", "only CS operations can move a project to another playbook version", {});
  if (!reason.trim()) throw new EngineError("invalid", "a migration needs a reason", { field: "reason" });
  const plan = planMigration(from, to, state, now);
  if (plan.blockers.length > 0)
    throw new EngineError("illegal_state", `cannot migrate: ${plan.blockers.join("; ")}`, { blockers: plan.blockers });
  const oldCtx = engineContext(from, state.calendar);
  const draft = new Draft(oldCtx, state, now, actor);
  draft.emit(
    {
      type: "project.migrated",
      playbook: plan.to,
      added: plan.added.map(({ step, status }) => ({
        step,
        status,
        checklist: (to.steps.get(step)?.step.checklist ?? []).map((item, i) => checklistKey(item, i)),
      })),
      removed: plan.removed.map((r) => r.step),
    },
    reason,
  );
  // From here on the project runs on the new version: open what became ready under its rules.
  const ctx = engineContext(to, state.calendar);
  const next = new Draft(ctx, draft.state, now, actor);
  settle(next, { flowChanged: true });
  rememberStepSets(next);
  return { ctx, plan, state: next.state, events: [...draft.events, ...next.events], effects: [...draft.effects, ...next.effects] };
}
