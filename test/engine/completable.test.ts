// Whatever a project went through (random commands from random people, careless form answers,
// holds, skips, reopenings), the team can still finish it: nothing leaves a project stuck with no
// command that moves it (issue 15: "no random sequence of commands ... leaves a project unable to
// complete"). After the random part, a diligent team (the simulation's driver) works it to the end.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { EngineError, execute, type ProjectEvent, startProject } from "../../src/engine/index.ts";
import { drive, passingValue } from "../../src/engine/simulate.ts";
import { bundleIncludes } from "../../src/playbook/include.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { factSpec } from "../../src/playbook/values.ts";
import { CLIENT, MANAGER, modelOf, Run } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";
import { moves, resolve } from "../support/random-commands.ts";

const seed = (file: string) => modelOf(readFileSync(new URL(`../../playbooks/${file}`, import.meta.url), "utf8"));
const MODELS: [string, PlaybookModel][] = [
  ["minimal", modelOf(MINIMAL)],
  ["sop-cs-001", seed("sop-cs-001.yaml")],
  ["customer-onboarding-gdpr", seed("customer-onboarding-gdpr.yaml")],
  ["onb-001", seed("onb-001.yaml")],
  ["ops-sop-020", seed("ops-sop-020.yaml")],
  ["ops-client-onboarding-template", seed("ops-client-onboarding-template.yaml")],
  // Procedures called from two places, one nested and one shared (issue 15 item 5).
  [
    "kyc-edd (procedures)",
    modelOf(
      bundleIncludes(
        readFileSync(new URL("../fixtures/kyc-edd.yaml", import.meta.url), "utf8"),
        new Map([["kyc_procedures", readFileSync(new URL("../fixtures/procedures/kyc_procedures.yaml", import.meta.url), "utf8")]]),
      ),
    ),
  ],
];
const START = "2026-03-06T15:00:00.000Z";
const DAY = 86_400_000;

describe("a project can always be finished", () => {
  for (const [name, model] of MODELS) {
    test(name, () => {
      const facts = Object.fromEntries(Object.entries(model.playbook.facts).map(([id, f]) => [id, passingValue(factSpec(f))]));
      fc.assert(
        fc.property(moves, (commands) => {
          const start = startProject(model, { projectId: "p", client: CLIENT, facts }, START);
          let state = start.state;
          const events: ProjectEvent[] = [...start.events];
          let clock = Date.parse(START);
          for (const move of commands) {
            // Cancelling ends a project by decision: leave it out, the question is about projects still wanted.
            if (move.kind === "cancel") continue;
            clock += move.minutes * 60_000;
            const { command, actor } = resolve(model, state, move);
            try {
              const out = execute(start.ctx, state, command, actor, new Date(clock).toISOString());
              state = out.state;
              events.push(...out.events);
            } catch (error) {
              if (!(error instanceof EngineError)) throw error;
            }
          }
          // The team picks it up again: resume a hold, resolve open issues, then work every open step.
          const now = new Date(clock + DAY).toISOString();
          if (state.status === "on_hold") state = execute(start.ctx, state, { type: "resume" }, MANAGER, now).state;
          const result = drive(
            model,
            { ctx: start.ctx, state, events },
            {
              start: now,
              maxDays: 400,
              extra: (_day, s) =>
                Object.values(s.issues)
                  .filter((issue) => !issue.resolvedAt)
                  .map((issue) => ({ command: { type: "resolve_issue" as const, issue: issue.id }, actor: MANAGER })),
            },
          );
          const open = Object.entries(result.state.steps)
            .filter(([, st]) => !["done", "skipped", "not_applicable", "dormant"].includes(st.status))
            .map(([id, st]) => `${id}:${st.status}`);
          assert.ok(
            result.state.status === "closed" || result.state.completedAt !== undefined,
            `${name} did not finish: status ${result.state.status}, steps left ${open.join(", ")}; last refusals: ${result.refused
              .slice(-3)
              .map((r) => `${r.command.type} ${"step" in r.command ? r.command.step : ""}: ${r.error}`)
              .join(" | ")}`,
          );
        }),
        { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 60) },
      );
    });
  }
});

describe("completion when the completing step does not run", () => {
  test("skipping the completing step completes the project, so the aftercare that opens after completion runs", () => {
    const model = modelOf(
      edited([
        [
          ["phases", 1, "steps", 4],
          {
            id: "check_in",
            title: "30-day check-in",
            owner: "csm",
            opens: "5 days after completion",
            after: ["go_live"],
            expected_result: "Checked in.",
          },
        ],
      ]),
    );
    const run = new Run(model, START, { facts: { data_migration: false } });
    run.send({ type: "skip_step", step: "handoff", reason: "Signed directly" }, MANAGER, START);
    run.send({ type: "skip_step", step: "kickoff_call", reason: "Held before signing" }, MANAGER, START);
    run.send({ type: "skip_step", step: "uat", reason: "No UAT for this client" }, MANAGER, START);
    const events = run.send({ type: "skip_step", step: "go_live", reason: "Already live on the old contract" }, MANAGER, START);
    assert.deepEqual(run.types(events).slice(0, 3), ["step.skipped:go_live", "project.completed", "step.scheduled:check_in"]);
    assert.equal(events[1]?.reason, "only steps that open after completion are left");
    run.send({ type: "tick" }, MANAGER, "2026-03-12T15:00:00.000Z");
    assert.equal(run.state.steps.check_in?.status, "open");
  });
});
