import { z } from "zod";
import { PERMISSIONS } from "../../auth/authorization.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../auth/passwords.ts";
import { AccessRoleSchema } from "../../auth/roles.ts";
import { Instant } from "../common.types.ts";

export const Me = z
  .object({ id: z.string(), email: z.string(), name: z.string(), roles: z.array(AccessRoleSchema) })
  .meta({ id: "SignedInUser" });

export const NewPassword = z
  .string()
  .min(PASSWORD_MIN, { error: `a password has at least ${PASSWORD_MIN} characters` })
  .max(PASSWORD_MAX);

export const LoginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(PASSWORD_MAX),
});

export const LoginResponse = z.object({
  user: Me,
  csrfToken: z
    .string()
    .describe("Send it in X-CSRF-Token with every write made with the session cookie (also in the onboard_csrf cookie)."),
  expiresAt: Instant,
});

export const SecondFactorRequired = z
  .object({
    next: z
      .enum(["totp", "totp_enrolment"])
      .describe(
        "totp: POST the authenticator's code to /auth/login/totp. totp_enrolment: this account must set up TOTP first: " +
          "POST /auth/login/totp-enrolment, then the first code to /auth/login/totp.",
      ),
    expiresAt: Instant.describe("The pending sign-in (an HttpOnly cookie) ends then."),
  })
  .meta({ id: "SecondFactorRequired" });

export const Permission = z.enum(Object.keys(PERMISSIONS) as [keyof typeof PERMISSIONS, ...(keyof typeof PERMISSIONS)[]]);

export const SessionResponse = z.object({
  user: Me,
  permissions: z.array(Permission),
  credential: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("session"), expiresAt: Instant, csrfToken: z.string() }),
    z.object({ kind: z.literal("token"), tokenId: z.string(), scope: z.enum(["read", "write"]) }),
  ]),
});

export const SignInMethods = z
  .object({
    password: z.literal(true).describe("Email and password (and the second factor where the account has one)."),
    singleSignOn: z.object({
      enabled: z.boolean(),
      loginUrl: z.string().nullable().describe("Where the browser goes to sign in with the identity provider."),
      provider: z.string().nullable().describe("The identity provider's host, to name it on the button."),
    }),
  })
  .meta({ id: "SignInMethods" });

export const ChangePasswordBody = z.object({ currentPassword: z.string().min(1).max(PASSWORD_MAX), newPassword: NewPassword });
