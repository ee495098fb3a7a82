// GET /projects/:id/team: who holds each internal role of the project, everyone who could with
// their current load, and every assignment so far (the ownership transfers of the audit trail).
import { listPeople } from "../../../store/index.ts";
import { modelOf } from "../../data/playbooks.ts";
import { loadOfPeople } from "../../data/team.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { ProjectParams } from "./project.types.ts";
import { ProjectTeam } from "./team.types.ts";

export function getTeam(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/team",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getProjectTeam",
        summary: "The project's team, the candidates for each role with their load, and the ownership transfers",
        params: ProjectParams,
        response: { 200: ProjectTeam, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const project = await deps.service.getProject(request.params.id);
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      const [people, load, users, events] = await Promise.all([
        listPeople(deps.database.db),
        loadOfPeople(deps),
        deps.db.selectFrom("users").select(["id", "name"]).execute(),
        deps.db
          .selectFrom("events")
          .select(["seq", "at", "actor", "payload"])
          .where("project_id", "=", project.id)
          .where("type", "=", "role.assigned")
          .orderBy("seq", "desc")
          .execute(),
      ]);
      const names = new Map<string, string>([...users.map((u) => [u.id, u.name] as const), ...people.map((p) => [p.id, p.name] as const)]);
      const who = (id: string) => ({ id, name: names.get(id) ?? (id === "system" ? "Onboard" : id) });
      const roles = Object.entries(model.playbook.roles)
        // A system role is held by a service account (an automation), assigned like a person.
        .filter(([, def]) => def.side !== "client")
        .map(([role, def]) => {
          const holder = project.state.assignments[role];
          const candidates = people
            .filter((p) => p.active || p.id === holder)
            .map((p) => ({
              id: p.id,
              name: p.name,
              canFill: p.roles.includes(role),
              openProjects: load.get(p.id)?.openProjects ?? 0,
              openSteps: load.get(p.id)?.openSteps ?? 0,
              capacity: p.capacity ?? null,
            }))
            .sort(
              (a, b) =>
                Number(b.canFill) - Number(a.canFill) ||
                a.openProjects - b.openProjects ||
                a.openSteps - b.openSteps ||
                a.name.localeCompare(b.name),
            );
          return { role, title: def.title, assignee: holder ? who(holder) : null, candidates };
        });
      const transfers = events.map((e) => {
        const payload = e.payload as { role?: unknown; person?: unknown; previous?: unknown };
        const role = String(payload.role ?? "");
        return {
          seq: e.seq,
          at: e.at.toISOString(),
          role,
          roleTitle: model.playbook.roles[role]?.title ?? role,
          from: typeof payload.previous === "string" ? who(payload.previous) : null,
          to: who(String(payload.person ?? "")),
          by: who(e.actor),
        };
      });
      reply.header("etag", etag(project.version));
      return { projectId: project.id, version: project.version, roles, transfers };
    },
  );
}
