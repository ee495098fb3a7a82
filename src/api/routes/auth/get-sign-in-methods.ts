// GET /auth/methods: how one may sign in here, before signing in: the sign-in page shows its
// single sign-on button only when OpenID Connect is configured (OIDC_ISSUER ...).
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { SignInMethods } from "./auth.types.ts";

export function getSignInMethods(app: Api, deps: ApiDeps): void {
  app.get(
    "/auth/methods",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        operationId: "getSignInMethods",
        summary: "The ways to sign in: password, and single sign-on when configured",
        response: { 200: SignInMethods },
      },
    },
    async () => {
      const oidc = deps.config.oidc;
      return {
        password: true as const,
        singleSignOn: oidc
          ? { enabled: true, loginUrl: "/auth/oidc/login", provider: new URL(oidc.issuer).host }
          : { enabled: false, loginUrl: null, provider: null },
      };
    },
  );
}
