// "My tasks": across the active projects where the signed-in person holds playbook roles, the open
// steps whose owner or RACI (responsible, accountable) is one of those roles, and the engine's
// tasks (cadence occurrences, rule-created tasks) owned by them. Sorted by due date, soonest first.
import { type Kysely, type Selectable, sql } from "kysely";
import type { Instant } from "../../engine/types.ts";
import { type OpenWorkTable, openWorkDb } from "../../metrics/open-work-projection.ts";
import type { Schema } from "../../store/schema.ts";

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

/**
 * One page of my tasks (`limit` rows, one more to tell whether a next page exists) after the cursor's
 * key: a single query over the open-work read model, joined with the roles the person holds on each
 * active project, filtered, ordered and cut by the database, so its cost follows the page and the
 * person's open work, not the size of their projects' states.
 */
export async function myTasks(
  store: Kysely<Schema>,
  personId: string,
  filter: TaskFilter,
  now: Instant,
  page: { readonly after?: readonly string[]; readonly limit: number },
): Promise<TaskItem[]> {
  const db = openWorkDb(store);
  const overdue = sql<boolean>`(w.overdue_at IS NOT NULL OR coalesce(w.due_at <= ${now}, false))`;
  const conditions = [sql`true`];
  if (filter.projectId !== undefined) conditions.push(sql`w.project_id = ${filter.projectId}`);
  if (filter.status !== undefined) conditions.push(sql`w.status = ${filter.status}`);
  if (filter.dueBefore !== undefined) conditions.push(sql`w.due_at < ${filter.dueBefore}`);
  if (filter.overdue !== undefined) conditions.push(filter.overdue ? overdue : sql`NOT ${overdue}`);
  if (page.after !== undefined) {
    // The sort key is (due date, undated last; project; item), compared byte by byte as JavaScript does.
    const [due = "~", project = "", id = ""] = page.after;
    const item = id.slice(project.length + 1);
    const rest = sql`(w.project_id COLLATE "C", w.item_id COLLATE "C") > (${project}, ${item})`;
    conditions.push(
      due === "~" ? sql`(w.due_at IS NULL AND ${rest})` : sql`(w.due_at > ${due} OR w.due_at IS NULL OR (w.due_at = ${due} AND ${rest}))`,
    );
  }
  const role = filter.role === undefined ? sql`true` : sql`bool_or(r.role = ${filter.role})`;
  const { rows } = await sql<
    Omit<Selectable<OpenWorkTable>, "overdue_at" | "status"> & {
      status: TaskItem["status"];
      overdue: boolean;
      version: number;
      client_id: string;
      held: string[];
    }
  >`
    SELECT w.project_id, w.item_id, w.step_id, w.task_id, w.client_name, w.title, w.status, w.roles,
           w.sign_off, w.due_at, ${overdue} AS overdue, p.version, p.client_id, array_agg(r.role) AS held
      FROM project_roles r
      JOIN open_work w ON w.project_id = r.project_id AND r.role = ANY (w.roles)
      JOIN projects p ON p.id = r.project_id AND p.status = 'active'
     WHERE r.person_id = ${personId} AND ${sql.join(conditions, sql` AND `)}
     GROUP BY w.project_id, w.item_id, p.version, p.client_id
    HAVING ${role}
     ORDER BY w.due_at NULLS LAST, w.project_id COLLATE "C", w.item_id COLLATE "C"
     LIMIT ${page.limit}`.execute(db);
  return rows.map((row) => {
    const held = new Set(row.held);
    return {
      id: `${row.project_id}/${row.item_id}`,
      kind: row.step_id !== null ? "step" : "task",
      projectId: row.project_id,
      projectVersion: row.version,
      clientId: row.client_id,
      clientName: row.client_name,
      stepId: row.step_id,
      taskId: row.task_id,
      title: row.title,
      status: row.status,
      roles: row.roles.filter((r) => held.has(r)),
      dueAt: row.due_at === null ? null : new Date(row.due_at).toISOString(),
      overdue: row.overdue,
      signOff: row.sign_off.filter((r) => held.has(r)),
    };
  });
}
