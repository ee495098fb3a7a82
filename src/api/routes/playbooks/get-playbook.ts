// GET /playbooks/:id: one playbook and its revision history (every version, oldest first, with who
// published it and from which commit). `onboard publish` reads it to diff against the latest version.
import { getPlaybook } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { DiffParams, Playbook } from "./playbook.types.ts";

export function getPlaybookRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/playbooks/:id",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "getPlaybook",
        summary: "One playbook and its versions (the revision history)",
        params: DiffParams,
        response: { 200: Playbook, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const found = await getPlaybook(deps, id);
      if (!found) throw new HttpProblem("not_found", `no playbook has the id "${id}"`);
      return { ...found, versions: [...found.versions] };
    },
  );
}
