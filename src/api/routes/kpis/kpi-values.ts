// POST and GET /kpis/{playbook}/{kpi}/values: the values of a manual KPI that a person records, for
// a period (every client of the playbook) or for one client's project, with who recorded each and
// when. Values are never edited or deleted: a correction is a newer value, and GET lists them all.
import { sql } from "kysely";
import { z } from "zod";
import { listKpiValues, recordKpiValue } from "../../../metrics/kpi-values.ts";
import { isManual } from "../../../metrics/kpis.ts";
import { latestPlaybook } from "../../../metrics/projection.ts";
import type { Kpi } from "../../../playbook/schema.ts";
import { AppError } from "../../../store/index.ts";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";

const Day = z.iso.date({ error: "a date, YYYY-MM-DD" }).refine((d) => d >= "0001-01-01", { error: "a date from the year 0001 on" });

export const KpiValue = z
  .object({
    id: z.string(),
    playbook: z.string(),
    kpi: z.string(),
    value: z.number(),
    period: z.object({ from: z.string(), to: z.string() }).nullable().describe("The period it was measured over (first and last day)."),
    project: z.string().nullable().describe("The client's project it was measured for."),
    note: z.string().nullable(),
    recordedBy: z.string().describe("Who recorded it (the account's id)."),
    recordedAt: Instant,
  })
  .meta({ id: "KpiValue" });

export const RecordKpiValueBody = z
  .strictObject({
    value: z
      .number({ error: "a number" })
      .refine(Number.isFinite, { error: "a finite number" })
      .describe("The measured value, in the KPI target's unit."),
    period: z
      .strictObject({ from: Day, to: Day })
      .refine((p) => p.from <= p.to, { error: "the period ends before it starts", path: ["to"] })
      .optional()
      .describe("The period measured (first and last day, both included), for a figure of every client."),
    project: z.string().min(1).max(200).optional().describe("The client's project measured, for a figure of one client."),
    note: z.string().trim().max(2000, { error: "at most 2000 characters" }).optional().describe("Where the figure comes from."),
  })
  .refine((b) => (b.period === undefined) !== (b.project === undefined), {
    error: "give either a period or a project",
    path: ["period"],
  });

const Params = z.object({
  playbook: z.string().min(1).max(200),
  kpi: z.string().min(1).max(200),
});

async function manualKpi(deps: ApiDeps, playbook: string, id: string): Promise<Kpi> {
  const model = await latestPlaybook(deps.database.db, playbook);
  if (!model) throw new AppError("not_found", `no playbook "${playbook}"`, { playbookId: playbook });
  const kpi = model.playbook.kpis.find((k) => k.id === id);
  if (!kpi) throw new AppError("not_found", `playbook "${playbook}" has no KPI "${id}"`, { kpi: id });
  return kpi;
}

export function recordKpiValueRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/kpis/:playbook/:kpi/values",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["kpis"],
        operationId: "recordKpiValue",
        summary: "Record a value of a manual KPI, for a period or a client's project",
        params: Params,
        body: RecordKpiValueBody,
        response: { 201: KpiValue, ...problemResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const { playbook, kpi: id } = request.params;
      const kpi = await manualKpi(deps, playbook, id);
      if (!isManual(kpi))
        throw new AppError(
          "invalid",
          `KPI "${id}" is measured from the project log (${kpi.metric}); only manual KPIs take recorded values`,
          {
            kpi: id,
          },
        );
      const body = request.body;
      if (body.project !== undefined) {
        const { rows } = await sql<{ playbook_id: string }>`SELECT playbook_id FROM projects WHERE id = ${body.project}`.execute(
          deps.database.db,
        );
        const project = rows[0];
        if (!project) throw new AppError("invalid", `no project "${body.project}"`, { field: "project" });
        if (project.playbook_id !== playbook)
          throw new AppError("invalid", `project "${body.project}" runs playbook "${project.playbook_id}", not "${playbook}"`, {
            field: "project",
          });
      }
      const recorded = await recordKpiValue(deps.database.db, {
        playbook,
        kpi: id,
        value: body.value,
        period: body.period,
        project: body.project,
        note: body.note,
        recordedBy: principalOf(request).user.id,
        recordedAt: deps.clock(),
      });
      return reply.code(201).send(recorded);
    },
  );
}

export function listKpiValuesRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/kpis/:playbook/:kpi/values",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["kpis"],
        operationId: "listKpiValues",
        summary: "The values recorded for a manual KPI, newest first (its history)",
        params: Params,
        querystring: z.object({ project: z.string().min(1).max(200).optional() }),
        response: { 200: z.object({ items: z.array(KpiValue) }), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { playbook, kpi } = request.params;
      await manualKpi(deps, playbook, kpi);
      return { items: await listKpiValues(deps.database.db, playbook, kpi, request.query.project) };
    },
  );
}
