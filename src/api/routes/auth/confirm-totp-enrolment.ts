// POST /auth/totp/enrolment/confirm: the authenticator's first code confirms the enrolment; from
// then on sign-in asks for a code. Returns the recovery codes, shown this once.

import { browserPrincipal } from "../../auth/sign-in.ts";
import { checkCode, newRecoveryCodes } from "../../auth/totp.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ConfirmEnrolmentBody, RecoveryCodesResponse } from "./totp.types.ts";

export function confirmTotpEnrolment(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/totp/enrolment/confirm",
    {
      config: { access: "account:write", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "confirmTotpEnrolment",
        summary: "Confirm TOTP with the authenticator's first code; returns the recovery codes",
        body: ConfirmEnrolmentBody,
        response: { 200: RecoveryCodesResponse, ...problemResponses(400, 409, 422, 429) },
      },
    },
    async (request) => {
      const { user } = browserPrincipal(request);
      const now = deps.clock();
      // The confirmation, its access-change record and the recovery codes commit together.
      const { result, recoveryCodes } = await deps.db.transaction().execute(async (trx) => {
        const checked = await checkCode(trx, user.id, request.body.code, deps.config.totpEncryptionKey, now, true);
        return { result: checked, recoveryCodes: checked === "ok" ? await newRecoveryCodes(trx, user.id, now) : [] };
      });
      if (result === "not_enrolled") throw new HttpProblem("illegal_state", "no enrolment is waiting: POST /auth/totp/enrolment first");
      if (result === "locked") throw new HttpProblem("rate_limited", "too many wrong codes: try again later");
      if (result === "wrong") {
        throw new HttpProblem("invalid", "wrong code: check the authenticator app's clock", {
          extensions: { errors: [{ pointer: "/body/code", detail: "wrong code" }] },
        });
      }
      return { recoveryCodes };
    },
  );
}
