// GET /auth/oidc/callback: single sign-on, second leg: the provider sends the browser back with a
// code; the flow this browser started is checked and consumed, the account found or linked, and
// the session cookie set (the same as a password sign-in's). Then the browser goes to the app.
import { finishOidc, oidcLoginTarget } from "../../auth/oidc.ts";
import { signIn } from "../../auth/sign-in.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Redirect } from "./oidc.types.ts";

export function oidcCallback(app: Api, deps: ApiDeps): void {
  app.get(
    "/auth/oidc/callback",
    {
      config: { access: "public", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "oidcCallback",
        summary: "Where the identity provider sends the browser back: sets the session cookie",
        response: { 303: Redirect, ...problemResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const user = await finishOidc(request, reply, deps);
      await signIn(request, reply, deps, user, { method: "sso", detail: deps.config.oidc?.issuer ?? "single sign-on" });
      request.log.info({ userId: user.id }, "signed in with single sign-on");
      return reply.header("cache-control", "no-store").redirect(oidcLoginTarget(deps), 303);
    },
  );
}
