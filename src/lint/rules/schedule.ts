// Static schedule estimate: how many calendar days after the start each step is due at the
// earliest, so a deadline that cannot fall inside its phase's window is caught before any client
// meets it. Business time is counted as calendar time here, which gives a lower bound: a finding
// is a certain conflict, not a guess.
import type { PlaybookModel } from "../../playbook/model.ts";
import type { Playbook } from "../../playbook/schema.ts";
import type { Amount, Anchor, Deadline, Duration, Window } from "../../playbook/time-expressions.ts";
import type { LintRule } from "../rule.ts";

const DAYS_PER_UNIT = { minute: 1 / 1440, hour: 1 / 24, day: 1, week: 7, month: 30 } as const;

function amountValue(amount: Amount, playbook: Playbook): number | undefined {
  if (amount.kind === "literal") return amount.value;
  const value = playbook.parameters[amount.name]?.default;
  return typeof value === "number" ? value : undefined;
}

function durationDays(duration: Duration, playbook: Playbook): number | undefined {
  const value = amountValue(duration.amount, playbook);
  if (value === undefined) return undefined;
  // A business day is at least a calendar day; a business hour at least an hour.
  return value * DAYS_PER_UNIT[duration.unit];
}

export interface ScheduleEstimate {
  /** Earliest day (after the start) each step is due, where it can be known. */
  readonly due: ReadonlyMap<string, number>;
  readonly goLive?: number;
}

export function estimateSchedule(model: PlaybookModel): ScheduleEstimate {
  const { playbook } = model;
  const due = new Map<string, number | undefined>();
  const opens = new Map<string, number | undefined>();
  const visiting = new Set<string>();
  const goLiveStep = model.order.find((e) => e.step.go_live)?.step.id;

  const anchorDay = (anchor: Anchor, stepId: string | undefined): number | undefined => {
    switch (anchor.kind) {
      case "start":
        return 0;
      case "activation":
        return stepId === undefined ? undefined : openDay(stepId);
      case "go_live":
        return goLiveStep === undefined ? undefined : dueDay(goLiveStep);
      case "completion": {
        const last = model.order.find((e) => e.step.completes_project)?.step.id;
        return last === undefined ? undefined : dueDay(last);
      }
      case "step":
        return anchor.point === "started" ? openDay(anchor.step) : dueDay(anchor.step);
      case "fact":
      case "form":
        return undefined;
    }
  };

  const deadlineDay = (deadline: Deadline, stepId: string | undefined): number | undefined => {
    const base = anchorDay(deadline.anchor, stepId);
    if (base === undefined) return undefined;
    if (deadline.kind === "day") return base + deadline.day;
    const days = durationDays(deadline.duration, playbook);
    if (days === undefined) return undefined;
    return deadline.direction === "before" ? base - days : base + days;
  };

  function openDay(id: string): number | undefined {
    if (opens.has(id)) return opens.get(id);
    const entry = model.steps.get(id);
    if (!entry || visiting.has(`o:${id}`)) return undefined;
    visiting.add(`o:${id}`);
    let day: number | undefined;
    if (entry.step.opens) day = deadlineDay(entry.step.opens, undefined);
    else if (entry.after.length === 0) day = 0;
    else {
      const deps = entry.after.map((d) => dueDay(d));
      day = deps.some((d) => d === undefined) ? undefined : Math.max(...(deps as number[]));
    }
    visiting.delete(`o:${id}`);
    opens.set(id, day);
    return day;
  }

  function dueDay(id: string): number | undefined {
    if (due.has(id)) return due.get(id);
    const entry = model.steps.get(id);
    if (!entry || visiting.has(`d:${id}`)) return undefined;
    visiting.add(`d:${id}`);
    const day = entry.step.due ? deadlineDay(entry.step.due, id) : openDay(id);
    visiting.delete(`d:${id}`);
    due.set(id, day);
    return day;
  }

  for (const entry of model.order) dueDay(entry.step.id);
  const known = new Map<string, number>();
  for (const [id, day] of due) if (day !== undefined) known.set(id, day);
  const goLive = goLiveStep === undefined ? undefined : known.get(goLiveStep);
  return goLive === undefined ? { due: known } : { due: known, goLive };
}

/** A window as calendar days after the start: "Days 11-45" is [11, 45]; "Weeks 2-4" is [8, 28]. */
export function windowDays(window: Window, goLive: number | undefined): { from: number; to: number } | undefined {
  const base = window.anchor.kind === "start" ? 0 : window.anchor.kind === "go_live" ? goLive : undefined;
  if (base === undefined) return undefined;
  const from = window.from.unit === "week" ? (window.from.n - 1) * 7 + 1 : window.from.n;
  const to = window.to === null ? Number.POSITIVE_INFINITY : window.to.unit === "week" ? window.to.n * 7 : window.to.n;
  return { from: base + from, to: base + to };
}

// A day's slack: "Days 1-2" and "within 24 hours after start" meet at the boundary.
const SLACK_DAYS = 1;

export const deadlineInWindow: LintRule = {
  id: "schedule/deadline-in-window",
  severity: "error",
  kind: "quality",
  description: "No step's deadline falls outside its phase's window.",
  *check(model) {
    const schedule = estimateSchedule(model);
    for (const { step, phase, path } of model.order) {
      if (!step.due || step.on_demand) continue;
      const day = schedule.due.get(step.id);
      const phaseWindow = phase.window;
      const window = phaseWindow && windowDays(phaseWindow, schedule.goLive);
      if (day === undefined || !phaseWindow || !window) continue;
      if (day > window.to + SLACK_DAYS) {
        yield {
          path: [...path, "due"],
          message: `"${step.id}" is due on day ${Math.round(day)} at the earliest, after its phase "${phase.id}" (${phaseWindow.text}) ends on day ${window.to}`,
          fix: "move the step to the phase it happens in, or correct the deadline or the phase window",
        };
      }
      const absolute = step.due.anchor.kind === "start" || step.due.anchor.kind === "go_live";
      if (absolute && day < window.from - SLACK_DAYS) {
        yield {
          path: [...path, "due"],
          message: `"${step.id}" is due on day ${Math.round(day)}, before its phase "${phase.id}" (${phaseWindow.text}) begins on day ${window.from}`,
          fix: "move the step to the phase it happens in, or correct the deadline or the phase window",
        };
      }
    }
  },
};

export const timeZoneOwner: LintRule = {
  id: "schedule/time-zone-owner",
  severity: "error",
  kind: "correctness",
  description: 'A rule that fires at a time in the owner\'s zone ("09:00 owner") names its owner.',
  *check({ playbook }) {
    for (const [i, rule] of playbook.rules.entries()) {
      if (rule.at?.zone !== "owner" || rule.owner !== undefined) continue;
      yield {
        path: ["rules", i, "at"],
        message: `rule "${rule.id}" fires at "${rule.at.text}" in its owner's time zone, but has no owner`,
        fix: `add owner: (the role whose time zone it is), or write "${String(rule.at.hour).padStart(2, "0")}:${String(rule.at.minute).padStart(2, "0")} client"`,
      };
    }
  },
};
