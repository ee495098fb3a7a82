// GET/PUT /settings/four-eyes: whether publishing an uploaded playbook version needs a second
// person's approval (admins only; each change is kept in the setting's append-only history).
import { principalOf } from "../../auth/authorization.ts";
import { fourEyesSetting, setFourEyes } from "../../data/publication-control.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { FourEyesSetting, PutFourEyesBody } from "./publication.types.ts";

export function fourEyesSettingRoutes(app: Api, deps: ApiDeps): void {
  app.get(
    "/settings/four-eyes",
    {
      config: { access: "controls:read" },
      schema: {
        tags: ["settings"],
        operationId: "getFourEyes",
        summary: "Whether a playbook version needs a second person's approval to be published",
        response: { 200: FourEyesSetting },
      },
    },
    async () => fourEyesSetting(deps.db),
  );
  app.put(
    "/settings/four-eyes",
    {
      config: { access: "controls:write" },
      schema: {
        tags: ["settings"],
        operationId: "putFourEyes",
        summary: "Require (or stop requiring) a second person's approval to publish a playbook version",
        body: PutFourEyesBody,
        response: { 200: FourEyesSetting, ...problemResponses(400) },
      },
    },
    async (request) => setFourEyes(deps.db, request.body.required, principalOf(request).user.id, deps.clock()),
  );
}
