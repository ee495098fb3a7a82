// POST /playbooks: upload a playbook version (YAML). It is loaded and linted first, in the draft
// profile: findings come back located (file:line:col, with a fix); with errors (the language, references,
// flow) it is refused (422) and nothing is stored; the SOP quality rules' findings are warnings.
// The same text again is a no-op; different text under a published version is a conflict (409).
// With four-eyes on (PUT /settings/four-eyes), the version is not published but waits for another
// person's approval (202, status "pending"): data/publication-control.ts.

import { join } from "node:path";
import { lintLoaded } from "../../../lint/lint.ts";
import { bundleIncludes } from "../../../playbook/include.ts";
import { loadPlaybook, readProcedureFiles } from "../../../playbook/load.ts";
import { sha256 } from "../../../store/hashing.ts";
import { playbookCache, publishPlaybook } from "../../../store/playbooks.ts";
import { principalOf } from "../../auth/authorization.ts";
import { YAML_TYPES } from "../../content-types.ts";
import { contentHashOf, fileName, recordSource } from "../../data/playbooks.ts";
import { fourEyesSetting, submitVersion } from "../../data/publication-control.ts";
import { storeView } from "../../data/tables.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { idempotent } from "../../idempotency.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { UploadedPlaybook, UploadPlaybookBody, UploadPlaybookHeaders } from "./playbook.types.ts";

export function uploadPlaybook(app: Api, deps: ApiDeps): void {
  app.post(
    "/playbooks",
    {
      config: { access: "playbooks:write" },
      schema: {
        tags: ["playbooks"],
        operationId: "uploadPlaybook",
        summary: "Upload a playbook version (linted; refused with its findings when it has errors)",
        consumes: ["application/json", ...YAML_TYPES],
        headers: UploadPlaybookHeaders,
        body: UploadPlaybookBody,
        response: { 200: UploadedPlaybook, 201: UploadedPlaybook, 202: UploadedPlaybook, ...problemResponses(400, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const file = fileName(request.body.file);
      const written = request.body.source;
      const commit = request.body.commit?.toLowerCase() ?? null;
      const commitAuthor = request.body.commitAuthor ?? null;
      // An include names a procedures file of the server's playbooks folder; the version stored is
      // self-contained (the procedures copied in), so a project never changes under it.
      const procedures = written.includes("include") ? await readProcedureFiles(join(deps.config.playbooksDir, "procedures")) : new Map();
      const loaded = loadPlaybook(file, written, { procedures });
      const source = bundleIncludes(written, procedures);
      const findings = lintLoaded(loaded, { profile: "draft" }).diagnostics.map(({ path: _path, ...finding }) => finding);
      const errors = findings.filter((f) => f.severity === "error");
      const model = loaded.model;
      if (errors.length > 0 || !model) {
        const first = errors[0];
        const where = first ? `; first: ${first.file}:${first.line}:${first.column} ${first.message}` : "";
        throw new HttpProblem("invalid", `the playbook has ${errors.length} error${errors.length === 1 ? "" : "s"}${where}`, {
          extensions: {
            errors: errors.map((e) => ({
              pointer: "/body/source",
              detail: `${e.file}:${e.line}:${e.column} ${e.message}`,
              line: e.line,
              column: e.column,
              rule: e.rule,
              ...(e.fix ? { fix: e.fix } : {}),
            })),
            findings,
          },
        });
      }
      const id = model.playbook.id;
      const version = model.playbook.document.version;
      const now = deps.clock();
      const result = await idempotent(
        deps.db,
        {
          scope: "playbook.upload",
          key: request.headers["idempotency-key"],
          userId: principal.user.id,
          fingerprint: { source, file, commit, commitAuthor },
          now,
        },
        async (trx) => {
          // Four-eyes: the version waits for another person's approval instead of being published.
          if ((await fourEyesSetting(trx)).required) {
            const contentHash = sha256(source);
            const submitted = await submitVersion(
              trx,
              { id, version, source, contentHash, file, by: principal.user.id, commit, commitAuthor },
              now,
            );
            const status = submitted.published ? ("published" as const) : ("pending" as const);
            const submissionId = submitted.submission?.submissionId;
            return {
              response: {
                status: submitted.published ? 200 : 202,
                body: { id, version, contentHash, created: submitted.created, status, ...(submissionId ? { submissionId } : {}), findings },
              },
            };
          }
          const before = await contentHashOf(trx, id, version);
          const published = await publishPlaybook(storeView(trx), playbookCache(deps.database.db), source, { file, now });
          if (before === undefined) {
            await recordSource(trx, { id, version, origin: "upload", file, uploadedBy: principal.user.id, commit, commitAuthor }, now);
          }
          const created = before === undefined;
          return {
            response: {
              status: created ? 201 : 200,
              body: { id, version, contentHash: published.contentHash, created, status: "published" as const, findings },
            },
          };
        },
      );
      if (result.replayed) reply.header("idempotent-replayed", "true");
      if (result.status === 201) reply.header("location", `/playbooks/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`);
      return reply.code(result.status === 201 || result.status === 202 ? result.status : 200).send(result.body);
    },
  );
}
