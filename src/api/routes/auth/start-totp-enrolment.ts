// POST /auth/totp/enrolment: set up TOTP for your own account, from a signed-in browser (not with
// an API token: a stolen token must not be able to lock its owner out). Returns the otpauth:// URI
// and the secret; nothing changes at sign-in until POST /auth/totp/enrolment/confirm.
import { browserPrincipal } from "../../auth/sign-in.ts";
import { startEnrolment } from "../../auth/totp.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { EnrolmentResponse } from "./totp.types.ts";

export function startTotpEnrolment(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/totp/enrolment",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["auth"],
        operationId: "startTotpEnrolment",
        summary: "Set up TOTP: a new authenticator secret, to confirm with its first code",
        response: { 200: EnrolmentResponse, ...problemResponses(409) },
      },
    },
    async (request) => {
      const { user } = browserPrincipal(request);
      return startEnrolment(deps.db, user, deps.config.totpEncryptionKey, deps.clock());
    },
  );
}
