// One project's path through its playbook, read from its events (pure): every visit of every step
// (opened → started → done, skipped or looped back), with how long it waited before anyone started
// it, how long it was worked, what the plan allowed and by how much it ran late; the order steps
// were finished in (its variant); and how far it kept to the procedure (conformance).
//
// Conformance replays the completions against the playbook's dependencies (`after`), the way token
// replay does on a Petri net: a completion is conforming when every step it waits for was done,
// skipped by the procedure's own rules or left out before it; a step done again counts against the
// project only when a person reopened it (a playbook's own loop, "UAT fails → fix → retest", is the
// procedure); a step skipped by a person, and an applicable step never done in a project that ended,
// are deviations too. Fitness is the share of conforming completions among everything the replay
// met: completions, manual skips and missing steps; 1 is "exactly as written".
import type { Instant } from "../engine/types.ts";
import type { CaseEvents } from "./activities.ts";

export interface StepVisit {
  readonly step: string;
  /** 1 for the first visit, 2 after the first rework... */
  readonly round: number;
  readonly openedAt: Instant;
  readonly startedAt?: Instant;
  readonly endedAt?: Instant;
  readonly outcome: "done" | "skipped" | "looped" | "open";
  /** Opened → started (or → ended when nobody pressed start). */
  readonly waitingMs: number;
  /** Started → ended; 0 when never started. */
  readonly workingMs: number;
  /** What the plan allowed: opened → the deadline it opened with; undefined without a deadline. */
  readonly plannedMs?: number;
  /** Ended (or now, while open) past its deadline (extensions included), in ms; 0 when on time. */
  readonly lateMs: number;
  readonly breached: boolean;
  /** While open: the deadline it runs against (extensions included). */
  readonly dueAt?: Instant;
}

export type DeviationKind = "skipped" | "out_of_order" | "repeated" | "missing";

export interface Deviation {
  readonly kind: DeviationKind;
  readonly step: string;
  readonly at?: Instant;
  /** For out_of_order: the steps it did not wait for. */
  readonly before?: readonly string[];
}

export interface Trace {
  readonly projectId: string;
  readonly clientName: string;
  readonly visits: readonly StepVisit[];
  /** Step ids in the order they were completed (repeats included): the variant. */
  readonly completions: readonly { readonly step: string; readonly at: Instant }[];
  readonly deviations: readonly Deviation[];
  /** 0..1; 1 when the project kept to the procedure. */
  readonly fitness: number;
  readonly ended: boolean;
  readonly startedAt: Instant;
  /** When the client went live (the first go-live), if it has. */
  readonly goLiveAt?: Instant;
  readonly endedAt?: Instant;
}

const ms = (a: Instant, b: Instant) => Date.parse(b) - Date.parse(a);

/** A visit as it stands while open: what its figures are reckoned from. */
export interface OpenVisit {
  readonly step: string;
  readonly round: number;
  readonly openedAt: Instant;
  startedAt?: Instant;
  dueAt?: Instant;
  readonly plannedMs?: number;
}

/** A visit's figures when it ended at `at` (or, still open, as of `at`). */
export function visitAt(v: OpenVisit, at: Instant, outcome: StepVisit["outcome"]): StepVisit {
  const late = v.dueAt ? Math.max(0, ms(v.dueAt, at)) : 0;
  return {
    step: v.step,
    round: v.round,
    openedAt: v.openedAt,
    ...(v.startedAt ? { startedAt: v.startedAt } : {}),
    ...(outcome === "open" ? (v.dueAt ? { dueAt: v.dueAt } : {}) : { endedAt: at }),
    outcome,
    waitingMs: Math.max(0, ms(v.openedAt, v.startedAt ?? at)),
    workingMs: v.startedAt ? Math.max(0, ms(v.startedAt, at)) : 0,
    ...(v.plannedMs !== undefined ? { plannedMs: v.plannedMs } : {}),
    lateMs: late,
    breached: late > 0,
  };
}

