// One demo client's story: who they are (company, country, segment, the playbook's facts), when
// they started, and how their onboarding goes (on time, slow, stuck on a step, on hold, cancelled,
// a failed UAT, an issue, happy or unhappy in the surveys). The engine then plays it out
// (simulate.ts with a moving clock), so the history is what the engine itself produces.
import type { Command } from "../engine/types.ts";
import type { Playbook, Step } from "../playbook/schema.ts";
import { companyName, type Place, type Rng, weightedPlace } from "./names.ts";

export type Pace = "on_time" | "slow" | "stuck";
export type Mood = "happy" | "neutral" | "unhappy";

export interface Scenario {
  readonly place: Place;
  readonly clientName: string;
  readonly segment: "smb" | "mid_market" | "enterprise";
  readonly facts: Record<string, unknown>;
  /** Days before `now` the project started. */
  readonly startedDaysAgo: number;
  readonly pace: Pace;
  readonly mood: Mood;
  readonly stuckStep: string | undefined;
  readonly hold: { readonly day: number; readonly days: number } | undefined;
  readonly cancelDay: number | undefined;
  readonly issue: { readonly day: number; readonly severity: "minor" | "high" | "critical"; readonly days: number } | undefined;
  readonly uatFails: boolean;
  readonly trainingRetake: boolean;
  readonly adoption: number;
}

const SEGMENTS = ["smb", "mid_market", "enterprise"] as const;

function segmentFor(r: Rng): Scenario["segment"] {
  const x = r.next();
  return x < 0.45 ? "smb" : x < 0.8 ? "mid_market" : "enterprise";
}

function factsFor(r: Rng, playbook: Playbook, segment: Scenario["segment"], place: Place): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const [id, def] of Object.entries(playbook.facts)) {
    switch (def.type) {
      case "bool":
        facts[id] = id.includes("soc2") ? segment === "enterprise" && r.chance(0.6) : r.chance(0.4);
        break;
      case "int":
        facts[id] =
          id === "user_count"
            ? segment === "smb"
              ? r.int(8, 100)
              : segment === "mid_market"
                ? r.int(101, 500)
                : r.int(501, 5000)
            : id.includes("week")
              ? r.int(6, 16)
              : r.int(1, 40);
        break;
      case "double":
        facts[id] = r.int(1, 100);
        break;
      case "string":
        if (def.values) {
          const wanted =
            id === "account_type" ? (segment === "enterprise" ? "enterprise" : segment === "smb" ? "smb" : "partner") : undefined;
          facts[id] = wanted && def.values.includes(wanted) ? wanted : r.pick(def.values);
        } else if (id === "segment") facts[id] = segment;
        else if (id === "territory") facts[id] = place.territory;
        else if (id === "specialization") facts[id] = r.pick(["saas", "fintech", "healthcare", "manufacturing"]);
        else if (id === "support_tier") facts[id] = segment === "enterprise" ? "premium" : "standard";
        else facts[id] = "standard";
        break;
      case "list":
        facts[id] = id === "products" ? ["core", ...(r.chance(0.5) ? ["analytics"] : []), ...(r.chance(0.3) ? ["integrations"] : [])] : [];
        break;
      case "date":
        break;
    }
  }
  return facts;
}

export function scenarioFor(r: Rng, playbook: Playbook, options: { readonly months: number; readonly names: Set<string> }): Scenario {
  const place = weightedPlace(r);
  const segment = segmentFor(r);
  const steps = playbook.phases.flatMap((p) => p.steps).filter((s) => !s.on_demand && !s.opens);
  const pace: Pace = r.chance(0.62) ? "on_time" : r.chance(0.7) ? "slow" : "stuck";
  // More recent starts than old ones: a growing business, and old onboardings are mostly closed.
  const startedDaysAgo = 1 + Math.floor(r.next() ** 1.4 * Math.max(2, Math.round(options.months * 30.4)));
  const mood: Mood = pace === "on_time" ? (r.chance(0.75) ? "happy" : "neutral") : r.chance(0.5) ? "neutral" : "unhappy";
  const hold = r.chance(0.07) ? { day: r.int(5, 40), days: r.int(7, 45) } : undefined;
  const cancelDay = r.chance(0.035) ? r.int(7, 60) : undefined;
  const issue = r.chance(0.18)
    ? { day: r.int(3, 50), severity: r.pick(["minor", "minor", "high", "critical"] as const), days: r.int(1, 12) }
    : undefined;
  return {
    place,
    clientName: companyName(r, place, options.names),
    segment,
    facts: factsFor(r, playbook, segment, place),
    startedDaysAgo,
    pace,
    mood,
    stuckStep:
      pace === "stuck" ? steps[r.int(Math.floor(steps.length / 4), Math.max(0, Math.floor((steps.length * 3) / 4)))]?.id : undefined,
    hold,
    cancelDay,
    issue,
    uatFails: r.chance(0.2),
    trainingRetake: r.chance(0.12),
    adoption: mood === "happy" ? r.int(72, 96) : mood === "neutral" ? r.int(55, 85) : r.int(30, 65),
  };
}

/** Days the team takes on a step, by pace (undefined: the simulation's on-time default). */
export function workDays(scenario: Scenario, r: Rng): (step: Step, attempt: number) => number | undefined {
  return (step) => {
    if (step.id === scenario.stuckStep) return 30 + (step.id.length % 20);
    if (scenario.pace === "slow") return step.due ? (r.chance(0.25) ? r.int(6, 15) : undefined) : r.int(3, 6);
    return undefined;
  };
}

export function npsScore(mood: Mood, r: Rng): number {
  return mood === "happy" ? r.int(9, 10) : mood === "neutral" ? r.int(7, 9) : r.int(2, 6);
}

export function csatScore(mood: Mood, r: Rng): number {
  return mood === "happy" ? r.int(4, 5) : mood === "neutral" ? r.int(3, 5) : r.int(1, 3);
}

export const MANAGER_ACTOR = { id: "demo-cs-ops", kind: "user", roles: [], manager: true } as const;

/** The commands of a scenario's incidents, on the day they happen. */
export function incidents(scenario: Scenario, day: number, openIssues: readonly string[]): Command[] {
  const out: Command[] = [];
  if (scenario.hold && day === scenario.hold.day)
    out.push({ type: "hold", reason: "The client asked to pause for an internal reorganisation" });
  if (scenario.hold && day === scenario.hold.day + scenario.hold.days) out.push({ type: "resume", reason: "The client is ready again" });
  if (scenario.cancelDay === day) out.push({ type: "cancel", reason: "The client terminated the contract during onboarding" });
  if (scenario.issue && day === scenario.issue.day)
    out.push({ type: "open_issue", severity: scenario.issue.severity, title: "Integration with the client's identity provider fails" });
  if (scenario.issue && day === scenario.issue.day + scenario.issue.days)
    for (const id of openIssues) out.push({ type: "resolve_issue", issue: id });
  return out;
}

export { SEGMENTS };
