// PUT /settings/parameters: set some of the organisation's values for playbook parameters (an
// empty value removes one; the others stay). Who and when are kept with the setting.
import { principalOf } from "../../auth/authorization.ts";
import { mergeParameterValues, ParameterValues } from "../../data/settings.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";

export function putParametersRoute(app: Api, deps: ApiDeps): void {
  app.put(
    "/settings/parameters",
    {
      config: { access: "settings:write" },
      schema: {
        tags: ["settings"],
        operationId: "putParameterValues",
        summary: "Set the organisation's values for playbook parameters",
        body: ParameterValues,
        response: { 200: ParameterValues, ...problemResponses(400) },
      },
    },
    async (request) => mergeParameterValues(deps.db, request.body, principalOf(request).user.id, deps.clock()),
  );
}
