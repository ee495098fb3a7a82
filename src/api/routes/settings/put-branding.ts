// PUT /settings/branding: set the vendor's name, colour, logo and support address for the portal.
import { principalOf } from "../../auth/authorization.ts";
import { Branding, putBranding } from "../../data/settings.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";

export function putBrandingRoute(app: Api, deps: ApiDeps): void {
  app.put(
    "/settings/branding",
    {
      config: { access: "settings:write" },
      schema: {
        tags: ["settings"],
        operationId: "putBranding",
        summary: "Set the portal's branding",
        body: Branding,
        response: { 200: Branding, ...problemResponses(400) },
      },
    },
    async (request) => {
      await putBranding(deps.db, request.body, principalOf(request).user.id, deps.clock());
      return request.body;
    },
  );
}
