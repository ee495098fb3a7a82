// Random command sequences from random people at random times, against the minimal playbook, the
// largest seed playbook and two real procedures. Whatever happens, the engine's invariants hold.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fieldValueProblem } from "../../src/engine/form-values.ts";
import {
  EngineError,
  execute,
  type ProjectEvent,
  type ProjectState,
  recordRedaction,
  replay,
  startProject,
} from "../../src/engine/index.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import type { Form } from "../../src/playbook/schema.ts";
import { CLIENT, MANAGER, modelOf, sampleFacts } from "../support/engine.ts";
import { MINIMAL } from "../support/fixtures.ts";
import { moves, resolve } from "../support/random-commands.ts";

const MODELS: [string, PlaybookModel][] = [
  ["minimal", modelOf(MINIMAL)],
  ["sop-cs-001", modelOf(readFileSync(new URL("../../playbooks/sop-cs-001.yaml", import.meta.url), "utf8"))],
  // Two real procedures: a shared detour entered from two paths and a delay loop with random answers.
  ["fin-proc-001", modelOf(readFileSync(new URL("../../playbooks/fin-proc-001.yaml", import.meta.url), "utf8"))],
  ["gitlab-tam-onboarding", modelOf(readFileSync(new URL("../../playbooks/gitlab-tam-onboarding.yaml", import.meta.url), "utf8"))],
];

/** Events that must say why they happened. */
const NEEDS_REASON = new Set(["step.skipped", "deadline.extended", "project.cancelled", "project.reopened"]);

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
    if (event.type === "form.submitted") {
      // What is recorded fits what the form declares, whatever was sent.
      const form = model.playbook.forms[event.form];
      assert.ok(form, `form ${event.form} is declared`);
      for (const [id, value] of Object.entries(event.values)) {
        const field: Form["fields"][string] | undefined = form.fields[id];
        assert.ok(field, `${event.form}.${id} is a declared field`);
        assert.equal(fieldValueProblem(field, value), undefined, `${event.form}.${id} recorded ${JSON.stringify(value)}`);
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
      const facts = sampleFacts(model);
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
