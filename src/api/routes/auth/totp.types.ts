// Schemas of the TOTP second factor: the login step, enrolment, recovery codes, and who must use it.
import { z } from "zod";
import { Instant, Slug } from "../common.types.ts";
import { LoginResponse } from "./auth.types.ts";

export const TotpCode = z
  .string()
  .trim()
  .regex(/^\d{3} ?\d{3}$/, { error: "a code is the 6 digits the authenticator app shows" })
  .describe("The 6-digit code the authenticator app shows now.");

export const RecoveryCode = z
  .string()
  .trim()
  .min(16)
  .max(40)
  .describe("One of the recovery codes shown at enrolment (XXXX-XXXX-XXXX-XXXX).");

export const TotpStepBody = z
  .object({ code: TotpCode.optional(), recoveryCode: RecoveryCode.optional() })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), { error: "send either code or recoveryCode" });

export const RecoveryCodes = z
  .array(z.string())
  .describe("Single-use codes that sign in instead of a TOTP code: shown this once, kept only as hashes.");

export const TotpStepResponse = LoginResponse.extend({
  recoveryCodes: RecoveryCodes.optional().describe("When this step confirmed the enrolment: the recovery codes, shown this once."),
});

export const EnrolmentResponse = z
  .object({
    uri: z.string().describe("otpauth://totp/... for a QR code."),
    secret: z.string().describe("The same secret in base32, for typing into the app."),
  })
  .meta({ id: "TotpEnrolment" });

export const ConfirmEnrolmentBody = z.object({ code: TotpCode });

export const RecoveryCodesResponse = z.object({ recoveryCodes: RecoveryCodes });

export const TotpStatusResponse = z
  .object({
    enrolled: z.boolean().describe("An authenticator is confirmed: sign-in asks for a code."),
    pending: z.boolean().describe("An enrolment waits for its first code."),
    required: z.boolean().describe("This account must use TOTP (for everyone or for it)."),
    requiredForUser: z.boolean(),
    requiredForEveryone: z.boolean(),
    confirmedAt: Instant.nullable(),
    recoveryCodesLeft: z.number().int(),
  })
  .meta({ id: "TotpStatus" });

export const TotpPolicy = z.object({ requiredForEveryone: z.boolean() }).meta({ id: "TotpPolicy" });

export const UserTotpParams = z.object({ id: Slug });

export const UserTotpBody = z.object({ required: z.boolean().describe("Must this account use TOTP (whatever the policy for everyone)?") });
