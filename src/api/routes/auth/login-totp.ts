// POST /auth/login/totp: the second step of a sign-in the password began (its pending cookie is
// the credential): the authenticator's code, or a recovery code. A code passes once; a few wrong
// ones end the pending sign-in, more lock the factor for a while. For an account that had to set
// up TOTP, the first code confirms the enrolment and the recovery codes come back with the session.
import { checkOrigin, unauthenticated } from "../../auth/authenticate.ts";
import { clearPendingCookie, currentChallenge, endChallenge, failChallenge, signIn } from "../../auth/sign-in.ts";
import { checkCode, newRecoveryCodes, redeemRecoveryCode } from "../../auth/totp.ts";
import { getUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";
import { TotpStepBody, TotpStepResponse } from "./totp.types.ts";

export function loginTotp(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/login/totp",
    {
      config: { access: "public", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "loginTotp",
        summary: "Sign in, second step: the TOTP code (or a recovery code); sets the session cookie",
        body: TotpStepBody,
        response: { 200: TotpStepResponse, ...problemResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      checkOrigin(request, deps);
      const challenge = await currentChallenge(request, deps, ["totp", "totp_enrolment"]);
      const { db } = deps;
      const now = deps.clock();
      const key = deps.config.totpEncryptionKey;
      const user = await getUser(db, challenge.userId);
      if (!user?.active) {
        await endChallenge(db, challenge);
        clearPendingCookie(request, reply, deps);
        throw unauthenticated("this account cannot sign in");
      }
      const { code, recoveryCode } = request.body;
      let recoveryCodes: string[] | undefined;
      let passed: boolean;
      if (challenge.purpose === "totp_enrolment") {
        if (code === undefined) throw fieldProblem("/body/code", "confirm the new authenticator with its first code");
        // The confirmation, its access-change record and the recovery codes commit together.
        const confirmed = await db.transaction().execute(async (trx) => {
          const checked = await checkCode(trx, user.id, code, key, now, true);
          return { result: checked, codes: checked === "ok" ? await newRecoveryCodes(trx, user.id, now) : undefined };
        });
        const result = confirmed.result;
        if (result === "not_enrolled") {
          throw new HttpProblem("illegal_state", "set up the authenticator first: POST /auth/login/totp-enrolment");
        }
        if (result === "locked") throw new HttpProblem("rate_limited", "too many wrong codes: try again in a while");
        passed = result === "ok";
        if (passed) recoveryCodes = confirmed.codes;
      } else if (code !== undefined) {
        const result = await checkCode(db, user.id, code, key, now);
        if (result === "locked") {
          throw new HttpProblem(
            "rate_limited",
            "too many wrong codes: the authenticator is locked for a while; use a recovery code or wait",
          );
        }
        passed = result === "ok";
      } else {
        passed = await redeemRecoveryCode(db, user.id, recoveryCode ?? "", now);
      }
      if (!passed) {
        const attemptsLeft = await failChallenge(db, challenge);
        if (attemptsLeft === 0) clearPendingCookie(request, reply, deps);
        request.log.info({ userId: user.id }, "second factor refused");
        throw new HttpProblem(
          "unauthenticated",
          attemptsLeft === 0
            ? "wrong or already used code: this sign-in has ended, start again with POST /auth/login"
            : "wrong or already used code",
          { extensions: { attemptsLeft } },
        );
      }
      await endChallenge(db, challenge);
      clearPendingCookie(request, reply, deps);
      const signedIn = await signIn(request, reply, deps, user, { method: "password_totp" });
      return recoveryCodes === undefined ? signedIn : { ...signedIn, recoveryCodes };
    },
  );
}
