// The flow's step sets (src/engine/step-sets.ts) are kept up to date from each event instead of
// rescanned (issue #18). Under random commands on every bundled playbook they must always equal a
// scan of the whole state (verifyStepSets makes every catch-up compare, inside commands too), and a
// command must give the same outcome whether its state's sets were carried over or scanned afresh
// (a state loaded from a database). No timing here: the speed is measured by bench/engine-scaling.ts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { EngineError, execute, type ProjectState, startProject } from "../../src/engine/index.ts";
import { verifyStepSets } from "../../src/engine/step-sets.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { CLIENT, modelOf, person, sampleFacts } from "../support/engine.ts";
import { flowStep, MINIMAL, oneFlow } from "../support/fixtures.ts";
import { moves, resolve } from "../support/random-commands.ts";

const dir = new URL("../../playbooks/", import.meta.url);
const MODELS: [string, PlaybookModel][] = [
  ["minimal", modelOf(MINIMAL)],
  ...readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f): [string, PlaybookModel] => [f, modelOf(readFileSync(new URL(f, dir), "utf8"))]),
];

describe("step sets equal a scan of the state", () => {
  before(() => verifyStepSets(true));
  after(() => verifyStepSets(false));
  for (const [name, model] of MODELS) {
    test(name, () => {
      const facts = sampleFacts(model);
      fc.assert(
        fc.property(moves, (commands) => {
          const start = startProject(model, { projectId: "p", client: CLIENT, facts }, "2026-03-06T15:00:00.000Z");
          let state: ProjectState = start.state;
          let clock = Date.parse("2026-03-06T15:00:00.000Z");
          for (const move of commands) {
            clock += move.minutes * 60_000;
            const { command, actor } = resolve(model, state, move);
            const now = new Date(clock).toISOString();
            // The same state as a database gives it back: no sets carried over, scanned afresh.
            const loaded = JSON.parse(JSON.stringify(state)) as ProjectState;
            const run = (from: ProjectState) => {
              try {
                return execute(start.ctx, from, command, actor, now);
              } catch (error) {
                if (!(error instanceof EngineError)) throw error;
                return error.message;
              }
            };
            const carried = run(state);
            assert.deepEqual(run(loaded), carried, `${command.type}: same outcome from a loaded state`);
            if (typeof carried !== "string") state = carried.state;
          }
        }),
        { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 60) },
      );
    });
  }
});

/**
 * Random flows of the shapes whose readiness reads other steps than the ones waited for: loops,
 * detours, on-demand steps a decision may activate (and a step after each), steps left out.
 */
function generatedFlow(styles: readonly string[], leftOut: boolean): string {
  const step = flowStep;
  const steps: unknown[] = [];
  const forms: Record<string, unknown> = {};
  styles.forEach((style, i) => {
    forms[`check${i}`] = { title: `Check ${i}`, fields: { missing: { label: "Missing", type: "int", required: true } } };
    const complete = { label: "Complete", when: `forms.check${i}.missing == 0`, next: "continue" };
    const missing =
      style === "detour"
        ? { label: "Missing", otherwise: true, detour: [`fix${i}`], next: "continue" }
        : style === "activate"
          ? { label: "Missing", otherwise: true, actions: [{ activate: { step: `fix${i}` } }], next: "continue" }
          : { label: "Missing", otherwise: true, next: `fix${i}` };
    const back = style === "retest" ? { next: `review${i}` } : style === "redo" ? { next: `collect${i}` } : {};
    steps.push(
      step(`collect${i}`),
      step(`review${i}`, { form: `check${i}`, decision: { question: `Check ${i}?`, branches: [complete, missing] } }),
      step(`fix${i}`, { on_demand: true, ...back }),
      // Waiting for the decision alone (a detour's steps hold it), or for the on-demand step alone
      // (which stands in for its decision once that decided not to run it).
      step(`after${i}`, { after: [style === "detour" ? `review${i}` : `fix${i}`] }),
    );
  });
  if (leftOut) steps.push(step("migrate", { when: "facts.data_migration", after: ["collect0"] }));
  steps.push(step("finish", { after: [`after${styles.length - 1}`, ...(leftOut ? ["migrate"] : [])] }));
  return oneFlow(steps, forms, "Days 1-60");
}

describe("step sets equal a scan on random loops, detours and optional steps", () => {
  before(() => verifyStepSets(true));
  after(() => verifyStepSets(false));
  const STYLES = ["retest", "redo", "oneway", "detour", "activate"];
  const csm = person("csm");
  test("random completions and decisions", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STYLES), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.constantFrom("complete", "skip", "reopen_step")), { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        (styles, picks, leftOut, migration) => {
          const model = modelOf(generatedFlow(styles, leftOut));
          const start = startProject(
            model,
            { projectId: "p", client: CLIENT, facts: { data_migration: migration } },
            "2026-03-06T15:00:00.000Z",
          );
          let state = start.state;
          picks.forEach(([pick, missing, kind], n) => {
            const now = new Date(Date.parse("2026-03-06T15:00:00.000Z") + n * 3_600_000).toISOString();
            const candidates = Object.values(state.steps).filter((s) =>
              kind === "reopen_step" ? s.status === "done" : s.status === "open",
            );
            const chosen = candidates[pick % Math.max(1, candidates.length)];
            if (!chosen) return;
            const run = (from: ProjectState) => {
              try {
                let out = from;
                if (chosen.id.startsWith("review") && kind === "complete")
                  out = execute(start.ctx, out, { type: "submit_form", step: chosen.id, values: { missing } }, csm, now).state;
                const command =
                  kind === "complete"
                    ? { type: "complete_step" as const, step: chosen.id }
                    : kind === "skip"
                      ? { type: "skip_step" as const, step: chosen.id, reason: "Not needed" }
                      : { type: "reopen_step" as const, step: chosen.id, reason: "Redo" };
                return execute(start.ctx, out, command, csm, now);
              } catch (error) {
                if (!(error instanceof EngineError)) throw error;
                return error.message;
              }
            };
            const carried = run(state);
            assert.deepEqual(run(JSON.parse(JSON.stringify(state)) as ProjectState), carried, "same outcome from a loaded state");
            if (typeof carried !== "string") state = carried.state;
          });
        },
      ),
      { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 150) },
    );
  });
});
