// POST /portfolio/bulk: one action on several onboardings: reassign a role (the CSM by default),
// put on hold, or set the health. Each project's change is its own engine command, run as the
// caller on the version read just before (so each is audited in the project's chain like one made
// on its page); a refusal on one project is reported for that project and does not stop the rest.
import { z } from "zod";
import type { Command } from "./../../../engine/types.ts";
import { csmRoleOf } from "../../../metrics/summary.ts";
import { actorFor, principalOf } from "../../auth/authorization.ts";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";

const Reason = z.string().trim().min(1, { error: "say why: it goes into each project's audit trail" }).max(2000);
const ProjectIds = z.array(z.string().min(1).max(200)).min(1).max(200).describe("The onboardings to change (1-200).");

export const BulkBody = z.discriminatedUnion("action", [
  z.strictObject({
    action: z.literal("reassign"),
    projects: ProjectIds,
    person: z.string().min(1).max(200).describe("Who takes the role."),
    role: z.string().min(1).max(200).optional().describe("The playbook role (default: each playbook's CSM-like role)."),
  }),
  z.strictObject({ action: z.literal("hold"), projects: ProjectIds, reason: Reason }),
  z.strictObject({ action: z.literal("set_health"), projects: ProjectIds, health: z.enum(["green", "amber", "red"]), reason: Reason }),
]);

export const BulkOutcome = z
  .object({
    changed: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.object({
        projectId: z.string(),
        clientName: z.string().nullable(),
        ok: z.boolean(),
        summary: z.string().describe("What changed, or why not, in words."),
        version: z.number().int().nullable().describe("The project's version after the change."),
      }),
    ),
  })
  .meta({ id: "BulkOutcome" });

const HEALTH_WORDS = { green: "On track", amber: "Watch", red: "At risk" } as const;

export function bulkPortfolio(app: Api, deps: ApiDeps): void {
  app.post(
    "/portfolio/bulk",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["portfolio"],
        operationId: "bulkPortfolio",
        summary: "Reassign, hold or set the health of several onboardings (one audited command each)",
        body: BulkBody,
        response: { 200: BulkOutcome, ...problemResponses(400) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      const results: z.infer<typeof BulkOutcome>["results"] = [];
      const people = new Map<string, string>();
      if (body.action === "reassign") {
        const person = await deps.database.db.selectFrom("people").select(["id", "name"]).where("id", "=", body.person).executeTakeFirst();
        if (person) people.set(person.id, person.name);
      }
      for (const projectId of [...new Set(body.projects)]) {
        let clientName: string | null = null;
        try {
          const project = await deps.service.getProject(projectId);
          clientName = project.state.client.name;
          const model = await modelOf(deps, project.playbook.id, project.playbook.version);
          let command: Command;
          let summary: string;
          if (body.action === "reassign") {
            const role = body.role ?? csmRoleOf(model.playbook);
            if (!role || !model.playbook.roles[role])
              throw new Error(`its playbook has no role ${body.role ? `“${body.role}”` : "like a CSM"}`);
            const title = model.playbook.roles[role]?.title ?? role;
            const before = project.state.assignments[role];
            if (before === body.person) {
              results.push({
                projectId,
                clientName,
                ok: true,
                summary: `${title} was already ${people.get(body.person) ?? body.person}`,
                version: project.version,
              });
              continue;
            }
            command = { type: "assign", role, person: body.person };
            summary = `${title}: ${people.get(body.person) ?? body.person}`;
          } else if (body.action === "hold") {
            command = { type: "hold", reason: body.reason };
            summary = "Put on hold";
          } else {
            if (project.state.health === body.health) {
              results.push({
                projectId,
                clientName,
                ok: true,
                summary: `Health was already ${HEALTH_WORDS[body.health]}`,
                version: project.version,
              });
              continue;
            }
            command = { type: "set_health", health: body.health, reason: body.reason };
            summary = `Health set to ${HEALTH_WORDS[body.health]}`;
          }
          const result = await deps.service.runCommand(projectId, {
            command,
            actor: actorFor(principal, project.state),
            expectedVersion: project.version,
            now: deps.clock(),
          });
          results.push({ projectId, clientName, ok: true, summary, version: result.version });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const code = (error as { code?: unknown }).code;
          const why =
            code === "not_found"
              ? "no such onboarding"
              : code === "forbidden"
                ? "you may not change it"
                : code === "illegal_state"
                  ? `not possible now (${message})`
                  : code === "conflict"
                    ? "someone changed it meanwhile: try again"
                    : message;
          results.push({ projectId, clientName, ok: false, summary: `Not changed: ${why}`, version: null });
        }
      }
      return { changed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
    },
  );
}
