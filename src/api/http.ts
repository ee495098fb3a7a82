// The Fastify instance as every endpoint sees it (zod schemas through the type provider), and what
// the API adds to Fastify's types: a route's access rule and the request's signed-in principal.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Access } from "./auth/authorization.ts";
import type { ContactPrincipal } from "./auth/contact-sessions.ts";
import type { Principal } from "./auth/principal.ts";

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; every route declares it (see auth/authorization.ts). */
    access?: Access;
    /**
     * The route judges its body's text itself, after authenticating it (signed webhooks: a
     * delivery is authenticated, then recorded, before its body is refused); see well-formed.ts.
     */
    checksOwnBody?: true;
  }
  interface FastifyRequest {
    /** Who is signed in (session cookie or API token); null on public routes without credentials. */
    principal: Principal | null;
    /** The client contact of a portal route (access "contact"); null elsewhere. */
    contact: ContactPrincipal | null;
  }
}
