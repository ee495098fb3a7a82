// Tampering as the attacker the audit trail must withstand: a database superuser, who can switch
// off the append-only triggers and the foreign keys (session_replication_role = replica) and
// rewrite anything. Only the published checkpoints are out of their reach.
import { type Kysely, type RawBuilder, sql } from "kysely";

export async function tamper<T>(db: Kysely<T>, ...statements: readonly RawBuilder<unknown>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
  });
}
