// Concurrent writers on one project: each sends a command with the version it read. Every result
// is a success or a ConflictError, never a lost update: the final state holds exactly the
// successful commands, the events' seq are contiguous and the hash chain verifies.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { verifyAudit } from "../../src/store/audit.ts";
import { persistOutcome } from "../../src/store/command-path.ts";
import { ConflictError } from "../../src/store/errors.ts";
import type { PublishedPlaybook } from "../../src/store/playbooks.ts";
import type { CommandResult, ProjectService } from "../../src/store/project-service.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { CSM, hoursAfter, OPS, startInput, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
const WRITERS = 20;

type Result = { readonly ok: CommandResult } | { readonly conflict: ConflictError };

async function write(service: ProjectService, projectId: string, title: string, now: string): Promise<Result> {
  const { version } = await service.getProject(projectId);
  try {
    return {
      ok: await service.runCommand(projectId, {
        command: { type: "open_issue", severity: "low", title },
        actor: CSM,
        expectedVersion: version,
        now,
      }),
    };
  } catch (error) {
    if (error instanceof ConflictError) return { conflict: error };
    throw error;
  }
}

async function checkHistory(fresh: FreshDatabase, service: ProjectService, projectId: string) {
  const project = await service.getProject(projectId);
  const events = await service.listEvents(projectId);
  assert.deepEqual(
    events.map((e) => e.seq),
    Array.from({ length: project.version }, (_, i) => i + 1),
    "seq contiguous up to the version",
  );
  const audit = await verifyAudit(fresh.database, projectId);
  assert.equal(audit.intact, true, JSON.stringify(audit.projects[0]?.problems));
  return project;
}

for (const backend of BACKENDS) {
  describe(`${WRITERS} concurrent writers on one project on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    let playbook: PublishedPlaybook;
    before(async () => {
      fresh = await backend.fresh();
      ({ service, playbook } = await withMinimal(fresh.database));
    });
    after(() => fresh?.dispose());

    test("one shot each: successes or conflicts, and the state holds exactly the successes", async () => {
      const start = await service.startProject({ playbook, input: startInput("c-once"), now: T0 });
      const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => write(service, "c-once", `w${i}`, hoursAfter(1))));
      const ok = results.flatMap((r) => ("ok" in r ? [r.ok] : []));
      const conflicts = results.flatMap((r) => ("conflict" in r ? [r.conflict] : []));
      assert.equal(ok.length + conflicts.length, WRITERS);
      assert.ok(ok.length >= 1);
      for (const c of conflicts) assert.ok(c.current !== undefined && c.expected !== undefined && c.current > c.expected, c.message);
      const project = await checkHistory(fresh, service, "c-once");
      assert.equal(project.version, start.version + ok.reduce((n, r) => n + r.events.length, 0));
      const titles = Object.values(project.state.issues).map((i) => i.title);
      assert.deepEqual(
        titles.sort(),
        ok.map((r) => (r.events[0]?.event.type === "issue.opened" ? r.events[0].event.issue.title : "")).sort(),
      );
    });

    test("writers that reload and retry on conflict: all of them land, none is lost", async () => {
      const start = await service.startProject({ playbook, input: startInput("c-retry"), now: T0 });
      let conflicts = 0;
      const writer = async (i: number) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const result = await write(service, "c-retry", `w${i}`, hoursAfter(1));
          if ("ok" in result) return result.ok;
          conflicts++;
        }
        throw new Error(`writer ${i} never got through`);
      };
      const ok = await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
      const project = await checkHistory(fresh, service, "c-retry");
      assert.equal(project.version, start.version + ok.reduce((n, r) => n + r.events.length, 0));
      assert.deepEqual(
        Object.values(project.state.issues)
          .map((i) => i.title)
          .sort(),
        Array.from({ length: WRITERS }, (_, i) => `w${i}`).sort(),
      );
      assert.equal(new Set(ok.map((r) => r.version)).size, WRITERS, "each success produced its own version");
      if (backend.name !== "pglite") assert.ok(conflicts > 0, "the writers really raced");
    });

    test("the version check is also in the UPDATE: a stale write without the row lock is refused", async () => {
      const start = await service.startProject({ playbook, input: startInput("c-guard"), now: T0 });
      const engineOutcome = await service.runCommand("c-guard", {
        command: { type: "open_issue", severity: "low", title: "moved on" },
        actor: CSM,
        now: hoursAfter(1),
      });
      assert.ok(engineOutcome.version > start.version);
      const { state } = await service.getProject("c-guard");
      // Pretend a writer read the project at its start version and skipped the lock.
      const stale = { ...state, version: start.version + 1 };
      await assert.rejects(
        fresh.database.db
          .transaction()
          .execute((trx) =>
            persistOutcome(
              trx,
              { id: "c-guard", version: start.version },
              state,
              { state: stale, events: [{ type: "note.added", text: "x", at: hoursAfter(2), actor: OPS.id }], effects: [] },
              hoursAfter(2),
            ),
          ),
        (e) => e instanceof ConflictError,
      );
      await checkHistory(fresh, service, "c-guard");
    });
  });
}
