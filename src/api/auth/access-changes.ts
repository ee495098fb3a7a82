// The access-change log (SOC 2 CC6.1): every change of who may do what, appended in the transaction
// that makes the change, so a change without its record cannot commit. The table is append-only
// (migration 0023); the period report (compliance/controls-report.ts) reads it.
import type { Instant } from "../../engine/types.ts";
import type { AccessChangeKind } from "../../store/schema.ts";
import type { ApiDb } from "../data/tables.ts";

/** Who changed access when no account did: the first admin at start, or a single sign-on. */
export const SYSTEM_ACTOR = "system";
export const SSO_ACTOR = "sso";
/** The subject of a change that concerns every account (the TOTP policy). */
export const EVERY_ACCOUNT = "*";

export interface AccessChange {
  readonly at: Instant;
  readonly actor: string;
  readonly subject: string;
  readonly change: AccessChangeKind;
  readonly rolesBefore?: readonly string[];
  readonly rolesAfter?: readonly string[];
  /** Ids, names, scopes: never a secret. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export async function recordAccessChange(db: ApiDb, change: AccessChange): Promise<void> {
  await db
    .insertInto("access_changes")
    .values({
      at: change.at,
      actor: change.actor,
      subject_user: change.subject,
      change: change.change,
      roles_before: change.rolesBefore === undefined ? null : JSON.stringify([...change.rolesBefore]),
      roles_after: change.rolesAfter === undefined ? null : JSON.stringify([...change.rolesAfter]),
      details: JSON.stringify(change.details ?? {}),
    })
    .execute();
}
