// A delivery refused at the door (wrong credentials, signature or CRM account) is not logged, but
// its connection counts it with the reason: an admin with a typo in the CRM sees why nothing arrives.
import { recordRefusal, type StoredConnection } from "../data/crm-connections.ts";
import type { ApiDeps } from "../deps.ts";

/** Run the check; a refusal it throws is counted on the connection, then thrown on. */
export async function countingRefusals(deps: ApiDeps, connection: StoredConnection, check: () => void): Promise<void> {
  try {
    check();
  } catch (error) {
    await noteRefusal(deps, connection, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

export async function noteRefusal(deps: ApiDeps, connection: StoredConnection, reason: string): Promise<void> {
  if (connection.managedBy === "database") await recordRefusal(deps.db, connection.id, reason, deps.clock());
}
