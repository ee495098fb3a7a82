// PUT /auth/totp/policy: require TOTP of every account (or stop requiring it). When it becomes
// required, the sessions of accounts without TOTP end (but the caller's own): their next sign-in
// goes through the enrolment, the only thing they can reach until it is done.
import { principalOf } from "../../auth/authorization.ts";
import { endUnenrolledSessions, setTotpRequiredForEveryone } from "../../auth/totp.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { TotpPolicy } from "./totp.types.ts";

export function putTotpPolicy(app: Api, deps: ApiDeps): void {
  app.put(
    "/auth/totp/policy",
    {
      config: { access: "users:write" },
      schema: {
        tags: ["auth"],
        operationId: "putTotpPolicy",
        summary: "Require TOTP of every account, or not",
        body: TotpPolicy,
        response: { 200: TotpPolicy, ...problemResponses(400) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { requiredForEveryone } = request.body;
      await deps.db.transaction().execute(async (trx) => {
        await setTotpRequiredForEveryone(trx, requiredForEveryone, principal.user.id, deps.clock());
        if (requiredForEveryone) {
          const keep = principal.credential.kind === "session" ? principal.credential.tokenHash : undefined;
          await endUnenrolledSessions(trx, keep === undefined ? {} : { keep });
        }
      });
      return { requiredForEveryone };
    },
  );
}
