// PUT /users/:id/totp: require TOTP of one account (whatever the policy for everyone), or not.
// When it becomes required and the account has none, its sessions end (but the caller's own).

import { AppError } from "../../../store/index.ts";
import { principalOf } from "../../auth/authorization.ts";
import { endUnenrolledSessions, setTotpRequiredForUser, totpStatus } from "../../auth/totp.ts";
import { getUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { TotpStatusResponse, UserTotpBody, UserTotpParams } from "./totp.types.ts";

export function putUserTotp(app: Api, deps: ApiDeps): void {
  app.put(
    "/users/:id/totp",
    {
      config: { access: "users:write" },
      schema: {
        tags: ["users"],
        operationId: "putUserTotp",
        summary: "Require TOTP of an account, or not",
        params: UserTotpParams,
        body: UserTotpBody,
        response: { 200: TotpStatusResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params;
      return deps.db.transaction().execute(async (trx) => {
        if (!(await getUser(trx, id))) throw new AppError("not_found", `no account "${id}"`, { userId: id });
        await setTotpRequiredForUser(trx, id, request.body.required, principal.user.id, deps.clock());
        if (request.body.required) {
          const keep = principal.credential.kind === "session" ? principal.credential.tokenHash : undefined;
          await endUnenrolledSessions(trx, keep === undefined ? { userId: id } : { userId: id, keep });
        }
        return totpStatus(trx, id);
      });
    },
  );
}
