// GET /process-log: the event log of a set of projects for process-mining tools, as XES (IEEE 1849)
// or OCEL 2.0 JSON, streamed a batch of projects at a time. It holds who did what on which client's
// onboarding, so it takes the audit trail's permission.
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { ocelLog } from "../../../mining/ocel.ts";
import { casesOf } from "../../../mining/source.ts";
import { xesLog } from "../../../mining/xes.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";

const ProcessLogQuery = z.object({
  format: z.enum(["xes", "ocel"]).default("xes").describe("xes: IEEE 1849 XES (XML); ocel: OCEL 2.0 JSON."),
  playbook: z.string().min(1).max(200).optional().describe("Playbook id."),
  version: z.string().min(1).max(100).optional().describe("Playbook version (with playbook)."),
  csm: z.string().min(1).max(200).optional().describe("Person id of the CSM."),
  segment: z.string().min(1).max(200).optional(),
  from: Instant.optional().describe("Projects that started at or after this instant."),
  to: Instant.optional().describe("Projects that started before this instant."),
});

const FILE_NAME_UNSAFE = /[^A-Za-z0-9._-]+/g;

export function getProcessLog(app: Api, deps: ApiDeps): void {
  app.get(
    "/process-log",
    {
      config: { access: "audit:read" },
      schema: {
        tags: ["kpis"],
        operationId: "getProcessLog",
        summary: "The event log of a set of projects as XES or OCEL 2.0, for process-mining tools",
        description:
          "One trace (XES) or onboarding object (OCEL) per project that matches the filters, with every step's lifecycle " +
          "(opened, started, completed, skipped, left out), the sign-offs and the project's milestones: when, who and in which role.",
        querystring: ProcessLogQuery,
        response: {
          200: z.string().describe("application/xml (XES) or application/json (OCEL 2.0), sent as an attachment."),
          ...problemResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const now = deps.clock();
      const scope = [filter.playbook, filter.version].filter((x) => x !== undefined).join("-") || "all";
      const file = `onboard-${scope}-${now.slice(0, 10)}`.replace(FILE_NAME_UNSAFE, "_");
      const cases = casesOf(deps.database.db, filter);
      const body =
        format === "ocel"
          ? ocelLog(cases)
          : xesLog(cases, {
              name: `Onboard: ${filter.playbook ?? "all playbooks"}${filter.version ? ` ${filter.version}` : ""}`,
              generatedAt: now,
            });
      return (reply as FastifyReply)
        .header("content-type", format === "ocel" ? "application/json; charset=utf-8" : "application/xml; charset=utf-8")
        .header("content-disposition", `attachment; filename="${file}.${format === "ocel" ? "jsonocel" : "xes"}"`)
        .header("cache-control", "no-store")
        .send(Readable.from(body));
    },
  );
}
