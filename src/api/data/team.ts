// A project's team: who holds each internal role, and everyone who could, with their current load
// (active projects they hold a role on, and the open steps those roles own). One query for the
// roles held across active projects; the step count reads each project's state once.
import type { ProjectState } from "../../engine/types.ts";
import type { ApiDeps } from "../deps.ts";
import { modelOf } from "./playbooks.ts";

export interface Load {
  readonly openProjects: number;
  readonly openSteps: number;
}

/** Each person's load, by person id. */
export async function loadOfPeople(deps: ApiDeps): Promise<Map<string, Load>> {
  const rows = await deps.db
    .selectFrom("project_roles as r")
    .innerJoin("projects as p", "p.id", "r.project_id")
    .select(["r.person_id", "r.role", "r.project_id", "p.state", "p.playbook_id", "p.playbook_version"])
    .where("p.status", "=", "active")
    .execute();
  const projects = new Map<string, Set<string>>();
  const steps = new Map<string, number>();
  for (const row of rows) {
    const held = projects.get(row.person_id) ?? new Set<string>();
    held.add(row.project_id);
    projects.set(row.person_id, held);
    const model = await modelOf(deps, row.playbook_id, row.playbook_version);
    const state = row.state as ProjectState;
    let open = 0;
    for (const { step } of model.order) {
      const status = state.steps[step.id]?.status;
      if (step.owner === row.role && (status === "open" || status === "in_progress")) open++;
    }
    steps.set(row.person_id, (steps.get(row.person_id) ?? 0) + open);
  }
  const load = new Map<string, Load>();
  for (const [id, held] of projects) load.set(id, { openProjects: held.size, openSteps: steps.get(id) ?? 0 });
  return load;
}
