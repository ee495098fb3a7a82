// Random command sequences from random people at random times, against the minimal playbook, the
// largest seed playbook and two real procedures. Whatever happens, the engine's invariants hold.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type Actor,
  type Command,
  EngineError,
  execute,
  type ProjectEvent,
  type ProjectState,
  recordRedaction,
  replay,
  SYSTEM,
  startProject,
} from "../../src/engine/index.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { CLIENT, MANAGER, modelOf } from "../support/engine.ts";
import { MINIMAL } from "../support/fixtures.ts";

const MODELS: [string, PlaybookModel][] = [
  ["minimal", modelOf(MINIMAL)],
  ["sop-cs-001", modelOf(readFileSync(new URL("../../playbooks/sop-cs-001.yaml", import.meta.url), "utf8"))],
  // Two real procedures: a shared detour entered from two paths and a delay loop with random answers.
  ["fin-proc-001", modelOf(readFileSync(new URL("../../playbooks/fin-proc-001.yaml", import.meta.url), "utf8"))],
  ["gitlab-tam-onboarding", modelOf(readFileSync(new URL("../../playbooks/gitlab-tam-onboarding.yaml", import.meta.url), "utf8"))],
];

/** Events that must say why they happened. */
const NEEDS_REASON = new Set(["step.skipped", "deadline.extended", "project.cancelled", "project.reopened"]);

type Kind =
  | "complete"
  | "approve"
  | "reject"
  | "tick_item"
  | "form"
  | "start"
  | "skip"
  | "extend"
  | "reopen_step"
  | "hold"
  | "resume"
  | "cancel"
  | "reopen"
  | "issue"
  | "resolve"
  | "training"
  | "tick";
const KINDS: [Kind, number][] = [
  ["complete", 8],
  ["approve", 4],
  ["reject", 1],
  ["tick_item", 4],
  ["form", 3],
  ["start", 2],
  ["skip", 1],
  ["extend", 1],
  ["reopen_step", 1],
  ["hold", 1],
  ["resume", 2],
  ["cancel", 1],
  ["reopen", 2],
  ["issue", 1],
  ["resolve", 1],
  ["training", 2],
  ["tick", 5],
];

/** Abstract moves, resolved against the project's state when they run, so random runs go deep. */
const moves = fc.array(
  fc.record({
    kind: fc.oneof(...KINDS.map(([kind, weight]) => ({ weight, arbitrary: fc.constant(kind) }))),
    pick: fc.nat(),
    who: fc.oneof(
      { weight: 8, arbitrary: fc.constant("right" as const) },
      { weight: 1, arbitrary: fc.constant("anyone" as const) },
      { weight: 1, arbitrary: fc.constant("manager" as const) },
    ),
    reason: fc.oneof({ weight: 1, arbitrary: fc.constant("") }, { weight: 4, arbitrary: fc.constant("Client asked") }),
    value: fc.nat(3),
    minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  }),
  { minLength: 20, maxLength: 120 },
);
type Move = typeof moves extends fc.Arbitrary<(infer M)[]> ? M : never;

function resolve(model: PlaybookModel, state: ProjectState, move: Move): { command: Command; actor: Actor } {
  const roles = Object.keys(model.playbook.roles);
  const as = (role: string): Actor => ({
    id: `${role}-1`,
    kind: model.playbook.roles[role]?.side === "client" ? "contact" : "user",
    roles: [role],
  });
  const fits = (st: PlaybookModel["order"][number]["step"]) =>
    move.kind === "approve" || move.kind === "reject"
      ? st.gate !== undefined
      : move.kind === "form"
        ? st.form !== undefined
        : move.kind === "tick_item"
          ? st.checklist.length > 0
          : true;
  const open = model.order
    .filter((e) => ["open", "in_progress"].includes(state.steps[e.step.id]?.status ?? "") && fits(e.step))
    .map((e) => e.step);
  const any = model.order.map((e) => e.step);
  const step =
    (open.length > 0 && move.who !== "anyone" ? open : any)[
      move.pick % (open.length > 0 && move.who !== "anyone" ? open.length : any.length)
    ] ?? any[0];
  if (!step) throw new Error("empty playbook");
  const randomRole = as(roles[move.pick % roles.length] ?? "x");
  const owner = move.who === "manager" ? MANAGER : move.who === "anyone" ? randomRole : as(step.owner);
  const approverRole = step.gate?.approvers[move.pick % step.gate.approvers.length];
  switch (move.kind) {
    case "complete":
      return { command: { type: "complete_step", step: step.id }, actor: owner };
    case "approve":
    case "reject": {
      const role = approverRole ?? roles[0] ?? "x";
      const actor = move.who === "right" ? as(role) : owner;
      return {
        command:
          move.kind === "approve"
            ? { type: "approve", step: step.id, role }
            : { type: "reject", step: step.id, role, comment: "Please revise" },
        actor,
      };
    }
    case "tick_item":
      return {
        command: {
          type: "tick_checklist",
          step: step.id,
          item: String((move.pick % Math.max(1, step.checklist.length)) + 1),
          checked: move.value > 0,
        },
        actor: owner,
      };
    case "form": {
      const fields = model.playbook.forms[step.form ?? ""]?.fields ?? {};
      const values = Object.fromEntries(
        Object.entries(fields).map(([id, f]) => [
          id,
          f.type === "int"
            ? move.value
            : f.type === "bool"
              ? move.value > 0
              : f.type === "double"
                ? move.value * 30
                : f.type === "list"
                  ? []
                  : "text",
        ]),
      );
      return { command: { type: "submit_form", step: step.id, values }, actor: owner };
    }
    case "start":
      return { command: { type: "start_step", step: step.id }, actor: owner };
    case "skip":
      return { command: { type: "skip_step", step: step.id, reason: move.reason }, actor: MANAGER };
    case "extend":
      return {
        command: { type: "extend_deadline", step: step.id, until: "2027-01-01T00:00:00.000Z", reason: move.reason },
        actor: MANAGER,
      };
    case "reopen_step":
      return { command: { type: "reopen_step", step: any[move.pick % any.length]?.id ?? step.id, reason: move.reason }, actor: MANAGER };
    case "hold":
      return { command: { type: "hold", reason: move.reason }, actor: MANAGER };
    case "resume":
      return { command: { type: "resume" }, actor: MANAGER };
    case "cancel":
      return { command: { type: "cancel", reason: move.reason }, actor: MANAGER };
    case "reopen":
      return { command: { type: "reopen", reason: move.reason }, actor: MANAGER };
    case "issue":
      return { command: { type: "open_issue", severity: move.value > 1 ? "critical" : "minor", title: "Broken" }, actor: owner };
    case "resolve":
      return { command: { type: "resolve_issue", issue: `issue-${move.value}` }, actor: owner };
    case "training": {
      const tracks = Object.keys(model.playbook.training?.tracks ?? {});
      return {
        command: {
          type: "record_training",
          track: tracks[move.pick % Math.max(1, tracks.length)] ?? "none",
          person: "p",
          score: move.value * 33,
        },
        actor: owner,
      };
    }
    case "tick":
      return { command: { type: "tick" }, actor: SYSTEM };
  }
}

