import { z } from "zod";
import { AccessRoleSchema, PersonRoleSchema } from "../../auth/roles.ts";
import { PageQuery, pageOf } from "../../pagination.ts";
import { NewPassword } from "../auth/auth.types.ts";
import { IdempotentHeaders, Instant, Slug } from "../common.types.ts";

export const User = z
  .object({
    id: z.string().describe("Also the person's id in the assignment directory (/people)."),
    email: z.string(),
    name: z.string(),
    roles: z.array(AccessRoleSchema),
    kind: z
      .enum(["person", "service"])
      .describe(
        "service: an automation (a risk engine, an onboarding system) acting through its API token in the playbook roles it holds.",
      ),
    active: z.boolean(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "User" });

export const CreateUserBody = z.object({
  id: Slug.optional().describe("The person's id in the assignment directory; generated when omitted."),
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  roles: z.array(PersonRoleSchema).max(7),
  password: NewPassword,
});

export const CreateUserHeaders = IdempotentHeaders;

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    roles: z.array(PersonRoleSchema).max(7).optional(),
    active: z.boolean().optional().describe("false signs the account out everywhere and stops its tokens."),
    password: NewPassword.optional().describe("Sets a new password; the account's sessions end."),
  })
  .refine((b) => Object.keys(b).length > 0, { error: "change at least one of name, roles, active, password" });

export const UserParams = z.object({ id: z.string().min(1).max(128) });
export const ListUsersQuery = z.object(PageQuery);
export const UserPage = pageOf(User);

export const CreateServiceAccountBody = z.object({
  id: Slug.optional().describe("The account's id, also its id in the assignment directory (/people); generated when omitted."),
  name: z.string().trim().min(1).max(200).describe('What it is, as the audit trail names it: "Risk Engine".'),
  tokenName: z.string().trim().min(1).max(100).default("service").describe("The name of its first API token (write scope)."),
});

export const CreatedServiceAccount = z
  .object({
    user: User,
    token: z.string().optional().describe("Its API token's secret, shown only in this response (a replay omits it)."),
    tokenId: z.string(),
  })
  .meta({ id: "CreatedServiceAccount" });
