// POST /users: an account for a member of the team, with access roles and an initial password.
import { principalOf } from "../../auth/authorization.ts";
import { hashPassword } from "../../auth/passwords.ts";
import { insertUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { idempotent } from "../../idempotency.ts";
import { problemResponses } from "../../problems.ts";
import { CreateUserBody, CreateUserHeaders, User } from "./user.types.ts";

export function createUser(app: Api, deps: ApiDeps): void {
  app.post(
    "/users",
    {
      config: { access: "users:write" },
      schema: {
        tags: ["users"],
        operationId: "createUser",
        summary: "Create an account",
        headers: CreateUserHeaders,
        body: CreateUserBody,
        response: { 201: User, ...problemResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { password, ...rest } = request.body;
      const passwordHash = await hashPassword(password);
      const now = deps.clock();
      const result = await idempotent(
        deps.db,
        // The password stays out of the fingerprint: the key table must not hold even a fast hash of it.
        { scope: "user.create", key: request.headers["idempotency-key"], userId: principal.user.id, fingerprint: rest, now },
        async (trx) => {
          const user = await insertUser(trx, { ...rest, passwordHash }, now, principal.user.id);
          return { response: { status: 201, body: { ...user, roles: [...user.roles] } } };
        },
      );
      if (result.replayed) reply.header("idempotent-replayed", "true");
      return reply.code(201).send(result.body);
    },
  );
}
