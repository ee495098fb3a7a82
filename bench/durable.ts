// Benchmark (b): commands committed per second through the store (lock, version check, engine,
// state, events with their hash chain, outbox, in one transaction), side by side with the raw
// rate of single-row insert transactions on the same database and connection.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import type { Actor } from "../src/engine/index.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../src/store/database.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { MINIMAL_PLAYBOOK } from "./fixture.ts";

const OPS: Actor = { id: "ops", kind: "user", roles: [], manager: true };
const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface DurableResult {
  readonly backend: string;
  readonly commandsPerSecond: number;
  readonly rawInsertsPerSecond: number;
  readonly ratio: number;
}

async function commandRate(database: Database, seconds: number): Promise<number> {
  const service = new ProjectService(database);
  const playbook = await service.publishPlaybook(MINIMAL_PLAYBOOK, { now: "2026-03-02T09:00:00.000Z" });
  await service.startProject({
    playbook,
    input: { projectId: "bench", client: { id: "c", name: "Bench", timeZone: "UTC" }, facts: {} },
    now: "2026-03-02T09:00:00.000Z",
  });
  let version = (await service.getProject("bench")).version;
  let n = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    const health = n % 2 === 0 ? "amber" : "green";
    const result = await service.runCommand("bench", {
      command: { type: "set_health", health, reason: "bench" },
      actor: OPS,
      expectedVersion: version,
      now: new Date(Date.parse("2026-03-02T10:00:00.000Z") + n * 1000).toISOString(),
    });
    version = result.version;
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

async function rawInsertRate(database: Database, seconds: number): Promise<number> {
  await sql`CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, payload jsonb NOT NULL)`.execute(database.db);
  let n = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    await database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO bench_raw (payload) VALUES (${JSON.stringify({ n })})`.execute(trx);
    });
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

async function measure(backend: string, target: DatabaseTarget, seconds: number): Promise<DurableResult> {
  const database = await openDatabase(target);
  try {
    const raw = await rawInsertRate(database, seconds);
    const commands = await commandRate(database, seconds);
    return {
      backend,
      commandsPerSecond: Math.round(commands),
      rawInsertsPerSecond: Math.round(raw),
      ratio: Number((commands / raw).toFixed(2)),
    };
  } finally {
    await database.close();
  }
}

export async function durableRates(seconds: number): Promise<DurableResult[]> {
  const results: DurableResult[] = [];
  const folder = mkdtempSync(join(tmpdir(), "onboard-bench-"));
  try {
    results.push(await measure("PGlite (data folder)", { kind: "pglite", dataDir: folder }, seconds));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    process.stderr.write("PostgreSQL at 127.0.0.1:5432 not reachable: its row is left out\n");
    return results;
  }
  const name = `onboard_bench_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    results.push(
      await measure(
        "PostgreSQL 127.0.0.1",
        { kind: "postgres", url: ADMIN_URL.replace(/\/postgres$/, `/${name}`), maxConnections: 1 },
        seconds,
      ),
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  return results;
}
