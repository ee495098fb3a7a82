// The deployment portfolio, written through the store of a given source tree (its own demo generator,
// ProjectService, users and tokens): `node bench/support/seed-deployment.ts <job.json>`, run by
// seedDeployment (bench/support/deployment-mix.ts) in a child process while the server is stopped.
// Every src/ module is imported from the job's `root`, never from this tree: an older revision
// (BENCH_BASE) seeds with its own code, so its folder holds what that code writes (its migrations,
// its read models) and nothing it would refuse. Only types come from this tree. The job file names
// the tree, engine, folder and sizes; the answer (tokens, projects per CSM, command projects) is
// written to the job's `out` file.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Playbook } from "../../src/playbook/schema.ts";

export interface SeedJob {
  readonly root: string;
  readonly engine: "pglite" | "postgres";
  readonly dataDir: string;
  readonly projects: number;
  readonly csmAccounts: number;
  readonly commandProjects: number;
  readonly password: string;
  readonly label: string;
  readonly out: string;
}

export interface SeedAnswer {
  readonly projects: number;
  readonly active: number;
  readonly commandProjects: number;
  readonly csmAccounts: number;
  readonly tokens: string[];
  readonly projectsOf: string[][];
  readonly commandPool: { id: string; csm: number; version: number; next: "complete" | "reopen" }[];
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** `fn` on every item, `width` at a time (commands on different projects commit independently). */
async function inTurn<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, lane));
}

