// GET /auth/totp: your own TOTP status (set up or not, required or not, recovery codes left).
import { principalOf } from "../../auth/authorization.ts";
import { totpStatus } from "../../auth/totp.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { TotpStatusResponse } from "./totp.types.ts";

export function getTotp(app: Api, deps: ApiDeps): void {
  app.get(
    "/auth/totp",
    {
      config: { access: "account:read" },
      schema: { tags: ["auth"], operationId: "getTotp", summary: "Your TOTP second factor", response: { 200: TotpStatusResponse } },
    },
    async (request) => totpStatus(deps.db, principalOf(request).user.id),
  );
}
