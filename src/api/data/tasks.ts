// "My tasks": across the active projects where the signed-in person holds playbook roles, the open
// steps whose owner or RACI (responsible, accountable) is one of those roles, and the engine's
// tasks (cadence occurrences, rule-created tasks) owned by them. Sorted by due date, soonest first.
import type { Instant, ProjectState } from "../../engine/types.ts";
import type { ApiDeps } from "../deps.ts";
import { modelOf } from "./playbooks.ts";
import { isOverdue } from "./projects.ts";

export interface TaskItem {
  readonly id: string;
  readonly kind: "step" | "task";
  readonly projectId: string;
  /** The project's version when read: the If-Match for a command on it. */
  readonly projectVersion: number;
  readonly clientId: string;
  readonly clientName: string;
  readonly stepId: string | null;
  readonly taskId: string | null;
  readonly title: string;
  readonly status: "open" | "in_progress";
  /** The playbook roles, held by you on this project, that make it yours. */
  readonly roles: string[];
  readonly dueAt: Instant | null;
  readonly overdue: boolean;
  /** A gate's approver roles of yours whose sign-off is still missing (empty: nothing to sign). */
  readonly signOff: string[];
}

export interface TaskFilter {
  readonly status?: "open" | "in_progress";
  readonly role?: string;
  readonly dueBefore?: Instant;
  readonly overdue?: boolean;
  readonly projectId?: string;
}

/** The sort key: due date (undated last), project, item. */
export function taskKey(task: TaskItem): [string, string, string] {
  return [task.dueAt ?? "~", task.projectId, task.id];
}

function before(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x !== y) return x < y;
  }
  return false;
}

export async function myTasks(deps: ApiDeps, personId: string, filter: TaskFilter, now: Instant): Promise<TaskItem[]> {
  // One query: the roles held and each project's state with them (no query per project).
  let query = deps.db
    .selectFrom("project_roles as r")
    .innerJoin("projects as p", "p.id", "r.project_id")
    .select(["r.project_id", "r.role", "p.state", "p.version", "p.client_id", "p.playbook_id", "p.playbook_version"])
    .where("r.person_id", "=", personId)
    .where("p.status", "=", "active");
  if (filter.projectId) query = query.where("r.project_id", "=", filter.projectId);
  const held = new Map<
    string,
    { roles: Set<string>; row: { state: ProjectState; version: number; client_id: string; playbook_id: string; playbook_version: string } }
  >();
  for (const row of await query.execute()) {
    const entry = held.get(row.project_id) ?? { roles: new Set<string>(), row: { ...row, state: row.state as ProjectState } };
    entry.roles.add(row.role);
    held.set(row.project_id, entry);
  }
  const tasks: TaskItem[] = [];
  for (const [projectId, { roles, row }] of held) {
    const project = { version: row.version, clientId: row.client_id };
    const { state } = row;
    const model = await modelOf(deps, row.playbook_id, row.playbook_version);
    const base = { projectId, projectVersion: project.version, clientId: project.clientId, clientName: state.client.name };
    for (const { step } of model.order) {
      const current = state.steps[step.id];
      if (!current || (current.status !== "open" && current.status !== "in_progress")) continue;
      const owners = [step.owner, ...(step.raci?.responsible ?? []), ...(step.raci ? [step.raci.accountable] : [])];
      // Sign-offs still waiting for one of my roles (a gate's approval already given is not waiting).
      const signOff = (step.gate?.approvers ?? []).filter((role) => roles.has(role) && current.approvals[role]?.decision !== "approved");
      const mine = [...new Set([...owners, ...signOff].filter((role) => roles.has(role)))];
      if (mine.length === 0) continue;
      tasks.push({
        ...base,
        id: `${projectId}/step/${step.id}`,
        kind: "step",
        stepId: step.id,
        taskId: null,
        title: step.title,
        status: current.status,
        roles: mine,
        dueAt: current.dueAt ?? null,
        overdue: isOverdue(current, now),
        signOff,
      });
    }
    for (const task of Object.values(state.tasks)) {
      if (task.doneAt || !roles.has(task.owner)) continue;
      tasks.push({
        ...base,
        id: `${projectId}/task/${task.id}`,
        kind: "task",
        stepId: null,
        taskId: task.id,
        title: task.title,
        status: "open",
        roles: [task.owner],
        dueAt: task.dueAt ?? null,
        overdue: task.dueAt !== undefined && task.dueAt <= now,
        signOff: [],
      });
    }
  }
  return tasks
    .filter(
      (t) =>
        (filter.status === undefined || t.status === filter.status) &&
        (filter.role === undefined || t.roles.includes(filter.role)) &&
        (filter.dueBefore === undefined || (t.dueAt !== null && t.dueAt < filter.dueBefore)) &&
        (filter.overdue === undefined || t.overdue === filter.overdue),
    )
    .sort((a, b) => (before(taskKey(a), taskKey(b)) ? -1 : before(taskKey(b), taskKey(a)) ? 1 : 0));
}

/** The tasks after a cursor's key, in order. */
export function after(tasks: readonly TaskItem[], key: readonly string[] | undefined): TaskItem[] {
  return key === undefined ? [...tasks] : tasks.filter((t) => before(key, taskKey(t)));
}
