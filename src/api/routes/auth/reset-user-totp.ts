// DELETE /users/:id/totp: an admin removes an account's authenticator and recovery codes (a lost
// phone). It signs in with the password alone again, or sets TOTP up anew where it is required.

import { AppError } from "../../../store/index.ts";
import { principalOf } from "../../auth/authorization.ts";
import { resetTotp } from "../../auth/totp.ts";
import { getUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { UserTotpParams } from "./totp.types.ts";

export function resetUserTotp(app: Api, deps: ApiDeps): void {
  app.delete(
    "/users/:id/totp",
    {
      config: { access: "users:write" },
      schema: {
        tags: ["users"],
        operationId: "resetUserTotp",
        summary: "Reset an account's TOTP (removes its authenticator and recovery codes)",
        params: UserTotpParams,
        response: { 204: NoContent, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await deps.db.transaction().execute(async (trx) => {
        if (!(await getUser(trx, id))) throw new AppError("not_found", `no account "${id}"`, { userId: id });
        await resetTotp(trx, id, { actor: principalOf(request).user.id, now: deps.clock() });
      });
      request.log.info({ userId: id, by: request.principal?.user.id }, "TOTP reset");
      return reply.code(204).send();
    },
  );
}