/** The trace of a project as of `now` (open visits run late up to now). */
export function traceOf(c: CaseEvents, now: Instant): Trace {
  const open = new Map<string, Omit<OpenVisit, "step">>();
  const rounds = new Map<string, number>();
  const visits: StepVisit[] = [];
  const completions: { step: string; at: Instant }[] = [];
  const deviations: Deviation[] = [];
  const settled = new Set<string>(); // done, skipped or left out: what waiting steps may go on from
  const sentBack = new Map<string, Instant>(); // step → when the playbook's own loop sent the flow back to it
  const reopened = new Set<string>(); // reopened by a person: its next completion is a repeat
  let conforming = 0;
  let met = 0;
  let ended = false;
  let endedAt: Instant | undefined;
  let goLiveAt: Instant | undefined;
  const startedAt = c.events[0]?.event.at ?? c.info.startedAt;

  const completed = (step: string, at: Instant) => {
    const before = (c.model?.steps.get(step)?.after ?? []).filter((s) => !settled.has(s));
    met++;
    if (before.length > 0) deviations.push({ kind: "out_of_order", step, at, before });
    else if (!reopened.delete(step)) conforming++;
    completions.push({ step, at });
  };
  const close = (step: string, at: Instant, outcome: StepVisit["outcome"]) => {
    const v = open.get(step);
    if (!v) return;
    open.delete(step);
    visits.push(visitAt({ step, ...v }, at, outcome));
  };

  for (const { event } of c.events) {
    switch (event.type) {
      case "project.started":
        for (const step of event.excluded) settled.add(step);
        break;
      case "step.excluded":
        settled.add(event.step);
        break;
      case "step.opened": {
        const round = (rounds.get(event.step) ?? 0) + 1;
        rounds.set(event.step, round);
        open.set(event.step, {
          openedAt: event.at,
          round,
          ...(event.dueAt ? { dueAt: event.dueAt, plannedMs: ms(event.at, event.dueAt) } : {}),
        });
        break;
      }
      case "deadline.extended":
      case "deadline.planned": {
        const v = open.get(event.step);
        if (v && event.dueAt) v.dueAt = event.dueAt;
        break;
      }
      case "step.started": {
        const v = open.get(event.step);
        if (v && !v.startedAt) v.startedAt = event.at;
        break;
      }
      case "step.completed": {
        close(event.step, event.at, "done");
        completed(event.step, event.at);
        settled.add(event.step);
        // A step that sends the flow back (`next:` an earlier step) reopens it in the same moment.
        const next = c.model?.steps.get(event.step)?.step.next;
        if (next) sentBack.set(next, event.at);
        break;
      }
      case "step.looped":
        // The work was done and its decision sent the flow elsewhere ("UAT failed → fix"): an
        // activity that happened, though the step will be done again.
        close(event.step, event.at, "looped");
        completed(event.step, event.at);
        sentBack.set(event.to, event.at);
        break;
      case "step.reopened":
        settled.delete(event.step);
        close(event.step, event.at, "looped");
        // Reopened in the moment the playbook sent the flow back to it: its own loop; else a person's.
        if (sentBack.get(event.step) !== event.at) {
          reopened.add(event.step);
          deviations.push({ kind: "repeated", step: event.step, at: event.at });
        }
        break;
      case "step.skipped":
        close(event.step, event.at, "skipped");
        settled.add(event.step);
        if (event.actor !== "system") {
          met++;
          deviations.push({ kind: "skipped", step: event.step, at: event.at });
        }
        break;
      case "project.completed":
      case "project.closed":
        // Ended as the procedure ends: what was never done is missing. A cancelled project is not.
        ended = true;
        endedAt ??= event.at;
        break;
      case "project.cancelled":
        endedAt ??= event.at;
        break;
      case "project.go_live":
        goLiveAt ??= event.at;
        break;
      case "project.reopened":
        ended = false;
        endedAt = undefined;
        break;
    }
  }
  // Steps still open when the project ended stopped growing then; while it runs, they grow to now.
  for (const step of [...open.keys()]) close(step, endedAt ?? now, "open");
  if (ended && c.model) {
    for (const entry of c.model.order) {
      const id = entry.step.id;
      if (entry.step.on_demand || settled.has(id) || completions.some((x) => x.step === id)) continue;
      met++;
      deviations.push({ kind: "missing", step: id });
    }
  }
  return {
    projectId: c.info.projectId,
    clientName: c.info.clientName,
    visits,
    completions,
    deviations,
    fitness: met === 0 ? 1 : conforming / met,
    ended,
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    ...(goLiveAt ? { goLiveAt } : {}),
  };
}
