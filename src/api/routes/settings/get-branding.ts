// GET /settings/branding: the vendor's name and colours (public: the portal's sign-in page wears them).
import { Branding, getBranding } from "../../data/settings.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";

export function getBrandingRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/settings/branding",
    {
      config: { access: "public" },
      schema: { tags: ["settings"], operationId: "getBranding", summary: "The portal's branding", response: { 200: Branding } },
    },
    async () => getBranding(deps.db),
  );
}
