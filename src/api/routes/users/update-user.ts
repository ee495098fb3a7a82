// PATCH /users/:id: rename, change access roles, deactivate or reset the password of an account.
// The last active admin cannot be removed; deactivation and a new password end the account's sessions
// and revoke its API tokens (reactivating the account does not bring them back).
import { principalOf } from "../../auth/authorization.ts";
import { hashPassword } from "../../auth/passwords.ts";
import { updateUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { UpdateUserBody, User, UserParams } from "./user.types.ts";

export function updateUserRoute(app: Api, deps: ApiDeps): void {
  app.patch(
    "/users/:id",
    {
      config: { access: "users:write" },
      schema: {
        tags: ["users"],
        operationId: "updateUser",
        summary: "Change an account",
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: User, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { password, ...changes } = request.body;
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      const user = await deps.db
        .transaction()
        .execute((trx) =>
          updateUser(trx, request.params.id, { ...changes, ...(passwordHash ? { passwordHash } : {}) }, deps.clock(), principal.user.id),
        );
      return { ...user, roles: [...user.roles] };
    },
  );
}
