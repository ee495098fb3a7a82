// `npm run bench -- statements` (issue #18): the SQL statements one durable command sends to
// PostgreSQL, counted and listed per command type, with the raw-insert yardstick (begin, insert,
// commit: 3). Every statement is a round trip on the connection that holds the project's lock.
import pg from "pg";
import type { Actor, Command } from "../src/engine/types.ts";
import { openDatabase } from "../src/store/database.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { MINIMAL_PLAYBOOK } from "./fixture.ts";
// The projections a server registers (the portfolio, open work), as `onboard serve` has them.
import "../src/metrics/projection.ts";
import "../src/metrics/open-work-projection.ts";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const OPS: Actor = { id: "ops", kind: "user", roles: [], manager: true };

export async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const name = `onboard_statements_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const database = await openDatabase({ kind: "postgres", url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`) });
  const seen: string[] = [];
  const query = pg.Client.prototype.query;
  try {
    const service = new ProjectService(database);
    const playbook = await service.publishPlaybook(MINIMAL_PLAYBOOK, { now: "2026-03-02T09:00:00.000Z" });
    await service.startProject({
      playbook,
      input: { projectId: "b", client: { id: "c", name: "Bench", timeZone: "UTC" }, facts: {} },
      now: "2026-03-02T09:00:00.000Z",
    });
    // Count at the driver: what Kysely and every projection send, on whichever pooled client.
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      seen.push(typeof first === "string" ? first : String((first as { text?: string }).text));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const commands: Command[] = [
      { type: "set_health", health: "amber", reason: "bench" },
      { type: "complete_step", step: "handoff" },
      { type: "reopen_step", step: "handoff", reason: "bench" },
    ];
    const rows: { command: string; statements: number }[] = [];
    let version = (await service.getProject("b")).version;
    for (const command of commands) {
      seen.length = 0;
      version = (await service.runCommand("b", { command, actor: OPS, expectedVersion: version, now: "2026-03-02T10:00:00.000Z" })).version;
      rows.push({ command: command.type, statements: seen.length });
      process.stderr.write(
        `${command.type}: ${seen.length} statements\n${seen.map((s) => `  ${s.replace(/\s+/g, " ").slice(0, 110)}`).join("\n")}\n`,
      );
    }
    console.table([...rows, { command: "raw insert transaction (yardstick)", statements: 3 }]);
    console.log(JSON.stringify({ statements: rows }));
  } finally {
    pg.Client.prototype.query = query;
    await database.close();
    await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
}
