// GET /settings/parameters: the organisation's values for playbook parameters (company name,
// support address ...), which templates use where a project has none of its own.
import { getParameterValues, ParameterValues } from "../../data/settings.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";

export function getParametersRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/settings/parameters",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["settings"],
        operationId: "getParameterValues",
        summary: "The organisation's values for playbook parameters",
        response: { 200: ParameterValues },
      },
    },
    async () => getParameterValues(deps.db),
  );
}
