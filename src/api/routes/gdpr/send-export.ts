// How an export leaves: JSON as typed, or CSV as one long table; always a download with a file name,
// never cached; and each one logged (who exported whom, when, in which format) for the auditor.
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ExportRow, exportCsv, exportFileName } from "../../../compliance/export.ts";
import type { ApiDeps } from "../../deps.ts";

export function sendExport(
  deps: ApiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  subject: { kind: "contact" | "client"; id: string; by: string },
  format: "json" | "csv",
  body: { json: unknown; rows: () => ExportRow[] },
): FastifyReply {
  const day = deps.clock().slice(0, 10);
  request.log.info(
    { personalDataExport: { subject: subject.kind, id: subject.id, format, by: subject.by, at: deps.clock() } },
    `personal data of ${subject.kind} ${subject.id} exported as ${format} by ${subject.by}`,
  );
  reply
    .header("content-disposition", `attachment; filename="${exportFileName(subject.kind, subject.id, day, format)}"`)
    .header("cache-control", "no-store");
  if (format === "csv") return reply.header("content-type", "text/csv; charset=utf-8; header=present").send(exportCsv(body.rows()));
  return reply.header("content-type", "application/json; charset=utf-8").send(body.json);
}
