// The access roles of the team's accounts. What each may do is decided in authorization.ts alone.
import { z } from "zod";

export const ACCESS_ROLES = [
  "admin",
  "cs_ops",
  "csm",
  "implementation",
  "support",
  "account_executive",
  "executive_readonly",
  "service",
] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

export const AccessRoleSchema = z
  .enum(ACCESS_ROLES)
  .meta({ id: "AccessRole", description: 'An account\'s access role ("service": a service account, see POST /service-accounts).' });

/**
 * The roles a person's account may hold. "service" marks a service account (an automation such as
 * a risk engine): it acts only through its API token, never signs in, and holds no other role.
 */
export const PersonRoleSchema = z
  .enum(ACCESS_ROLES.filter((r) => r !== "service") as [Exclude<AccessRole, "service">, ...Exclude<AccessRole, "service">[]])
  .describe('A person\'s access role ("service" accounts are made with POST /service-accounts).');

export function isServiceAccount(roles: readonly string[]): boolean {
  return roles.includes("service");
}

export function knownRoles(values: readonly string[]): AccessRole[] {
  return ACCESS_ROLES.filter((role) => values.includes(role));
}