function checkInvariants(
  model: PlaybookModel,
  before: ProjectState,
  after: ProjectState,
  events: readonly ProjectEvent[],
  now: string,
): void {
  for (const event of events) {
    assert.ok(event.at && event.actor, `${event.type} has time and actor`);
    assert.ok(event.at <= now, `${event.type} is not in the future`);
    if (NEEDS_REASON.has(event.type)) assert.ok(event.reason?.trim(), `${event.type} has a reason`);
    if (event.type === "step.completed") {
      const def = model.steps.get(event.step)?.step;
      const state = after.steps[event.step];
      if (def?.gate) {
        const approved = def.gate.approvers.filter((r) => state?.approvals[r]?.decision === "approved");
        assert.ok(
          def.gate.rule === "any" ? approved.length > 0 : approved.length === def.gate.approvers.length,
          `gate of ${event.step} passed before completion`,
        );
      }
    }
    if (event.type === "step.opened") {
      assert.notEqual(before.status, "cancelled");
    }
  }
  assert.equal(after.version, before.version + events.length);
  // A step is open only when what it waits for is finished (or left out for this client).
  for (const [id, step] of Object.entries(after.steps)) {
    if (step.status !== "open" && step.status !== "in_progress") continue;
    const deps = model.steps.get(id)?.after ?? [];
    for (const dep of deps) {
      const status = after.steps[dep]?.status;
      if (status === "looping") continue;
      assert.ok(status !== "blocked" && status !== "scheduled", `${id} is open while ${dep} is ${status}`);
    }
  }
}

describe("engine invariants under random commands", () => {
  for (const [name, model] of MODELS) {
    test(name, () => {
      const facts = Object.fromEntries(
        Object.entries(model.playbook.facts).map(([id, f]) => [
          id,
          f.type === "bool"
            ? true
            : f.type === "int"
              ? 150
              : f.type === "double"
                ? 1.5
                : f.type === "list"
                  ? ["a"]
                  : f.type === "date"
                    ? "2026-06-01"
                    : (f.values?.[0] ?? "x"),
        ]),
      );
      fc.assert(
        fc.property(moves, (commands) => {
          const start = startProject(model, { projectId: "p", client: CLIENT, facts }, "2026-03-06T15:00:00.000Z");
          let state = start.state;
          const events: ProjectEvent[] = [...start.events];
          let clock = Date.parse("2026-03-06T15:00:00.000Z");
          for (const move of commands) {
            clock += move.minutes * 60_000;
            const { command, actor } = resolve(model, state, move);
            const now = new Date(clock).toISOString();
            try {
              const out = execute(start.ctx, state, command, actor, now);
              checkInvariants(model, state, out.state, out.events, now);
              state = out.state;
              events.push(...out.events);
            } catch (error) {
              if (!(error instanceof EngineError)) throw error;
            }
            // Now and then an erasure is recorded in the chain: the state changes only in version.
            if (move.pick % 13 === 0) {
              const seq = 1 + (move.pick % state.version);
              const out = recordRedaction(state, { seq, paths: [["x"]], payloadHash: "0".repeat(64), reason: "GDPR" }, MANAGER, now);
              assert.deepEqual({ ...out.state, version: state.version }, state, "a redaction record changes nothing but the version");
              state = out.state;
              events.push(...out.events);
            }
          }
          assert.deepEqual(replay(model, events), state, "replaying the events rebuilds the state");
        }),
        { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? (name === "minimal" ? 500 : 300)) },
      );
    });
  }
});
