// Simulated onboarding history for the process-mining forecast (test/mining/forecast.test.ts and
// `npm run bench -- process`): onboardings run through the minimal playbook by the engine, each
// step taking a seeded random, log-normal time (some run long), a third of UATs failing once, and
// an optional drift that makes every step slower the later an onboarding starts.
import assert from "node:assert/strict";
import type { Actor } from "../../src/engine/index.ts";
import type { ProjectEvent } from "../../src/engine/types.ts";
import type { CaseEvents } from "../../src/mining/activities.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { MANAGER, modelOf, Run } from "./engine.ts";
import { MINIMAL } from "./fixtures.ts";

export const HISTORY_MODEL: PlaybookModel = modelOf(MINIMAL);
const HOUR = 3_600_000;
const CLIENT_ACTOR: Actor = { id: "pat", kind: "contact", roles: ["client_primary"] };

/** mulberry32: a small seeded generator, so a history is the same on every run. */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormalHours(random: () => number, medianHours: number, sigma: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(1, Math.round(medianHours * Math.exp(sigma * normal)));
}

export interface SimulatedOnboarding {
  readonly id: string;
  readonly run: Run;
  readonly events: readonly ProjectEvent[];
  readonly startAt: number;
  readonly goLiveAt: string;
}

/** One onboarding from start to go-live; `slower` multiplies every step's typical time (drift). */
export function simulateOnboarding(id: string, startAt: number, random: () => number, slower = 1): SimulatedOnboarding {
  let clock = startAt;
  const next = (hours: number) => {
    clock += hours * HOUR;
    return new Date(clock).toISOString();
  };
  const run = new Run(HISTORY_MODEL, new Date(clock).toISOString(), { projectId: id, facts: { user_count: 25, data_migration: false } });
  const send = (command: Parameters<Run["send"]>[0], hours: number, actor: Actor = MANAGER) => run.send(command, actor, next(hours));
  const typical = (hours: number, sigma: number) => logNormalHours(random, hours * slower, sigma);
  send({ type: "complete_step", step: "handoff" }, typical(20, 0.6));
  send({ type: "approve", step: "kickoff_call", role: "client_primary" }, typical(60, 0.7), CLIENT_ACTOR);
  send({ type: "complete_step", step: "kickoff_call" }, typical(10, 0.5));
  const fails = random() < 0.3;
  send({ type: "submit_form", step: "uat", values: { failed_scenarios: fails ? 3 : 0 } }, typical(200, 0.5));
  send({ type: "complete_step", step: "uat" }, 1);
  if (fails) {
    send({ type: "complete_step", step: "fix_uat" }, typical(72, 0.6));
    send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, typical(48, 0.5));
    send({ type: "complete_step", step: "uat" }, 1);
  }
  send({ type: "complete_step", step: "go_live" }, typical(36, 0.6));
  const goLive = run.events.find((e) => e.type === "project.go_live");
  assert.ok(goLive, "the simulated onboarding went live");
  return { id, run, events: run.events, startAt, goLiveAt: goLive.at };
}

/** The case the miner reads, from an onboarding's events (all of them, or those up to a moment). */
export function caseOf(id: string, events: readonly ProjectEvent[]): CaseEvents {
  return {
    info: {
      projectId: id,
      clientId: `${id}-c`,
      clientName: id,
      playbookId: HISTORY_MODEL.playbook.id,
      playbookVersion: HISTORY_MODEL.playbook.document.version,
      segment: null,
      csm: null,
      status: "active",
      startedAt: events[0]?.at ?? "",
    },
    model: HISTORY_MODEL,
    events: events.map((event, i) => ({ seq: i + 1, event })),
  };
}
