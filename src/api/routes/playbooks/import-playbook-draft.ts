// POST /playbooks/drafts?file=sop.docx: turns a procedure written elsewhere (a BPMN model from
// Camunda Modeler or bpmn.io, a Markdown or Word SOP) into a draft playbook. Nothing is stored: the
// author reviews the draft with the importer's notes and the draft's lint findings, completes it, and
// uploads it (POST /playbooks) like any other version.

import type { importDocument } from "../../../interchange/import.ts";
import { lintLoaded } from "../../../lint/lint.ts";
import { loadPlaybook } from "../../../playbook/load.ts";
import { getPlaybook } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { DRAFT_BODY_LIMIT, DRAFT_TYPES } from "./draft-scope.ts";
import { DraftQuery, PlaybookDraft } from "./playbook.types.ts";

function draftFileName(imported: string, id: string | undefined): string {
  if (id) return `${id}.yaml`;
  const base = imported.replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "");
  return `${
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "draft"
  }.yaml`;
}

export function importPlaybookDraft(app: Api, deps: ApiDeps): void {
  app.post(
    "/playbooks/drafts",
    {
      config: { access: "playbooks:write" },
      bodyLimit: DRAFT_BODY_LIMIT,
      schema: {
        tags: ["playbooks"],
        operationId: "importPlaybookDraft",
        summary: "Turn a BPMN model or an SOP document (Markdown, Word) into a draft playbook",
        description:
          "The body is the file, sent as is (at most 10 MB) with a Content-Type of " +
          `${DRAFT_TYPES.join(", ")}; the file name's extension says how it is read. Nothing is stored.`,
        querystring: DraftQuery,
        response: { 200: PlaybookDraft, ...problemResponses(400, 413, 415, 422) },
      },
    },
    async (request) => {
      const body = request.body;
      if (!(body instanceof Uint8Array))
        throw new HttpProblem("unsupported_media_type", `send the file itself as ${DRAFT_TYPES.join(", ")}`);
      const file = request.query.file;
      // The importers (Word, BPMN, Markdown readers) load with the first import, not at start.
      const interchange = await import("../../../interchange/import.ts");
      let imported: Awaited<ReturnType<typeof importDocument>>;
      try {
        imported = await interchange.importDocument(file, body, deps.clock().slice(0, 10));
      } catch (error) {
        if (!(error instanceof interchange.ImportRefused)) throw error;
        throw new HttpProblem(error.reason === "unsupported" ? "unsupported_media_type" : "invalid", error.message, {
          extensions: { errors: [{ pointer: error.reason === "unsupported" ? "/query/file" : "/body", detail: error.message }] },
        });
      }
      const loaded = loadPlaybook(draftFileName(file, undefined), imported.yaml);
      const draftFile = draftFileName(file, loaded.model?.playbook.id);
      const findings = lintLoaded(loadPlaybook(draftFile, imported.yaml), { profile: "draft" }).diagnostics.map(
        ({ path: _path, ...finding }) => finding,
      );
      // A document ID that is already a playbook's (a team's copy of a built-in SOP, say): publishing
      // the draft as it is would make it a new version of that playbook, or be refused as a change
      // under a published version. Said first, with the way out.
      const id = loaded.model?.playbook.id;
      const existing = id === undefined ? undefined : await getPlaybook(deps, id);
      const notes = [...imported.findings];
      if (existing && id !== undefined)
        notes.unshift({
          line: 1,
          element: "id",
          severity: "warning",
          message: `the draft's id "${id}" is already the playbook "${existing.title}" (version ${existing.latestVersion}): change id: to publish it as a playbook of its own; keep it only to make this a new version of that one (raise document.version)`,
        });
      return { format: imported.format, file: draftFile, source: imported.yaml, notes, findings };
    },
  );
}
