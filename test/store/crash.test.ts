// A worker process is killed with SIGKILL at random points while it sends commands. After every
// restart the work goes on from the last acknowledged command: nothing acknowledged is lost,
// nothing is applied twice (the idempotency keys), the hash chain verifies, and no timer fires
// twice: the final project equals what the pure engine computes for the same script.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { execute, type ProjectState, startProject } from "../../src/engine/index.ts";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { verifyAudit } from "../../src/store/audit.ts";
import { openDatabase, parseDatabaseTarget } from "../../src/store/database.ts";
import { loadEvents } from "../../src/store/event-log.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { testBackends } from "./support/backends.ts";
import { CRASH_PROJECT, crashPlaybook, crashScript, crashStart } from "./support/crash-script.ts";

const WORKER = fileURLToPath(new URL("./support/crash-worker.ts", import.meta.url));
const KILLS = 6;

/** The embedded server's postmaster for a data folder, to kill with its worker (a power cut takes both). */
function postmasterOf(folder: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(folder, "postgres", "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Run a worker from `from`; kill it after `killAfter` acknowledgements (or let it finish). With
 * `wholeTree`, the embedded server the worker started is killed at the same moment.
 */
function runWorker(
  target: string,
  from: number,
  killAfter: number | undefined,
  wholeTree = false,
): Promise<{ lastAck: number; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, target, String(from)], { stdio: ["ignore", "pipe", "pipe"] });
    let lastAck = from - 1;
    let acks = 0;
    let done = false;
    let buffer = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.stdout.on("data", (chunk) => {
      buffer += String(chunk);
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === "DONE") done = true;
        const ack = /^ACK (-?\d+)$/.exec(line);
        if (!ack) continue;
        lastAck = Number(ack[1]);
        acks++;
        if (killAfter !== undefined && acks >= killAfter) {
          const postmaster = wholeTree ? postmasterOf(target) : undefined;
          child.kill("SIGKILL");
          if (postmaster !== undefined) process.kill(postmaster, "SIGKILL");
        }
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL" || code === 0) resolve({ lastAck, done });
      else reject(new Error(`worker exited ${code}: ${stderr}`));
    });
  });
}

function expectedState(): ProjectState {
  const model = loadPlaybook("crash.yaml", crashPlaybook()).model;
  assert.ok(model);
  const start = startProject(model, crashStart().input, crashStart().now);
  let state = start.state;
  for (const step of crashScript()) state = execute(start.ctx, state, step.command, step.actor, step.now).state;
  return state;
}

// The backends run side by side: each has its own folder or database, and a worker's time is
// mostly its own process starting and opening the database, so two cores take them at once.
describe("killed workers lose and duplicate nothing", { concurrency: true }, async () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  for (const backend of await testBackends({ embedded: true })) {
    // The embedded server runs in its own data folder, as `onboard serve` runs it, and is killed
    // with its worker; kill -9 of the worker alone is the orphan case (stopped at the next start).
    test(backend.name === "embedded" ? "embedded server, killed with its worker" : backend.name, { skip: backend.skip }, async () => {
      let target: string;
      let dispose = async () => {};
      if (backend.name === "pglite" || backend.name === "embedded") {
        const folder = mkdtempSync(join(tmpdir(), "onboard-crash-"));
        folders.push(folder);
        target = backend.name === "pglite" ? `pglite:${folder}` : folder;
      } else {
        const fresh = await backend.fresh();
        target = fresh.target.kind === "postgres" ? fresh.target.url : "";
        await fresh.database.close();
        dispose = fresh.dispose;
      }
      try {
        // Kill points drawn by fast-check: reproducible from its seed when a run fails.
        const killPoints = fc.sample(fc.integer({ min: 1, max: 15 }), KILLS);
        let from = 0;
        for (const killAfter of killPoints) {
          const { lastAck, done } = await runWorker(target, from, killAfter, backend.name === "embedded");
          if (done) break;
          from = lastAck + 1;
        }
        const last = await runWorker(target, from, undefined);
        assert.ok(last.done, "the last worker finished the script");

        const database = await openDatabase(parseDatabaseTarget(target));
        try {
          const project = await new ProjectService(database).getProject(CRASH_PROJECT);
          const expected = expectedState();
          assert.deepEqual(
            JSON.parse(JSON.stringify(project.state)),
            JSON.parse(JSON.stringify(expected)),
            "the stored project is exactly the uninterrupted one",
          );
          const events = await loadEvents(database.db, CRASH_PROJECT);
          assert.deepEqual(
            events.map((e) => e.seq),
            events.map((_, i) => i + 1),
            "no event lost or duplicated",
          );
          const fired = events.filter((e) => e.event.type === "rule.fired").length;
          assert.ok(fired > 0, "the escalation timers fired");
          const report = await verifyAudit(database, CRASH_PROJECT);
          assert.ok(
            report.projects.every((p) => p.intact),
            JSON.stringify(report),
          );
        } finally {
          await database.close();
        }
      } finally {
        await dispose();
      }
    });
  }
});
