// `npm run bench -- state-size` (issue #18): a durable command's latency on a fresh project against
// one whose state has grown to about 400 KB (a long onboarding's issues), on PGlite and PostgreSQL,
// with the projections a server registers. The two projects are driven alternately, 20 commands
// at a time, so load on the machine falls on both alike. Goal: the big one within 1.5x.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Actor } from "../src/engine/types.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../src/store/database.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { MINIMAL_PLAYBOOK } from "./fixture.ts";
import "../src/metrics/projection.ts";
import "../src/metrics/open-work-projection.ts";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const OPS: Actor = { id: "ops", kind: "user", roles: [], manager: true };
const COMMANDS = Number(process.env.BENCH_STATE_COMMANDS ?? 200);
const TARGET_BYTES = 400_000;

interface SizeResult {
  readonly backend: string;
  readonly bigStateBytes: number;
  readonly freshMs: number;
  readonly bigMs: number;
  readonly ratio: number;
}

async function measure(backend: string, target: DatabaseTarget): Promise<SizeResult> {
  const database: Database = await openDatabase(target);
  try {
    const service = new ProjectService(database);
    const playbook = await service.publishPlaybook(MINIMAL_PLAYBOOK, { now: "2026-03-02T09:00:00.000Z" });
    const start = (projectId: string) =>
      service.startProject({
        playbook,
        input: { projectId, client: { id: `${projectId}-c`, name: "Bench", timeZone: "UTC" }, facts: {} },
        now: "2026-03-02T09:00:00.000Z",
      });
    await start("fresh");
    await start("big");
    // Grow the big one's state with issues (each about 200 bytes of state) until it is ~400 KB.
    let at = Date.parse("2026-03-02T10:00:00.000Z");
    const next = () => {
      at += 1000;
      return new Date(at).toISOString();
    };
    let bytes = 0;
    for (let i = 0; bytes < TARGET_BYTES; i++) {
      await service.runCommand("big", {
        command: { type: "open_issue", severity: "low", title: `Issue ${i}: ${"the client's data export is missing columns ".repeat(3)}` },
        actor: OPS,
        now: next(),
      });
      if (i % 100 === 0) bytes = JSON.stringify((await service.getProject("big")).state).length;
    }
    bytes = JSON.stringify((await service.getProject("big")).state).length;
    const times: Record<"fresh" | "big", number[]> = { fresh: [], big: [] };
    for (let round = 0; round < COMMANDS / 20; round++) {
      for (const id of ["fresh", "big"] as const) {
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          await service.runCommand(id, {
            command: { type: "set_health", health: i % 2 === 0 ? "amber" : "green", reason: "bench" },
            actor: OPS,
            now: next(),
          });
          times[id].push(performance.now() - t0);
        }
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const freshMs = median(times.fresh);
    const bigMs = median(times.big);
    return {
      backend,
      bigStateBytes: bytes,
      freshMs: Number(freshMs.toFixed(2)),
      bigMs: Number(bigMs.toFixed(2)),
      ratio: Number((bigMs / freshMs).toFixed(2)),
    };
  } finally {
    await database.close();
  }
}

export async function main(): Promise<void> {
  const load = loadavg()[0]?.toFixed(2);
  const results: SizeResult[] = [];
  const folder = mkdtempSync(join(tmpdir(), "onboard-bench-state-"));
  try {
    process.stderr.write("PGlite ...\n");
    results.push(await measure("PGlite (data folder)", { kind: "pglite", dataDir: folder }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const name = `onboard_state_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    process.stderr.write("PostgreSQL ...\n");
    results.push(await measure("PostgreSQL", { kind: "postgres", url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), maxConnections: 1 }));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  console.table(results);
  console.log(JSON.stringify({ loadAverage: { start: load, end: loadavg()[0]?.toFixed(2) }, target: 1.5, results }));
}
