// GET /auth/totp/policy: must everyone use TOTP?
import { totpRequiredForEveryone } from "../../auth/totp.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { TotpPolicy } from "./totp.types.ts";

export function getTotpPolicy(app: Api, deps: ApiDeps): void {
  app.get(
    "/auth/totp/policy",
    {
      config: { access: "users:read" },
      schema: {
        tags: ["auth"],
        operationId: "getTotpPolicy",
        summary: "Whether every account must use TOTP",
        response: { 200: TotpPolicy },
      },
    },
    async () => ({ requiredForEveryone: await totpRequiredForEveryone(deps.db) }),
  );
}
