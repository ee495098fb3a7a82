// GET /playbooks/:id/versions/:version: one version with its YAML source and its lint findings in
// the draft profile (the SOP quality rules' findings, as warnings, located in the source).
import { lintLoaded } from "../../../lint/lint.ts";
import type { Diagnostic } from "../../../playbook/diagnostics.ts";
import { loadPlaybook } from "../../../playbook/load.ts";
import { getVersion } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { PlaybookSource, VersionParams } from "./playbook.types.ts";

const CACHE_SIZE = 20;
type Findings = Omit<Diagnostic, "path">[];

export function getPlaybookVersion(app: Api, deps: ApiDeps): void {
  // A published version never changes: its findings are kept per content hash and file name.
  const linted = new Map<string, Findings>();
  const findingsOf = (file: string, source: string, hash: string): Findings => {
    const key = `${hash}:${file}`;
    let findings = linted.get(key);
    if (!findings) {
      const report = lintLoaded(loadPlaybook(file, source), { profile: "draft" });
      findings = report.diagnostics.map(({ path: _path, ...finding }) => finding);
      linted.set(key, findings);
      if (linted.size > CACHE_SIZE) linted.delete(linted.keys().next().value as string);
    }
    return findings;
  };
  app.get(
    "/playbooks/:id/versions/:version",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "getPlaybookVersion",
        summary: "One playbook version and its source",
        params: VersionParams,
        response: { 200: PlaybookSource, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id, version } = request.params;
      const found = await getVersion(deps, id, version);
      if (!found) throw new HttpProblem("not_found", `playbook ${id} version ${version} is not published`);
      return { id, ...found, findings: findingsOf(found.file ?? `${id}.yaml`, found.source, found.contentHash) };
    },
  );
}
