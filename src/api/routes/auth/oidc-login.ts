// GET /auth/oidc/login: single sign-on, first leg: redirects the browser to the OpenID provider
// (authorization code flow with PKCE, state and nonce).
import { beginOidc } from "../../auth/oidc.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Redirect } from "./oidc.types.ts";

export function oidcLogin(app: Api, deps: ApiDeps): void {
  app.get(
    "/auth/oidc/login",
    {
      config: { access: "public", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "oidcLogin",
        summary: "Sign in with single sign-on: redirects to the identity provider",
        response: { 302: Redirect, ...problemResponses(429, 503) },
      },
    },
    async (request, reply) => {
      const url = await beginOidc(request, reply, deps);
      return reply.header("cache-control", "no-store").redirect(url.href, 302);
    },
  );
}
