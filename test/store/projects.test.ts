// The project service: a start and a run of commands round-trip through the database (the stored
// state equals the engine's, and replaying the stored events rebuilds it), a stale version is
// refused and changes nothing, engine refusals keep their cause, projects stay on their playbook
// version, and assignment counts load from the database.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { engineContext } from "../../src/engine/context.ts";
import { EngineError } from "../../src/engine/errors.ts";
import { execute, replay, startProject } from "../../src/engine/index.ts";
import type { Command, ProjectState } from "../../src/engine/types.ts";
import { verifyAudit } from "../../src/store/audit.ts";
import { ConflictError, isAppError } from "../../src/store/errors.ts";
import { listOutbox } from "../../src/store/outbox.ts";
import { listPeople, upsertPerson } from "../../src/store/people.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { CLIENT, CSM, hoursAfter, json, OPS, startInput, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });

/** Counts of everything a command may write, to show a refused command wrote nothing. */
async function footprint(fresh: FreshDatabase, projectId: string) {
  const db = fresh.database.db;
  const count = async (table: "events" | "outbox" | "idempotency_keys" | "project_roles") =>
    (await db.selectFrom(table).select(db.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
  const project = await db.selectFrom("projects").selectAll().where("id", "=", projectId).executeTakeFirstOrThrow();
  return {
    project: json(project),
    events: Number(await count("events")),
    outbox: Number(await count("outbox")),
    keys: Number(await count("idempotency_keys")),
  };
}

for (const backend of BACKENDS) {
  describe(`projects on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    before(async () => {
      fresh = await backend.fresh();
    });
    after(() => fresh?.dispose());

    test("start and commands round-trip: stored state = engine state = replay of stored events", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const started = await service.startProject({ playbook, input: startInput("p-round"), now: T0 });
      assert.equal(started.replayed, false);
      assert.equal(started.version, started.events.length);
      assert.deepEqual(
        started.events.map((e) => e.seq),
        started.events.map((_, i) => i + 1),
      );

      // The same start and commands on the pure engine, side by side.
      let expected = startProject(playbook.model, { ...startInput("p-round"), people: [] }, T0);
      const ctx = engineContext(playbook.model, expected.state.calendar);
      const steps: [Command, typeof OPS, string][] = [
        [{ type: "complete_step", step: "handoff" }, OPS, hoursAfter(2)],
        [{ type: "approve", step: "kickoff_call", role: "client_primary", comment: "Looks good" }, CLIENT, hoursAfter(20)],
        [{ type: "complete_step", step: "kickoff_call" }, CSM, hoursAfter(21)],
        [{ type: "open_issue", severity: "high", title: "SSO not configured" }, CSM, hoursAfter(22)],
        [{ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, CSM, hoursAfter(30)],
        [{ type: "complete_step", step: "uat" }, CSM, hoursAfter(31)],
      ];
      let state: ProjectState = expected.state;
      let version = started.version;
      for (const [command, actor, now] of steps) {
        const result = await service.runCommand("p-round", { command, actor, expectedVersion: version, now });
        const engine = execute(ctx, state, command, actor, now);
        assert.deepEqual(json(result.events.map((e) => e.event)), json(engine.events), command.type);
        assert.deepEqual(result.effects, engine.effects);
        assert.equal(result.version, engine.state.version);
        state = engine.state;
        version = result.version;
      }
      expected = { ...expected, state };

      const project = await service.getProject("p-round");
      assert.deepEqual(project.state, json(state), "the stored state is the engine's state");
      assert.equal(project.version, state.version);
      assert.equal(project.status, "active");
      assert.deepEqual(project.playbook, { id: "minimal", version: "1.1" });

      const events = await service.listEvents("p-round");
      assert.equal(events.length, project.version);
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
      );
      assert.deepEqual(
        json(
          replay(
            playbook.model,
            events.map((e) => e.event),
          ),
        ),
        project.state,
        "replaying the audit trail rebuilds the state",
      );
      const issue = Object.values(project.state.issues)[0];
      assert.equal(issue?.title, "SSO not configured");
    });

    test("a stale expectedVersion is refused with both versions and changes nothing", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const started = await service.startProject({ playbook, input: startInput("p-stale"), now: T0 });
      const ok = await service.runCommand("p-stale", {
        command: { type: "open_issue", severity: "low", title: "first" },
        actor: CSM,
        expectedVersion: started.version,
        now: hoursAfter(1),
      });
      const before = await footprint(fresh, "p-stale");
      await assert.rejects(
        service.runCommand("p-stale", {
          command: { type: "open_issue", severity: "low", title: "second" },
          actor: CSM,
          expectedVersion: started.version,
          idempotencyKey: "stale-1",
          now: hoursAfter(2),
        }),
        (e) => {
          assert.ok(e instanceof ConflictError);
          assert.equal(e.code, "conflict");
          assert.equal(e.expected, started.version);
          assert.equal(e.current, ok.version);
          assert.match(e.message, new RegExp(`at version ${ok.version}, not ${started.version}`));
          return true;
        },
      );
      assert.deepEqual(await footprint(fresh, "p-stale"), before, "state, version, events, outbox and idempotency keys unchanged");
    });

    test("an engine refusal is a coded error with the EngineError as cause, and changes nothing", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      await service.startProject({ playbook, input: startInput("p-refused"), now: T0 });
      const before = await footprint(fresh, "p-refused");
      await assert.rejects(
        service.runCommand("p-refused", { command: { type: "complete_step", step: "go_live" }, actor: CSM, now: hoursAfter(1) }),
        (e) => {
          assert.ok(isAppError(e, "illegal_state"), String(e));
          assert.ok(e.cause instanceof EngineError);
          assert.equal(e.details.step, "go_live");
          return true;
        },
      );
      await assert.rejects(
        service.runCommand("p-refused", { command: { type: "cancel", reason: "no" }, actor: CSM, now: hoursAfter(1) }),
        (e) => isAppError(e, "forbidden"),
      );
      await assert.rejects(service.runCommand("p-nope", { command: { type: "tick" }, actor: OPS, now: hoursAfter(1) }), (e) =>
        isAppError(e, "not_found"),
      );
      assert.deepEqual(await footprint(fresh, "p-refused"), before);
    });

    test("moving a project to a newer version: a preview, then one logged migration", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const v13 = edited([
        [["document", "version"], "1.3"],
        [["document", "revisions", 2], { version: "1.3", date: "2026-03-01", changes: "Contract check before the kickoff" }],
        [["phases", 0, "steps", 1, "checklist"], ["Contract countersigned"]],
      ]);
      const started = await service.startProject({ playbook, input: startInput("p-move"), now: T0 });
      await service.publishPlaybook(v13, { now: T0 });
      const plan = await service.previewMigration("p-move", "1.3", hoursAfter(1));
      assert.deepEqual(plan.changed, [{ step: "kickoff_call", changes: ["checklist changed"] }]);
      assert.deepEqual(plan.blockers, []);
      await assert.rejects(service.migrateProject("p-move", { toVersion: "1.3", actor: CSM, reason: "SOP 1.3", now: hoursAfter(1) }), (e) =>
        isAppError(e, "forbidden"),
      );
      await assert.rejects(
        service.migrateProject("p-move", {
          toVersion: "1.3",
          actor: OPS,
          reason: "SOP 1.3",
          expectedVersion: started.version - 1,
          now: hoursAfter(1),
        }),
        (e) => e instanceof ConflictError,
      );
      const moved = await service.migrateProject("p-move", {
        toVersion: "1.3",
        actor: OPS,
        reason: "SOP 1.3",
        expectedVersion: started.version,
        now: hoursAfter(1),
      });
      assert.equal(moved.events[0]?.event.type, "project.migrated");
      const project = await service.getProject("p-move");
      assert.deepEqual(project.playbook, { id: "minimal", version: "1.3" });
      assert.deepEqual(project.state.playbook, { id: "minimal", version: "1.3" });
      // The audit trail still verifies across the move.
      const report = await verifyAudit(fresh.database, "p-move");
      assert.ok(report.intact);
    });

    test("a project stays on the playbook version it started on", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const v12 = edited([
        [["document", "version"], "1.2"],
        [["document", "revisions", 2], { version: "1.2", date: "2026-03-01", changes: "Contract check before the handoff" }],
        [["phases", 0, "steps", 0, "checklist"], ["Contract countersigned"]],
      ]);
      const old = await service.startProject({ playbook, input: startInput("p-v11"), now: T0 });
      const newer = await service.publishPlaybook(v12, { now: T0 });
      assert.equal(newer.version, "1.2");
      await service.startProject({ playbook: newer, input: startInput("p-v12"), now: T0 });

      // 1.2 requires the checklist before the handoff completes; the 1.1 project keeps its rules.
      const done = await service.runCommand("p-v11", {
        command: { type: "complete_step", step: "handoff" },
        actor: OPS,
        expectedVersion: old.version,
        now: hoursAfter(1),
      });
      assert.ok(done.events.some((e) => e.event.type === "step.completed"));
      await assert.rejects(
        service.runCommand("p-v12", { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) }),
        (e) => isAppError(e, "illegal_state") && /checklist/.test(e.message),
      );
      assert.deepEqual((await service.getProject("p-v12")).playbook, { id: "minimal", version: "1.2" });

      // A version's text is fixed once published; the same text again is fine.
      await service.publishPlaybook(MINIMAL, { now: hoursAfter(5) });
      await assert.rejects(
        service.publishPlaybook(MINIMAL.replace("Kickoff call", "Kick-off call"), { now: hoursAfter(5) }),
        (e) => isAppError(e, "conflict") && /raise document.version/.test(e.message),
      );
      await assert.rejects(
        service.startProject({ playbook: { id: "minimal", version: "9.9" }, input: startInput("p-v99"), now: T0 }),
        (e) => isAppError(e, "not_found"),
      );
    });

    test("assignment uses the directory's capacity and the load counted in the database", async () => {
      const service = new ProjectService(fresh.database);
      const text = edited([
        [["id"], "assigned"],
        [["roles", "csm", "assignment"], { strategies: ["least_loaded"], capacity: 2 }],
      ]);
      const playbook = await service.publishPlaybook(text, { now: T0 });
      await upsertPerson(fresh.database.db, { id: "alice", name: "Alice", roles: ["csm"], capacity: 1 }, T0);
      await upsertPerson(fresh.database.db, { id: "bob", name: "Bob", roles: ["csm"] }, T0);
      await upsertPerson(fresh.database.db, { id: "carol", name: "Carol", roles: ["ae"] }, T0);
      const csmOf = async (id: string) => (await service.getProject(id)).state.assignments.csm;

      await service.startProject({ playbook, input: startInput("a-1"), now: T0 });
      await service.startProject({ playbook, input: startInput("a-2"), now: T0 });
      await service.startProject({ playbook, input: startInput("a-3"), now: T0 });
      assert.equal(await csmOf("a-1"), "alice", "least loaded, ties by id");
      assert.equal(await csmOf("a-2"), "bob", "alice is at her own capacity of 1");
      assert.equal(await csmOf("a-3"), "bob", "bob has the role's capacity of 2");

      const full = await service.startProject({ playbook, input: startInput("a-4"), now: T0 });
      assert.equal(await csmOf("a-4"), undefined);
      assert.ok(full.events.some((e) => e.event.type === "assignment.failed" && e.event.role === "csm"));
      const outbox = await listOutbox(fresh.database.db, { projectId: "a-4" });
      assert.deepEqual(
        outbox.map((o) => o.effect.kind),
        ["assignment_needed"],
      );

      const people = Object.fromEntries((await listPeople(fresh.database.db)).map((p) => [p.id, p.activeProjects]));
      assert.deepEqual(people, { alice: 1, bob: 2, carol: 0 });

      // A cancelled project no longer counts: alice is free again.
      await service.runCommand("a-1", { command: { type: "cancel", reason: "deal lost" }, actor: OPS, now: hoursAfter(1) });
      await service.startProject({ playbook, input: startInput("a-5"), now: hoursAfter(2) });
      assert.equal(await csmOf("a-5"), "alice");

      // A reassignment moves the load with it.
      await service.runCommand("a-5", { command: { type: "assign", role: "csm", person: "bob" }, actor: OPS, now: hoursAfter(3) });
      const after = Object.fromEntries((await listPeople(fresh.database.db)).map((p) => [p.id, p.activeProjects]));
      assert.deepEqual(after, { alice: 0, bob: 3, carol: 0 });
    });

    test("a CRM deal starts one project however often its webhook arrives", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const deal = { source: "hubspot", dealId: "D-42", stage: "closedwon", amount: 12000 };
      await service.startProject({ playbook, input: startInput("p-deal", { deal }), now: T0 });
      await assert.rejects(service.startProject({ playbook, input: startInput("p-deal-again", { deal }), now: hoursAfter(1) }), (e) => {
        assert.ok(e instanceof ConflictError);
        assert.match(e.message, /already started project p-deal/);
        return true;
      });
      await assert.rejects(service.getProject("p-deal-again"), (e) => isAppError(e, "not_found"));
      await assert.rejects(service.startProject({ playbook, input: startInput("p-deal"), now: hoursAfter(1) }), (e) =>
        isAppError(e, "conflict"),
      );
    });
  });
}
