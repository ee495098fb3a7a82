// GET /playbooks/:id/versions/:version: one version with its YAML source and its lint findings in
// the draft profile (the SOP quality rules' findings, as warnings, located in the source).
import { lintLoaded } from "../../../lint/lint.ts";
import { loadPlaybook } from "../../../playbook/load.ts";
import { getVersion } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { PlaybookSource, VersionParams } from "./playbook.types.ts";

export function getPlaybookVersion(app: Api, deps: ApiDeps): void {
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
      const report = lintLoaded(loadPlaybook(found.file ?? `${id}.yaml`, found.source), { profile: "draft" });
      const findings = report.diagnostics.map(({ path: _path, ...finding }) => finding);
      return { id, ...found, findings };
    },
  );
}
