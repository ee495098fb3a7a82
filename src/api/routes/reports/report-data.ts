// The content of a project's report: the saved edits if someone saved them, else a draft pre-filled
// from the project's events (src/metrics/reports.ts).
import type { ProjectState } from "../../../engine/types.ts";
import { modelFor, summaryFromEvents } from "../../../metrics/projection.ts";
import { draftReport, type ReportContent, type ReportKind } from "../../../metrics/reports.ts";
import { metricsDb } from "../../../metrics/tables.ts";
import type { ApiDeps } from "../../deps.ts";

export async function reportOf(
  deps: ApiDeps,
  projectId: string,
  kind: ReportKind,
): Promise<{ content: ReportContent; edited: { by: string; at: string } | null }> {
  const project = await deps.service.getProject(projectId);
  const saved = await metricsDb(deps.database.db)
    .selectFrom("project_reports")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("kind", "=", kind)
    .executeTakeFirst();
  if (saved) return { content: saved.content as ReportContent, edited: { by: saved.edited_by, at: saved.edited_at.toISOString() } };
  const state = project.state as ProjectState;
  const model = await modelFor(deps.database.db, project.playbook);
  const events = (await deps.service.listEvents(projectId)).map((e) => e.event);
  const now = deps.clock();
  const { summary, stats } = summaryFromEvents(model, state, events, now);
  return { content: draftReport(kind, model, state, summary, stats, now), edited: null };
}
