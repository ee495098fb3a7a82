// The access roles of the team's accounts. What each may do is decided in authorization.ts alone.
import { z } from "zod";

export const ACCESS_ROLES = ["admin", "cs_ops", "csm", "implementation", "support", "account_executive", "executive_readonly"] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

export const AccessRoleSchema = z.enum(ACCESS_ROLES).meta({ id: "AccessRole", description: "An account's access role." });

export function knownRoles(values: readonly string[]): AccessRole[] {
  return ACCESS_ROLES.filter((role) => values.includes(role));
}
