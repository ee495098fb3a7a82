// GET /playbooks/:id/versions/:version/export?format=bpmn|docx|pdf|md: a published version leaves as
// a file: its BPMN 2.0 model with the diagram (for Camunda Modeler, bpmn.io, a process repository),
// or its SOP document in Word, PDF or Markdown. A published version never changes, so each file is
// made once per content hash and kept (a few, in memory). Word's process maps are pictures when the
// server has Chromium, Mermaid text otherwise (said in a header); PDF needs Chromium (503 without).
import type { FastifyReply } from "fastify";
import { chromiumInstalled } from "../../../render/chromium-path.ts";
import { contentHashOf, modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ExportQuery, VersionParams } from "./playbook.types.ts";

const CACHE_SIZE = 20;

const TYPES = {
  bpmn: { contentType: "application/bpmn+xml; charset=utf-8", extension: "bpmn" },
  docx: { contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extension: "docx" },
  pdf: { contentType: "application/pdf", extension: "pdf" },
  md: { contentType: "text/markdown; charset=utf-8", extension: "md" },
} as const;

type ExportFormat = keyof typeof TYPES;

interface Made {
  readonly bytes: Buffer;
  readonly note?: string;
}

/** A file name safe in a Content-Disposition header: the id and version, nothing a browser would misread. */
function fileNameOf(id: string, version: string, format: ExportFormat): string {
  return `${`${id}-${version}`.replace(/[^A-Za-z0-9._-]+/g, "_")}.${TYPES[format].extension}`;
}

export function exportPlaybookVersion(app: Api, deps: ApiDeps): void {
  const made = new Map<string, Promise<Made>>();
  const make = async (id: string, version: string, format: ExportFormat): Promise<Made> => {
    const model = await modelOf(deps, id, version);
    // The renderers (Word, PDF) and the BPMN writer load with the first download, not at start.
    const { renderPlaybook } = await import("../../../render/render.ts");
    if (format === "bpmn") {
      const { exportBpmn } = await import("../../../interchange/bpmn-export/index.ts");
      const { xml, untranslated } = await exportBpmn(model);
      // A criterion kept as CEL text runs nowhere but Onboard: said, as the CLI says it.
      const note =
        untranslated.length > 0 ? `kept as CEL text (a BPMN engine cannot evaluate them): ${untranslated.join("; ")}` : undefined;
      return { bytes: Buffer.from(xml, "utf8"), ...(note ? { note } : {}) };
    }
    if (format === "md") return { bytes: Buffer.from(String((await renderPlaybook(model, "md")).output), "utf8") };
    if (!chromiumInstalled()) {
      if (format === "pdf")
        throw new HttpProblem("unavailable", "this server has no Chromium to print PDF: download Word or Markdown, or install chromium");
      const rendered = await renderPlaybook(model, "docx");
      return { bytes: Buffer.from(rendered.output as Uint8Array), note: "no Chromium on the server: the process maps are Mermaid text" };
    }
    const { launchChromium } = await import("../../../render/chromium.ts");
    const browser = await launchChromium();
    try {
      return { bytes: Buffer.from((await renderPlaybook(model, format, { browser })).output as Uint8Array) };
    } finally {
      await browser.close();
    }
  };
  app.get(
    "/playbooks/:id/versions/:version/export",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "exportPlaybookVersion",
        summary: "The version as a file: its BPMN 2.0 model, or its SOP in Word, PDF or Markdown",
        params: VersionParams,
        querystring: ExportQuery,
        produces: Object.values(TYPES).map((t) => t.contentType.split(";")[0] ?? t.contentType),
        // The file's bytes, not a JSON body: sent past the response schema, which documents the errors.
        response: { ...problemResponses(404, 503) },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params;
      const format = request.query.format;
      const hash = await contentHashOf(deps.db, id, version);
      if (hash === undefined) throw new HttpProblem("not_found", `playbook ${id} version ${version} is not published`);
      const key = `${hash}:${format}`;
      let file = made.get(key);
      if (!file) {
        file = make(id, version, format);
        file.catch(() => made.delete(key));
        made.set(key, file);
        if (made.size > CACHE_SIZE) made.delete(made.keys().next().value as string);
      }
      const { bytes, note } = await file;
      // A header carries Latin-1 only: the note's other characters become "?".
      if (note) reply.header("x-onboard-note", note.replace(/[^\x20-\x7e]/g, "?"));
      // The file's bytes, not a JSON body: sent past the response schema, which documents the errors.
      return (reply as FastifyReply)
        .header("content-type", TYPES[format].contentType)
        .header("content-disposition", `attachment; filename="${fileNameOf(id, version, format)}"`)
        .header("x-content-type-options", "nosniff")
        .header("etag", `"${hash}-${format}"`)
        .header("cache-control", "private, max-age=300")
        .send(bytes);
    },
  );
}
