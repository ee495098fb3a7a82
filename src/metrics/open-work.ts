// The open work of one project, derived purely from its state: every open or started step and every
// undone engine task, with the playbook roles that make it someone's. The projection
// (open-work-projection.ts) keeps these rows with the events; "my tasks" joins them with the roles a
// person holds on each project, so a request never reads a whole state.
import type { Instant, ProjectState } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";

export interface OpenWorkRow {
  readonly itemId: string;
  readonly kind: "step" | "task";
  readonly stepId: string | null;
  readonly taskId: string | null;
  readonly clientName: string;
  readonly title: string;
  readonly status: "open" | "in_progress";
  /** Roles that make it someone's, in this order: owner, responsible, accountable, approvers yet to sign. */
  readonly roles: readonly string[];
  /** The gate's approvers whose sign-off is still missing. */
  readonly signOff: readonly string[];
  readonly dueAt: Instant | null;
  readonly overdueAt: Instant | null;
}

/** Nothing is open on a project that has ended, whatever its steps were left as. */
const ENDED = new Set(["cancelled", "closed"]);

export function openWorkOf(model: PlaybookModel, state: ProjectState): OpenWorkRow[] {
  if (ENDED.has(state.status)) return [];
  const rows: OpenWorkRow[] = [];
  const clientName = state.client.name;
  for (const { step } of model.order) {
    const current = state.steps[step.id];
    if (!current || (current.status !== "open" && current.status !== "in_progress")) continue;
    // A sign-off already given is not waiting.
    const signOff = (step.gate?.approvers ?? []).filter((role) => current.approvals[role]?.decision !== "approved");
    const owners = [step.owner, ...(step.raci?.responsible ?? []), ...(step.raci ? [step.raci.accountable] : [])];
    rows.push({
      itemId: `step/${step.id}`,
      kind: "step",
      stepId: step.id,
      taskId: null,
      clientName,
      title: step.title,
      status: current.status,
      roles: [...new Set([...owners, ...signOff])],
      signOff,
      dueAt: current.dueAt ?? null,
      overdueAt: current.overdueAt ?? null,
    });
  }
  for (const task of Object.values(state.tasks)) {
    if (task.doneAt) continue;
    rows.push({
      itemId: `task/${task.id}`,
      kind: "task",
      stepId: null,
      taskId: task.id,
      clientName,
      title: task.title,
      status: "open",
      roles: [task.owner],
      signOff: [],
      dueAt: task.dueAt ?? null,
      overdueAt: null,
    });
  }
  return rows;
}

/** What to write to go from `before` to `after`: rows gone, and rows new or different. */
export function openWorkChanges(
  before: readonly OpenWorkRow[],
  after: readonly OpenWorkRow[],
): { readonly removed: string[]; readonly written: OpenWorkRow[] } {
  const old = new Map(before.map((row) => [row.itemId, JSON.stringify(row)]));
  const written = after.filter((row) => old.get(row.itemId) !== JSON.stringify(row));
  const kept = new Set(after.map((row) => row.itemId));
  return { removed: [...old.keys()].filter((id) => !kept.has(id)), written };
}
