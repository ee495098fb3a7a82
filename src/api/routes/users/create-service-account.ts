// POST /service-accounts: an account for an automation (a risk engine, an onboarding system) with
// its first API token. It holds playbook roles on projects like a person (assigned in the team or
// by the directory's rules), acts only through its token, never signs in, and the audit trail
// names it as a service ("service:<id>"), never as the admin who made it.
import { createToken } from "../../auth/api-tokens.ts";
import { principalOf } from "../../auth/authorization.ts";
import { generatePassword, hashPassword } from "../../auth/passwords.ts";
import { insertUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { idempotent } from "../../idempotency.ts";
import { problemResponses } from "../../problems.ts";
import { CreatedServiceAccount, CreateServiceAccountBody, CreateUserHeaders } from "./user.types.ts";

/** Service accounts have no mailbox: a reserved address (RFC 2606) keeps the email column's uniqueness. */
export const serviceEmail = (id: string) => `${id}@service.onboard.invalid`;

export function createServiceAccount(app: Api, deps: ApiDeps): void {
  app.post(
    "/service-accounts",
    {
      config: { access: "users:write" },
      schema: {
        tags: ["users"],
        operationId: "createServiceAccount",
        summary: "Create a service account (an automation) and its first API token",
        headers: CreateUserHeaders,
        body: CreateServiceAccountBody,
        response: { 201: CreatedServiceAccount, ...problemResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const now = deps.clock();
      // A password nobody knows: the account cannot sign in (login and sessions refuse it anyway).
      const passwordHash = await hashPassword(generatePassword());
      const result = await idempotent(
        deps.db,
        { scope: "service.create", key: request.headers["idempotency-key"], userId: principal.user.id, fingerprint: request.body, now },
        async (trx) => {
          const id = request.body.id ?? `svc-${crypto.randomUUID().slice(0, 8)}`;
          const user = await insertUser(
            trx,
            { id, email: serviceEmail(id), name: request.body.name, roles: ["service"], passwordHash },
            now,
            principal.user.id,
          );
          const { record, token } = await createToken(
            trx,
            { userId: user.id, name: request.body.tokenName, scope: "write", expiresInDays: undefined },
            now,
            principal.user.id,
          );
          const view = { user: { ...user, roles: [...user.roles] }, tokenId: record.id };
          return { response: { status: 201, body: { ...view, token } }, stored: { status: 201, body: view } };
        },
      );
      if (result.replayed) reply.header("idempotent-replayed", "true");
      return reply.code(201).send(result.body);
    },
  );
}
