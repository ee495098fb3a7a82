// The assignment directory: people, the playbook roles they can fill, the attributes assignment
// rules match on (territory, segment ...) and their capacity. Their load (active projects) is
// counted from the database when a project starts, so capacity and least-loaded picks are real.
import { type Kysely, sql } from "kysely";
import type { Person } from "../engine/assignment.ts";
import type { Instant } from "../engine/types.ts";
import { AppError } from "./errors.ts";
import type { Schema } from "./schema.ts";
import { fromDbOptional } from "./time.ts";

export interface PersonInput {
  readonly id: string;
  readonly name: string;
  /** Playbook role ids this person can fill. */
  readonly roles: readonly string[];
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  /** Active projects this person can hold; none: the role's capacity (or no limit). */
  readonly capacity?: number | null;
  /** Inactive people stay in the directory (and on their projects) but get no new assignments. */
  readonly active?: boolean;
}

export interface PersonRecord extends Person {
  readonly active: boolean;
}

/** The most active projects one person can be given. */
export const MAX_CAPACITY = 10_000;

export async function upsertPerson(db: Kysely<Schema>, person: PersonInput, now: Instant): Promise<void> {
  if (!person.id.trim()) throw new AppError("invalid", "a person needs an id", { field: "id" });
  // The column is a PostgreSQL integer: beyond MAX_CAPACITY the insert itself would fail.
  if (person.capacity != null && (!Number.isInteger(person.capacity) || person.capacity < 0 || person.capacity > MAX_CAPACITY)) {
    throw new AppError("invalid", `capacity is a whole number of projects, 0 to ${MAX_CAPACITY}`, { field: "capacity" });
  }
  const values = {
    name: person.name,
    roles: JSON.stringify(person.roles),
    attributes: JSON.stringify(person.attributes ?? {}),
    capacity: person.capacity ?? null,
    active: person.active ?? true,
    updated_at: now,
  };
  await db
    .insertInto("people")
    .values({ id: person.id, ...values, created_at: now })
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
}

interface LoadRow {
  id: string;
  name: string;
  roles: string[];
  attributes: Record<string, string | string[]>;
  capacity: number | null;
  active: boolean;
  active_projects: number;
  last_assigned_at: Date | null;
}

async function withLoad(db: Kysely<Schema>, onlyActive: boolean): Promise<PersonRecord[]> {
  const { rows } = await sql<LoadRow>`
    SELECT p.id, p.name, p.roles, p.attributes, p.capacity, p.active,
           coalesce(l.active_projects, 0) AS active_projects, l.last_assigned_at
      FROM people p
      LEFT JOIN (
        SELECT r.person_id,
               count(DISTINCT r.project_id) FILTER (WHERE pj.status = 'active')::int AS active_projects,
               max(r.assigned_at) AS last_assigned_at
          FROM project_roles r JOIN projects pj ON pj.id = r.project_id
         GROUP BY r.person_id
      ) l ON l.person_id = p.id
     WHERE ${onlyActive ? sql`p.active` : sql`true`}
     ORDER BY p.id`.execute(db);
  return rows.map((r) => ({
    ...listed(r),
    activeProjects: r.active_projects,
    ...(r.last_assigned_at ? { lastAssignedAt: fromDbOptional(r.last_assigned_at) } : {}),
  }));
}

type Listed = Omit<PersonRecord, "activeProjects" | "lastAssignedAt">;

const listed = (r: Pick<LoadRow, "id" | "name" | "roles" | "attributes" | "capacity" | "active">): Listed => ({
  id: r.id,
  name: r.name,
  roles: r.roles,
  attributes: r.attributes,
  ...(r.capacity === null ? {} : { capacity: r.capacity }),
  active: r.active,
});

/** Everyone in the directory with their current load. */
export function listPeople(db: Kysely<Schema>): Promise<PersonRecord[]> {
  return withLoad(db, false);
}

/** Everyone in the directory, without their load (which counts every project's roles). */
export async function directory(db: Kysely<Schema>): Promise<Listed[]> {
  const rows = await db.selectFrom("people").select(["id", "name", "roles", "attributes", "capacity", "active"]).orderBy("id").execute();
  return rows.map(listed);
}

/** The people assignment may choose from, as the engine wants them. */
export function assignablePeople(db: Kysely<Schema>): Promise<Person[]> {
  return withLoad(db, true);
}

/** Keep project_roles equal to the state's assignments (called under the project row lock). */
export async function syncProjectRoles(
  trx: Kysely<Schema>,
  projectId: string,
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  now: Instant,
): Promise<void> {
  const removed = Object.keys(before).filter((role) => !(role in after));
  const changed = Object.entries(after).filter(([role, person]) => before[role] !== person);
  if (removed.length > 0) await trx.deleteFrom("project_roles").where("project_id", "=", projectId).where("role", "in", removed).execute();
  if (changed.length === 0) return;
  await trx
    .insertInto("project_roles")
    .values(changed.map(([role, person]) => ({ project_id: projectId, role, person_id: person, assigned_at: now })))
    .onConflict((oc) =>
      oc
        .columns(["project_id", "role"])
        .doUpdateSet((eb) => ({ person_id: eb.ref("excluded.person_id"), assigned_at: eb.ref("excluded.assigned_at") })),
    )
    .execute();
}
