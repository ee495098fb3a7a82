// POST /auth/login/totp-enrolment: an account that must use TOTP and has none sets it up in the
// middle of its sign-in (the pending cookie is the credential: it reaches nothing else). Returns
// the otpauth:// URI and the secret; the first code, POSTed to /auth/login/totp, confirms it and
// opens the session.
import { checkOrigin } from "../../auth/authenticate.ts";
import { currentChallenge } from "../../auth/sign-in.ts";
import { startEnrolment } from "../../auth/totp.ts";
import { getUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { EnrolmentResponse } from "./totp.types.ts";

export function loginTotpEnrolment(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/login/totp-enrolment",
    {
      config: { access: "public", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "loginTotpEnrolment",
        summary: "Sign in, second step for an account that must set up TOTP: a new authenticator secret",
        response: { 200: EnrolmentResponse, ...problemResponses(403, 409, 429) },
      },
    },
    async (request) => {
      checkOrigin(request, deps);
      const challenge = await currentChallenge(request, deps, ["totp_enrolment"]);
      const user = await getUser(deps.db, challenge.userId);
      if (!user?.active) throw new HttpProblem("unauthenticated", "this account cannot sign in");
      return startEnrolment(deps.db, user, deps.config.totpEncryptionKey, deps.clock());
    },
  );
}
