// GET /portfolio/steps: the late and due-soon steps across every onboarding in progress, soonest
// deadline first, with the client, the step's title, its owner's role and the person holding it.
// One query over the projects' states (open steps with a deadline inside the horizon), paged by
// keyset on (deadline, project, step); titles and owners come from each playbook version's model.
import { sql } from "kysely";
import { z } from "zod";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, encodeCursor, PageQuery, pageOf } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";

const DAY = 86_400_000;

export const PortfolioStepsQuery = z.object({
  within: z.coerce
    .number()
    .int()
    .min(0)
    .max(90)
    .default(7)
    .describe("Due soon: deadlines up to this many days from now (0: only the late ones)."),
  owner: z.string().min(1).max(200).optional().describe("Only steps whose owning role this person holds."),
  ...PageQuery,
});

export const PortfolioStep = z
  .object({
    projectId: z.string(),
    clientName: z.string(),
    step: z.string(),
    title: z.string(),
    phaseTitle: z.string(),
    status: z.string(),
    dueAt: Instant,
    late: z.boolean().describe("Its deadline has passed."),
    ownerRole: z.string(),
    ownerRoleTitle: z.string(),
    owner: z.object({ id: z.string(), name: z.string() }).nullable().describe("The person holding the owning role (null: unassigned)."),
  })
  .meta({ id: "PortfolioStep" });

export const PortfolioStepPage = pageOf(PortfolioStep).extend({ asOf: Instant });

interface Row {
  project_id: string;
  client_name: string;
  playbook_id: string;
  playbook_version: string;
  assignments: Record<string, string> | string;
  step: string;
  status: string;
  due_at: string;
}

export function listPortfolioSteps(app: Api, deps: ApiDeps): void {
  app.get(
    "/portfolio/steps",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["portfolio"],
        operationId: "listPortfolioSteps",
        summary: "Late and due-soon steps across the onboardings in progress, with their owners",
        querystring: PortfolioStepsQuery,
        response: { 200: PortfolioStepPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { within, owner, limit, cursor } = request.query;
      const now = deps.clock();
      const horizon = new Date(Date.parse(now) + within * DAY).toISOString();
      const list = `portfolio-steps:${within}:${owner ?? ""}`;
      const after = decodeCursor(list, cursor, z.tuple([Instant, z.string(), z.string()]));
      const results: z.infer<typeof PortfolioStep>[] = [];
      let last: readonly [string, string, string] | undefined = after;
      let more = false;
      // An owner filter is decided per playbook (the step's owning role), so read on until a page is full.
      for (let round = 0; round < 20 && results.length <= limit; round++) {
        const { rows } = await sql<Row>`
          SELECT p.id AS project_id, p.state->'client'->>'name' AS client_name, p.playbook_id, p.playbook_version,
                 p.state->'assignments' AS assignments, s.key AS step, s.value->>'status' AS status, s.value->>'dueAt' AS due_at
            FROM projects p CROSS JOIN LATERAL jsonb_each(p.state->'steps') s
           WHERE p.status = 'active'
             AND s.value->>'status' IN ('open', 'in_progress')
             AND s.value ? 'dueAt'
             AND (s.value->>'dueAt')::timestamptz <= ${horizon}::timestamptz
             ${last ? sql`AND ((s.value->>'dueAt')::timestamptz, p.id, s.key) > (${last[0]}::timestamptz, ${last[1]}, ${last[2]})` : sql``}
           ORDER BY (s.value->>'dueAt')::timestamptz, p.id, s.key
           LIMIT ${limit + 1}`.execute(deps.database.db);
        const people = new Map<string, string>();
        const assignmentsOf = (r: Row): Record<string, string> =>
          typeof r.assignments === "string" ? (JSON.parse(r.assignments) as Record<string, string>) : (r.assignments ?? {});
        const ids = [...new Set(rows.flatMap((r) => Object.values(assignmentsOf(r))))];
        if (ids.length > 0)
          for (const p of await deps.database.db.selectFrom("people").select(["id", "name"]).where("id", "in", ids).execute())
            people.set(p.id, p.name);
        for (const r of rows) {
          const dueAt = new Date(r.due_at).toISOString();
          last = [dueAt, r.project_id, r.step];
          const model = await modelOf(deps, r.playbook_id, r.playbook_version);
          const entry = model.steps.get(r.step);
          if (!entry) continue;
          const role = entry.step.owner;
          const holder = assignmentsOf(r)[role];
          if (owner !== undefined && holder !== owner) continue;
          results.push({
            projectId: r.project_id,
            clientName: r.client_name,
            step: r.step,
            title: entry.step.title,
            phaseTitle: entry.phase.title,
            status: r.status,
            dueAt,
            late: dueAt <= now,
            ownerRole: role,
            ownerRoleTitle: model.playbook.roles[role]?.title ?? role,
            owner: holder ? { id: holder, name: people.get(holder) ?? holder } : null,
          });
          if (results.length > limit) break;
        }
        if (rows.length <= limit) break;
      }
      more = results.length > limit;
      const kept = results.slice(0, limit);
      const tail = kept.at(-1);
      return {
        items: kept,
        nextCursor: more && tail ? encodeCursor(list, [tail.dueAt, tail.projectId, tail.step]) : null,
        asOf: now,
      };
    },
  );
}
