// POST /auth/login: email and password for a session cookie (HttpOnly, SameSite=Lax, Secure unless
// on localhost) and the CSRF token writes must carry. Rate limited per client address, and per
// account (LOGIN_ACCOUNT_LIMIT attempts in 15 minutes, counted in the database so every server and
// every concurrent guess counts; a completed sign-in starts the count again). The answer to a wrong
// email and to a wrong password is the same, and takes as long. An account with TOTP
// (or one that must set it up) gets no session yet: a 202 and a pending sign-in whose next step is
// the code (POST /auth/login/totp) or the enrolment (POST /auth/login/totp-enrolment).
import { checkOrigin, unauthenticated } from "../../auth/authenticate.ts";
import { verifyNothing, verifyPassword } from "../../auth/passwords.ts";
import { takeHit } from "../../auth/rate-limits.ts";
import { beginChallenge, signIn, signInBucket } from "../../auth/sign-in.ts";
import { totpStatus } from "../../auth/totp.ts";
import { findLogin } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { LoginBody, LoginResponse, SecondFactorRequired } from "./auth.types.ts";

/** The window LOGIN_ACCOUNT_LIMIT counts in. */
const ACCOUNT_WINDOW_MS = 15 * 60_000;

export function login(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/login",
    {
      config: { access: "public", rateLimit: { max: deps.config.loginRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        operationId: "login",
        summary: "Sign in: sets the session cookie, or starts the TOTP step",
        body: LoginBody,
        response: { 200: LoginResponse, 202: SecondFactorRequired, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      // A cross-site form must not sign a browser into someone else's account (login CSRF).
      checkOrigin(request, deps);
      const { email, password } = request.body;
      // The slot is taken before the password is checked: guesses sent at once cannot all get one.
      const bucket = signInBucket(email);
      const slot = await takeHit(deps.db, bucket, { max: deps.config.loginAccountLimit, windowMs: ACCOUNT_WINDOW_MS }, deps.clock());
      if (!slot.allowed) {
        const seconds = Math.max(1, Math.ceil((Date.parse(slot.resetAt) - Date.parse(deps.clock())) / 1000));
        throw new HttpProblem("rate_limited", "too many sign-in attempts for this account: wait a few minutes, or reset the password", {
          headers: { "retry-after": String(seconds) },
        });
      }
      const found = await findLogin(deps.db, email);
      const valid = found
        ? (await verifyPassword(password, found.passwordHash)) && found.user.active && found.user.kind !== "service"
        : await verifyNothing(password);
      if (!found || !valid) {
        request.log.info({ email: email.toLowerCase() }, "login refused");
        throw unauthenticated("wrong email or password");
      }
      const totp = await totpStatus(deps.db, found.user.id);
      if (totp.enrolled || totp.required) {
        const next = totp.enrolled ? "totp" : "totp_enrolment";
        const { expiresAt } = await beginChallenge(request, reply, deps, found.user.id, next);
        return reply.code(202).send({ next, expiresAt });
      }
      return signIn(request, reply, deps, found.user, { method: "password" });
    },
  );
}
