// POST /auth/totp/recovery-codes: replace your recovery codes (the old ones stop working), proven
// with a current TOTP code.
import { recordAccessChange } from "../../auth/access-changes.ts";
import { browserPrincipal } from "../../auth/sign-in.ts";
import { checkCode, newRecoveryCodes } from "../../auth/totp.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ConfirmEnrolmentBody, RecoveryCodesResponse } from "./totp.types.ts";

export function newRecoveryCodesRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/totp/recovery-codes",
    {
      config: { access: "account:write", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "newRecoveryCodes",
        summary: "Replace your TOTP recovery codes (needs a current code)",
        body: ConfirmEnrolmentBody,
        response: { 200: RecoveryCodesResponse, ...problemResponses(400, 409, 422, 429) },
      },
    },
    async (request) => {
      const { user } = browserPrincipal(request);
      const now = deps.clock();
      const result = await checkCode(deps.db, user.id, request.body.code, deps.config.totpEncryptionKey, now);
      if (result === "not_enrolled") throw new HttpProblem("illegal_state", "TOTP is not set up for this account");
      if (result === "locked") throw new HttpProblem("rate_limited", "too many wrong codes: try again later");
      if (result === "wrong") {
        throw new HttpProblem("invalid", "wrong or already used code", {
          extensions: { errors: [{ pointer: "/body/code", detail: "wrong or already used code" }] },
        });
      }
      return {
        recoveryCodes: await deps.db.transaction().execute(async (trx) => {
          await recordAccessChange(trx, { at: now, actor: user.id, subject: user.id, change: "recovery_codes_renewed" });
          return newRecoveryCodes(trx, user.id, now);
        }),
      };
    },
  );
}
