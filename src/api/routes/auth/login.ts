// POST /auth/login: email and password for a session cookie (HttpOnly, SameSite=Lax, Secure unless
// on localhost) and the CSRF token writes must carry. Rate limited per client address. The answer
// to a wrong email and to a wrong password is the same, and takes as long.
import { checkOrigin, setSessionCookies, unauthenticated } from "../../auth/authenticate.ts";
import { verifyNothing, verifyPassword } from "../../auth/passwords.ts";
import { createSession } from "../../auth/sessions.ts";
import { findLogin } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { LoginBody, LoginResponse } from "./auth.types.ts";

export function login(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/login",
    {
      config: { access: "public", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "login",
        summary: "Sign in: sets the session cookie",
        body: LoginBody,
        response: { 200: LoginResponse, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      // A cross-site form must not sign a browser into someone else's account (login CSRF).
      checkOrigin(request, deps);
      const { email, password } = request.body;
      const found = await findLogin(deps.db, email);
      const valid = found ? (await verifyPassword(password, found.passwordHash)) && found.user.active : await verifyNothing(password);
      if (!found || !valid) {
        request.log.info({ email: email.toLowerCase() }, "login refused");
        throw unauthenticated("wrong email or password");
      }
      const session = await createSession(deps.db, found.user.id, deps.config.sessionTtlHours, deps.clock());
      setSessionCookies(request, reply, deps, session);
      const { id, name, roles } = found.user;
      return { user: { id, email: found.user.email, name, roles: [...roles] }, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
    },
  );
}
