// Portfolio health: red, amber or green with the reasons, a pure function of a project's facts and
// `now`. The rules, worst first (each rule that holds adds its reason; the worst colour wins):
//
//   red    the go-live target has passed and the client is not live
//          a milestone (a gate, the go-live step or a `kind: milestone` step) open past its deadline
//          3 or more steps overdue
//          a critical issue open
//          the latest NPS is a detractor's (0-6) or the latest CSAT is 2/5 or lower
//          on hold for more than 14 days
//          the team or a playbook rule set the project's health to red
//   amber  1 or 2 steps overdue
//          a milestone was done after its deadline (missed, since recovered)
//          a gate blocked: an approver rejected it, or it is past its deadline without every approval
//          on hold
//          a high-severity issue open
//          the latest NPS is a passive's (7-8) or the latest CSAT is below 4/5
//          the go-live target is less than 7 days away and the client is not in its go-live step yet
//          the team or a playbook rule set the project's health to amber
//   green  none of the above
//
// Closed projects are green and cancelled ones red, each with that one reason: the dashboard shows
// onboardings in progress, where the rules above apply.
import type { Health, Instant, ProjectStatus } from "../engine/types.ts";

const DAY = 86_400_000;
export const HOLD_RED_DAYS = 14;
export const TARGET_WARNING_DAYS = 7;

export interface HealthFacts {
  readonly status: ProjectStatus;
  /** The health the team or a playbook rule set on the project (state.health). */
  readonly declared: Health;
  readonly targetGoLiveAt: Instant | null;
  readonly goLiveAt: Instant | null;
  /** The go-live step is open (the client is in its go-live). */
  readonly goLiveOpen: boolean;
  readonly overdueSteps: number;
  /** Milestones that missed their deadline, done late or still open. */
  readonly missedMilestones: number;
  /** Of those, the ones still open past their deadline. */
  readonly overdueMilestones: number;
  readonly blockedGates: number;
  readonly criticalIssues: number;
  readonly highIssues: number;
  readonly nps: number | null;
  readonly csat: number | null;
  readonly heldSince: Instant | null;
  /** The earliest deadline of an open step that has not passed yet (when overdue counts change). */
  readonly nextDeadline: Instant | null;
}

export interface HealthVerdict {
  readonly health: Health;
  readonly reasons: readonly string[];
  /** When the verdict may change with no event (a target or deadline passing); null: only events change it. */
  readonly reviewAt: Instant | null;
}

export const HEALTH_RANK: Readonly<Record<Health, number>> = { red: 0, amber: 1, green: 2 };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const day = (at: Instant) => at.slice(0, 10);

export function evaluateHealth(facts: HealthFacts, now: Instant): HealthVerdict {
  if (facts.status === "closed") return { health: "green", reasons: ["closed"], reviewAt: null };
  if (facts.status === "cancelled") return { health: "red", reasons: ["cancelled"], reviewAt: null };
  const nowMs = Date.parse(now);
  const red: string[] = [];
  const amber: string[] = [];
  const later: number[] = [];

  if (facts.targetGoLiveAt !== null && facts.goLiveAt === null) {
    const target = Date.parse(facts.targetGoLiveAt);
    if (target <= nowMs) red.push(`go-live target ${day(facts.targetGoLiveAt)} passed`);
    else {
      const warnFrom = target - TARGET_WARNING_DAYS * DAY;
      if (warnFrom <= nowMs && !facts.goLiveOpen) amber.push(`go-live target ${day(facts.targetGoLiveAt)} is less than 7 days away`);
      if (warnFrom > nowMs) later.push(warnFrom);
      later.push(target);
    }
  }
  if (facts.overdueMilestones > 0) red.push(`${plural(facts.overdueMilestones, "milestone")} overdue`);
  const recovered = facts.missedMilestones - facts.overdueMilestones;
  if (recovered > 0) amber.push(`${plural(recovered, "milestone")} done late`);
  if (facts.overdueSteps >= 3) red.push(`${plural(facts.overdueSteps, "step")} overdue`);
  else if (facts.overdueSteps > 0) amber.push(`${plural(facts.overdueSteps, "step")} overdue`);
  if (facts.criticalIssues > 0) red.push(`${plural(facts.criticalIssues, "critical issue")} open`);
  if (facts.highIssues > 0) amber.push(`${plural(facts.highIssues, "high-severity issue")} open`);
  if (facts.nps !== null) {
    if (facts.nps <= 6) red.push(`NPS ${facts.nps} (detractor)`);
    else if (facts.nps <= 8) amber.push(`NPS ${facts.nps} (passive)`);
  }
  if (facts.csat !== null) {
    if (facts.csat <= 2) red.push(`CSAT ${facts.csat}/5`);
    else if (facts.csat < 4) amber.push(`CSAT ${facts.csat}/5`);
  }
  if (facts.blockedGates > 0) amber.push(`${plural(facts.blockedGates, "gate")} blocked`);
  if (facts.status === "on_hold") {
    const since = facts.heldSince === null ? nowMs : Date.parse(facts.heldSince);
    const redFrom = since + HOLD_RED_DAYS * DAY;
    if (redFrom <= nowMs) red.push(`on hold for more than ${HOLD_RED_DAYS} days`);
    else {
      amber.push("on hold");
      later.push(redFrom);
    }
  }
  if (facts.declared === "red") red.push("health set to red by the team or a playbook rule");
  if (facts.declared === "amber") amber.push("health set to amber by the team or a playbook rule");
  if (facts.nextDeadline !== null && Date.parse(facts.nextDeadline) > nowMs) later.push(Date.parse(facts.nextDeadline));

  const reviewAt = later.length === 0 ? null : new Date(Math.min(...later)).toISOString();
  if (red.length > 0) return { health: "red", reasons: [...red, ...amber], reviewAt };
  if (amber.length > 0) return { health: "amber", reasons: amber, reviewAt };
  return { health: "green", reasons: [], reviewAt };
}
