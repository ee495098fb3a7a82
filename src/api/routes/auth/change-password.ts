// POST /auth/password: change your own password (the current one is required); your other
// sessions end.
import { principalOf } from "../../auth/authorization.ts";
import { hashPassword, verifyPassword } from "../../auth/passwords.ts";
import { deleteSessionsOf } from "../../auth/sessions.ts";
import { findLogin, setPassword } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { ChangePasswordBody } from "./auth.types.ts";

export function changePassword(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/password",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["auth"],
        operationId: "changePassword",
        summary: "Change your password; your other sessions end",
        body: ChangePasswordBody,
        response: { 204: NoContent, ...problemResponses(400, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const found = await findLogin(deps.db, principal.user.email);
      if (!found || !(await verifyPassword(request.body.currentPassword, found.passwordHash))) {
        throw new HttpProblem("invalid", "the current password is wrong", {
          extensions: { errors: [{ pointer: "/body/currentPassword", detail: "wrong password" }] },
        });
      }
      const passwordHash = await hashPassword(request.body.newPassword);
      await deps.db.transaction().execute(async (trx) => {
        await setPassword(trx, principal.user.id, passwordHash, deps.clock());
        const keep = principal.credential.kind === "session" ? principal.credential.tokenHash : undefined;
        await deleteSessionsOf(trx, principal.user.id, keep);
      });
      return reply.code(204).send();
    },
  );
}