async function seed(job: SeedJob): Promise<SeedAnswer> {
  const from = <T>(path: string): Promise<T> => import(pathToFileURL(join(job.root, path)).href) as Promise<T>;
  const { createToken } = await from<typeof import("../../src/api/auth/api-tokens.ts")>("src/api/auth/api-tokens.ts");
  const { hashPassword } = await from<typeof import("../../src/api/auth/passwords.ts")>("src/api/auth/passwords.ts");
  const { insertUser } = await from<typeof import("../../src/api/auth/users.ts")>("src/api/auth/users.ts");
  const { parseConfig } = await from<typeof import("../../src/api/config.ts")>("src/api/config.ts");
  const { apiDb } = await from<typeof import("../../src/api/data/tables.ts")>("src/api/data/tables.ts");
  const { generateDemo } = await from<typeof import("../../src/demo/generate.ts")>("src/demo/generate.ts");
  const { teamOf } = await from<typeof import("../../src/demo/people.ts")>("src/demo/people.ts");
  const { MANAGER_ACTOR } = await from<typeof import("../../src/demo/scenario.ts")>("src/demo/scenario.ts");
  const { modelFor } = await from<typeof import("../../src/metrics/projection.ts")>("src/metrics/projection.ts");
  const { openDatabase } = await from<typeof import("../../src/store/database.ts")>("src/store/database.ts");
  const { upsertPerson } = await from<typeof import("../../src/store/people.ts")>("src/store/people.ts");
  const { ProjectService } = await from<typeof import("../../src/store/project-service.ts")>("src/store/project-service.ts");
  const minimalPlaybook = readFileSync(join(job.root, "test/fixtures/minimal.yaml"), "utf8");

  const began = performance.now();
  const took = () => `${Math.round((performance.now() - began) / 1000)} s`;
  // The embedded PostgreSQL server commits several projects' commands at once; PGlite has one connection.
  const width = job.engine === "postgres" ? 8 : 1;
  const config = parseConfig({ DATA_DIR: job.dataDir, EMBEDDED_DATABASE: job.engine });
  const database = await openDatabase(config.database);
  try {
    const db = database.db;
    const service = new ProjectService(database);
    const now = new Date().toISOString();
    const countActive = async () =>
      Number(
        (
          await db
            .selectFrom("projects")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("status", "=", "active")
            .executeTakeFirst()
        )?.n ?? 0,
      );
    // Demo portfolios (started over the past 2 months, played out by the engine) until enough are active.
    let active = await countActive();
    for (let round = 1; active < job.projects && round < 20; round++) {
      const more = Math.ceil((job.projects - active) * 1.35) + 5;
      log(`  ${job.label}: demo portfolio of ${more} onboardings (seed ${round}) ...`);
      await generateDemo(database, { projects: more, seed: round, now, months: 2 });
      active = await countActive();
    }
    // Exactly job.projects active: the surplus is cancelled, as CS operations would.
    const activeRows = await db
      .selectFrom("projects")
      .select(["id", "playbook_id", "playbook_version", "state"])
      .where("status", "=", "active")
      .orderBy("id")
      .execute();
    log(`  ${job.label}: ${active} active at ${took()}; the surplus is cancelled ...`);
    await inTurn(activeRows.slice(job.projects), width, async (row) => {
      await service.runCommand(row.id, { command: { type: "cancel", reason: "bench: surplus" }, actor: MANAGER_ACTOR, now });
    });
    const kept = activeRows.slice(0, job.projects);
    // The CSM accounts; each active onboarding's CSM roles go to one of them, in turn.
    const playbooks = new Map<string, Playbook>();
    const playbookOf = async (id: string, version: string) => {
      const key = `${id}@${version}`;
      if (!playbooks.has(key)) playbooks.set(key, (await modelFor(db, { id, version })).playbook);
      return playbooks.get(key) as Playbook;
    };
    const csmRoles = new Set<string>(["csm", "ae"]);
    for (const row of kept) {
      const playbook = await playbookOf(row.playbook_id, row.playbook_version);
      for (const role of Object.keys(playbook.roles)) if (teamOf(playbook, role) === "csm") csmRoles.add(role);
    }
    const hash = await hashPassword(job.password);
    const adb = apiDb(database);
    const tokens: string[] = [];
    const csmIds: string[] = [];
    for (let i = 0; i < job.csmAccounts; i++) {
      const id = `bench-csm-${String(i + 1).padStart(2, "0")}`;
      csmIds.push(id);
      await insertUser(
        adb,
        { id, email: `${id}@example.com`, name: `Bench CSM ${i + 1}`, roles: ["csm"], passwordHash: hash },
        now,
        "bench",
      );
      await upsertPerson(db, { id, name: `Bench CSM ${i + 1}`, roles: [...csmRoles] }, now);
      tokens.push((await createToken(adb, { userId: id, name: "bench", scope: "write", expiresInDays: undefined }, now, "bench")).token);
    }
    log(`  ${job.label}: ${kept.length} active onboardings handed to ${job.csmAccounts} CSM accounts (at ${took()}) ...`);
    const projectsOf: string[][] = csmIds.map(() => []);
    for (const [i, row] of kept.entries()) projectsOf[i % job.csmAccounts]?.push(row.id);
    await inTurn(kept, width, async (row, i) => {
      const csm = i % job.csmAccounts;
      const playbook = await playbookOf(row.playbook_id, row.playbook_version);
      for (const role of Object.keys(playbook.roles)) {
        if (teamOf(playbook, role) !== "csm") continue;
        await service.runCommand(row.id, { command: { type: "assign", role, person: csmIds[csm] as string }, actor: MANAGER_ACTOR, now });
      }
    });
    log(`  ${job.label}: ${job.commandProjects} command projects (at ${took()}) ...`);
    // Projects the commands work on (complete / reopen a step, as bench/api.ts does), spread over the CSMs.
    const minimal = await service.publishPlaybook(minimalPlaybook, { now });
    const commandPool: SeedAnswer["commandPool"] = [];
    for (let i = 0; i < job.commandProjects; i++) {
      const csm = i % job.csmAccounts;
      const id = `bench-cmd-${String(i).padStart(3, "0")}`;
      await service.startProject({
        playbook: minimal,
        input: {
          projectId: id,
          client: { id: `${id}-client`, name: `Bench command client ${i}`, timeZone: "UTC" },
          facts: { user_count: 10 },
        },
        now,
      });
      let version = 0;
      for (const role of ["csm", "ae"])
        version = (
          await service.runCommand(id, { command: { type: "assign", role, person: csmIds[csm] as string }, actor: MANAGER_ACTOR, now })
        ).version;
      commandPool.push({ id, csm, version, next: "complete" });
    }
    const total = Number(
      (
        await db
          .selectFrom("projects")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirst()
      )?.n ?? 0,
    );
    return {
      projects: total,
      active: kept.length,
      commandProjects: job.commandProjects,
      csmAccounts: job.csmAccounts,
      tokens,
      projectsOf,
      commandPool,
    };
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  const job = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as SeedJob;
  const answer = await seed(job);
  writeFileSync(job.out, JSON.stringify(answer));
  process.exit(0);
}
