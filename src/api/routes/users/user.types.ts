import { z } from "zod";
import { AccessRoleSchema } from "../../auth/roles.ts";
import { PageQuery, pageOf } from "../../pagination.ts";
import { NewPassword } from "../auth/auth.types.ts";
import { IdempotentHeaders, Instant, Slug } from "../common.types.ts";

export const User = z
  .object({
    id: z.string().describe("Also the person's id in the assignment directory (/people)."),
    email: z.string(),
    name: z.string(),
    roles: z.array(AccessRoleSchema),
    active: z.boolean(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "User" });

export const CreateUserBody = z.object({
  id: Slug.optional().describe("The person's id in the assignment directory; generated when omitted."),
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  roles: z.array(AccessRoleSchema).max(7),
  password: NewPassword,
});

export const CreateUserHeaders = IdempotentHeaders;

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    roles: z.array(AccessRoleSchema).max(7).optional(),
    active: z.boolean().optional().describe("false signs the account out everywhere and stops its tokens."),
    password: NewPassword.optional().describe("Sets a new password; the account's sessions end."),
  })
  .refine((b) => Object.keys(b).length > 0, { error: "change at least one of name, roles, active, password" });

export const UserParams = z.object({ id: z.string().min(1).max(128) });
export const ListUsersQuery = z.object(PageQuery);
export const UserPage = pageOf(User);
