// PUT /projects/:id/team/:role: assign or reassign a person to one of the project's internal roles.
// The engine's `assign` command records it in the audit trail as role.assigned with the previous
// holder (an ownership transfer from → to), in the same transaction as the new state. The
// permission (projects:assign: CSMs, CS operations, admins) is checked here at the edge; the engine
// then runs the assignment as a manager's.

import { listPeople } from "../../../store/index.ts";
import { actorFor, principalOf } from "../../auth/authorization.ts";
import { modelOf } from "../../data/playbooks.ts";
import { eventView } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";
import { CommandOutcome } from "./command.types.ts";
import { AssignBody, AssignHeaders, TeamRoleParams } from "./team.types.ts";

export function assignRole(app: Api, deps: ApiDeps): void {
  app.put(
    "/projects/:id/team/:role",
    {
      config: { access: "projects:assign" },
      schema: {
        tags: ["projects"],
        operationId: "assignRole",
        summary: "Assign or reassign a person to an internal role of the project (needs If-Match)",
        params: TeamRoleParams,
        headers: AssignHeaders,
        body: AssignBody,
        response: { 200: CommandOutcome, ...problemResponses(400, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expectedVersion = requiredVersion(request.headers["if-match"]);
      const { id, role } = request.params;
      const project = await deps.service.getProject(id);
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      const def = model.playbook.roles[role];
      if (!def) throw new HttpProblem("not_found", `the playbook has no role "${role}"`);
      // Internal roles are people's; a system role (a risk engine) is held by a service account.
      if (def.side === "client") throw fieldProblem("/params/role", `${def.title} is the client's: its contacts hold it`);
      const person = (await listPeople(deps.database.db)).find((p) => p.id === request.body.person);
      if (!person) throw fieldProblem("/body/person", `nobody in the directory has the id "${request.body.person}"`);
      if (!person.active && project.state.assignments[role] !== person.id)
        throw fieldProblem("/body/person", `${person.name} is inactive and takes no new assignments`);
      const result = await deps.service
        .runCommand(id, {
          command: { type: "assign", role, person: person.id },
          actor: { ...actorFor(principal, project.state), manager: true },
          expectedVersion,
          now: deps.clock(),
        })
        .catch((error: unknown) => {
          throw preconditionFailed(error);
        });
      reply.header("etag", etag(result.version));
      return {
        projectId: result.projectId,
        version: result.version,
        status: result.status,
        nextWakeAt: result.nextWakeAt ?? null,
        events: result.events.map(eventView),
        effects: result.effects.map((e) => ({ ...e })),
        replayed: result.replayed,
      };
    },
  );
}
