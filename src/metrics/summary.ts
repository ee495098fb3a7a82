// A project's row in the portfolio read model, derived purely from its state, a few figures only
// the events carry (survey answers, time on hold) and `now`. The projection (projection.ts) writes
// it in the same transaction as the events; replaying the events and deriving again gives the same
// row, which a property test checks after random command sequences.
import { workingMillisBetween } from "../engine/calendar/business-calendar.ts";
import { engineContext } from "../engine/context.ts";
import { ACTIVE, type Instant, type ProjectEvent, type ProjectState, SATISFIED, type StepState } from "../engine/types.ts";
import { guessedFirstValueStep } from "../playbook/kpi-moments.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Playbook, Step } from "../playbook/schema.ts";
import { evaluateHealth, HEALTH_RANK } from "./health.ts";

const DAY = 86_400_000;

/** What only the events say: the latest survey scores and the time spent on hold. */
export interface EventFigures {
  readonly nps: number | null;
  readonly csat: number | null;
  readonly heldMs: number;
}

export const NO_FIGURES: EventFigures = { nps: null, csat: null, heldMs: 0 };

/** Fold one event into the figures (survey kinds come from the playbook). */
export function accumulate(playbook: Playbook, figures: EventFigures, event: ProjectEvent): EventFigures {
  if (event.type === "survey.answered") {
    const kind = playbook.surveys[event.survey]?.kind;
    if (kind === "nps") return { ...figures, nps: event.score };
    if (kind === "csat") return { ...figures, csat: event.score };
    return figures;
  }
  if (event.type === "project.resumed") return { ...figures, heldMs: figures.heldMs + Math.max(0, event.shiftMs) };
  return figures;
}

export function figuresOf(playbook: Playbook, events: readonly ProjectEvent[], from: EventFigures = NO_FIGURES): EventFigures {
  return events.reduce((f, e) => accumulate(playbook, f, e), from);
}

export interface ProjectSummary {
  readonly projectId: string;
  readonly clientId: string;
  readonly clientName: string;
  readonly playbookId: string;
  readonly playbookVersion: string;
  readonly status: ProjectState["status"];
  readonly phase: string | null;
  readonly phaseTitle: string | null;
  readonly phaseIndex: number | null;
  readonly csm: string | null;
  readonly segment: string | null;
  readonly country: string | null;
  readonly startedAt: Instant;
  readonly targetGoLiveAt: Instant | null;
  readonly goLiveAt: Instant | null;
  readonly firstValueAt: Instant | null;
  readonly completedAt: Instant | null;
  readonly closedAt: Instant | null;
  readonly heldSince: Instant | null;
  readonly nextMilestone: { readonly step: string; readonly title: string; readonly dueAt: Instant | null } | null;
  readonly overdueSteps: number;
  readonly blockedGates: number;
  readonly missedMilestones: number;
  readonly openIssues: number;
  readonly milestonesDue: number;
  readonly milestonesOnTime: number;
  readonly stepsDue: number;
  readonly stepsOnTime: number;
  readonly uatFirstPass: boolean | null;
  /** Training tracks the project delivers (distinct) and how many of them someone passed. */
  readonly trainingRecords: number;
  readonly trainingPassed: number;
  /** Percent of active users from the latest 30/60/90-day review form that records it. */
  readonly adoptionRate: number | null;
  readonly nps: number | null;
  readonly csat: number | null;
  readonly heldMs: number;
  readonly health: "green" | "amber" | "red";
  readonly healthRank: number;
  readonly healthReasons: readonly string[];
  readonly reviewAt: Instant | null;
  readonly version: number;
}

/** The role that plays the CSM: the first of these the playbook declares, else the first internal role that is assigned by rule. */
const CSM_ROLES = ["customer_success_manager", "csm", "onboarding_manager", "account_manager", "client_success_manager"];

export function csmRoleOf(playbook: Playbook): string | null {
  for (const id of CSM_ROLES) if (playbook.roles[id]?.side === "internal") return id;
  const entries = Object.entries(playbook.roles).filter(([, r]) => r.side === "internal");
  return (entries.find(([, r]) => r.assignment !== undefined) ?? entries[0])?.[0] ?? null;
}

/**
 * The longest segment the read model keeps: segments are labels ("enterprise"), and the value is a
 * key of indexes and rollups, which cannot hold a value of kilobytes (a CRM field mapped by mistake).
 */
export const SEGMENT_MAX_LENGTH = 200;

/** The client's segment: the `segment` fact, else `account_type`, else banded from `user_count`. */
export function segmentOf(facts: ProjectState["facts"]): string | null {
  for (const key of ["segment", "account_type", "customer_segment", "tier"]) {
    const v = facts[key];
    if (typeof v === "string" && v !== "") return v.length > SEGMENT_MAX_LENGTH ? v.slice(0, SEGMENT_MAX_LENGTH).toWellFormed() : v;
  }
  const users = facts.user_count;
  if (typeof users === "number") return users > 500 ? "enterprise" : users > 100 ? "mid_market" : "smb";
  return null;
}

export function isMilestone(step: Step): boolean {
  return step.kind === "milestone" || step.go_live || step.gate !== undefined;
}

const UAT = /\buat\b|uat_|acceptance/i;

/** A KPI's moment of one project: a step's completion, or a date fact's day (00:00 UTC, as deadlines read it). */
type KpiMoment = NonNullable<Playbook["kpis"][number]["first_value"]>;
type Reached = { readonly at: Instant } | { readonly excluded: true } | undefined;

/**
 * When the project reached a moment: an instant; `excluded` when it never will (the step was
 * skipped or does not apply to this client); undefined while it may still come.
 */
export function momentOf(state: ProjectState, moment: KpiMoment): Reached {
  if ("step" in moment) {
    const s = state.steps[moment.step];
    if (s?.completedAt !== undefined && s.status === "done") return { at: s.completedAt };
    if (s === undefined || s.status === "skipped" || s.status === "not_applicable") return { excluded: true };
    return state.status === "closed" || state.status === "cancelled" ? { excluded: true } : undefined;
  }
  const value = state.facts[moment.fact];
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? { at: `${value}T00:00:00.000Z` } : { excluded: true };
}

/**
 * When the project reached first value: the moment the time-to-first-value KPI names
 * (`first_value: { step: x }` or `{ fact: go_live_date }`); where it names none, the completion of
 * a step whose id or title says "first value" or "value review" (the guess older playbooks rely
 * on), else go-live.
 */
export function firstValueAt(playbook: Playbook, state: ProjectState): Instant | null {
  const named = playbook.kpis.find((k) => k.metric === "time_to_first_value" && k.first_value !== undefined)?.first_value;
  if (named) {
    const reached = momentOf(state, named);
    return reached && "at" in reached ? reached.at : null;
  }
  const valueStep = firstValueStep(playbook);
  return (valueStep ? state.steps[valueStep]?.completedAt : undefined) ?? state.goLiveAt ?? null;
}

/** The step guessed as first value where the KPI names none (see guessedFirstValueStep). */
export const firstValueStep = guessedFirstValueStep;

export function uatStep(playbook: Playbook): string | null {
  for (const phase of playbook.phases)
    for (const step of phase.steps) if (step.decision && (UAT.test(step.id) || UAT.test(step.title))) return step.id;
  return null;
}

const TARGET = /^(<=|>=|<|>|=)\s*(\d+(?:\.\d+)?|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\})\s*(.*)$/;

export interface ParsedTarget {
  readonly op: "<=" | ">=" | "<" | ">" | "=";
  readonly value: number;
  readonly unit: string;
}

/** A KPI target ("< 45 days", ">= 4.5/5", "<= {{target_days}} days") with its parameter filled. */
export function parseTarget(text: string, params: Readonly<Record<string, string | number>> = {}): ParsedTarget | null {
  const m = TARGET.exec(text.trim());
  if (!m) return null;
  const raw = m[3] !== undefined ? params[m[3]] : m[2];
  const value = Number(raw);
  if (!Number.isFinite(value)) return null;
  return { op: m[1] as ParsedTarget["op"], value, unit: (m[4] ?? "").trim().replace(/s$/, "") };
}

/** Days the playbook allows until go-live: its time-to-go-live KPI target. */
export function goLiveTargetDays(playbook: Playbook, params: Readonly<Record<string, string | number>> = {}): number | null {
  for (const metric of ["time_to_go_live", "time_to_onboard"] as const) {
    const kpi = playbook.kpis.find((k) => k.metric === metric && k.target);
    const target = kpi?.target ? parseTarget(kpi.target, params) : null;
    if (target && (target.unit === "day" || target.unit === "")) return target.op === "<" ? target.value - 1 : target.value;
  }
  return null;
}

function goLiveStepOf(playbook: Playbook): string | null {
  for (const phase of playbook.phases) for (const step of phase.steps) if (step.go_live) return step.id;
  return null;
}

function onTime(s: StepState): boolean {
  return s.overdueAt === undefined && (s.completedAt === undefined || s.dueAt === undefined || s.completedAt <= s.dueAt);
}

/** Settled for the SLA: done with a deadline, or past it (breached) whatever its status. */
function slaSettled(s: StepState, now: Instant): boolean {
  if (s.dueAt === undefined && s.overdueAt === undefined) return false;
  return s.status === "done" || s.overdueAt !== undefined || (ACTIVE.has(s.status) && s.dueAt !== undefined && s.dueAt < now);
}

function adoptionOf(state: ProjectState): number | null {
  let latest: number | null = null;
  for (const values of Object.values(state.forms)) {
    for (const [field, value] of Object.entries(values)) {
      if (!/adoption|active_user/i.test(field) || typeof value !== "number" || !Number.isFinite(value)) continue;
      latest = value <= 1 ? value * 100 : value;
    }
  }
  return latest;
}

export function summarize(model: PlaybookModel, state: ProjectState, figures: EventFigures, now: Instant): ProjectSummary {
  const playbook = model.playbook;
  const steps = state.steps;
  type Where = { phase: string; title: string; index: number };
  let current: Where | null = null;
  let upcoming: Where | null = null;
  let last: Where | null = null;
  let overdueSteps = 0;
  let blockedGates = 0;
  let missedMilestones = 0;
  let overdueMilestones = 0;
  let milestonesDue = 0;
  let milestonesOnTime = 0;
  let stepsDue = 0;
  let stepsOnTime = 0;
  let nextDeadline: Instant | null = null;
  let nextMilestone: ProjectSummary["nextMilestone"] = null;
  let goLiveOpen = false;
  const tracks = new Set<string>();
  for (const entry of model.order) {
    const def = entry.step;
    const s = steps[def.id];
    if (!s) continue;
    const where: Where = { phase: entry.phase.id, title: entry.phase.title, index: entry.phaseIndex };
    const active = ACTIVE.has(s.status);
    if (active && current === null) current = where;
    if ((s.status === "blocked" || s.status === "scheduled") && upcoming === null) upcoming = where;
    if (s.status === "done") last = where;
    const overdue = active && s.dueAt !== undefined && s.dueAt <= now;
    if (overdue) overdueSteps++;
    if (active && s.dueAt !== undefined && s.dueAt > now && (nextDeadline === null || s.dueAt < nextDeadline)) nextDeadline = s.dueAt;
    if (active && def.go_live) goLiveOpen = true;
    if (def.gate && active && (Object.values(s.approvals).some((a) => a.decision === "rejected") || overdue)) blockedGates++;
    if (s.status !== "not_applicable" && s.status !== "skipped") for (const t of def.training) tracks.add(t);
    const settled = slaSettled(s, now);
    if (settled) {
      stepsDue++;
      if (onTime(s) && !overdue) stepsOnTime++;
    }
    if (isMilestone(def)) {
      if (settled) {
        milestonesDue++;
        if (onTime(s) && !overdue) milestonesOnTime++;
        else missedMilestones++;
        if (overdue) overdueMilestones++;
      }
      if (!SATISFIED.has(s.status) && s.status !== "dormant") {
        const dueAt = s.dueAt ?? s.targetAt ?? null;
        const better = nextMilestone === null || (dueAt !== null && (nextMilestone.dueAt === null || dueAt < nextMilestone.dueAt));
        if (better) nextMilestone = { step: def.id, title: def.title, dueAt };
      }
    }
  }
  const phase = current ?? upcoming ?? last;
  const goLiveStep = goLiveStepOf(playbook);
  const days = goLiveTargetDays(playbook, state.params);
  const targetGoLiveAt =
    days !== null
      ? new Date(Date.parse(state.startedAt) + days * DAY + figures.heldMs).toISOString()
      : ((goLiveStep ? steps[goLiveStep]?.dueAt : undefined) ?? null);
  const uat = uatStep(playbook);
  const uatState = uat ? steps[uat] : undefined;
  const uatFirstPass = uatState?.status === "done" ? uatState.attempt === 1 : uatState && uatState.attempt > 1 ? false : null;
  const passed = new Set(state.training.filter((r) => r.passed).map((r) => r.track));
  const openIssues = Object.values(state.issues).filter((i) => !i.resolvedAt);
  const csmRole = csmRoleOf(playbook);
  const verdict = evaluateHealth(
    {
      status: state.status,
      declared: state.health,
      targetGoLiveAt,
      goLiveAt: state.goLiveAt ?? null,
      goLiveOpen,
      overdueSteps,
      missedMilestones,
      overdueMilestones,
      blockedGates,
      criticalIssues: openIssues.filter((i) => i.severity === "critical").length,
      highIssues: openIssues.filter((i) => i.severity === "high").length,
      nps: figures.nps,
      csat: figures.csat,
      heldSince: state.heldSince ?? null,
      nextDeadline,
    },
    now,
  );
  return {
    projectId: state.id,
    clientId: state.client.id,
    clientName: state.client.name,
    playbookId: state.playbook.id,
    playbookVersion: state.playbook.version,
    status: state.status,
    phase: phase?.phase ?? null,
    phaseTitle: phase?.title ?? null,
    phaseIndex: phase?.index ?? null,
    csm: csmRole ? (state.assignments[csmRole] ?? null) : null,
    segment: segmentOf(state.facts),
    country: state.calendar.country ?? null,
    startedAt: state.startedAt,
    targetGoLiveAt,
    goLiveAt: state.goLiveAt ?? null,
    firstValueAt: firstValueAt(playbook, state),
    completedAt: state.completedAt ?? null,
    closedAt: state.closedAt ?? null,
    heldSince: state.heldSince ?? null,
    nextMilestone,
    overdueSteps,
    blockedGates,
    missedMilestones,
    openIssues: openIssues.length,
    milestonesDue,
    milestonesOnTime,
    stepsDue,
    stepsOnTime,
    uatFirstPass,
    trainingRecords: tracks.size,
    trainingPassed: [...tracks].filter((t) => passed.has(t)).length,
    adoptionRate: adoptionOf(state),
    nps: figures.nps,
    csat: figures.csat,
    heldMs: figures.heldMs,
    health: verdict.health,
    healthRank: HEALTH_RANK[verdict.health],
    healthReasons: verdict.reasons,
    reviewAt: verdict.reviewAt,
    version: state.version,
  };
}

export interface StepStat {
  /** `kpi`: a time_to_step KPI's days for this project (key: the KPI's id). */
  readonly kind: "step" | "phase" | "kpi";
  readonly key: string;
  readonly phase: string;
  readonly breached: boolean;
  /** Days from opening to completion (a step), or from the first step opened to the last done (a phase). */
  readonly days: number | null;
}

/** SLA outcome of each settled step with a deadline, and the days each finished phase took. */
export function stepStats(model: PlaybookModel, state: ProjectState, now: Instant): StepStat[] {
  const out: StepStat[] = [];
  const phases = new Map<string, { first: number; last: number; finished: boolean; any: boolean }>();
  for (const entry of model.order) {
    const s = state.steps[entry.step.id];
    if (!s) continue;
    if (slaSettled(s, now)) {
      const days =
        s.openedAt !== undefined && s.completedAt !== undefined ? (Date.parse(s.completedAt) - Date.parse(s.openedAt)) / DAY : null;
      out.push({
        kind: "step",
        key: entry.step.id,
        phase: entry.phase.id,
        breached: !onTime(s) || (ACTIVE.has(s.status) && s.dueAt !== undefined && s.dueAt <= now),
        days,
      });
    }
    if (entry.step.on_demand) continue;
    const p = phases.get(entry.phase.id) ?? { first: Number.POSITIVE_INFINITY, last: 0, finished: true, any: false };
    if (s.status === "not_applicable" || s.status === "skipped" || s.status === "dormant") {
      phases.set(entry.phase.id, p);
      continue;
    }
    if (s.status !== "done") p.finished = false;
    if (s.openedAt !== undefined) p.first = Math.min(p.first, Date.parse(s.openedAt));
    if (s.completedAt !== undefined) {
      p.last = Math.max(p.last, Date.parse(s.completedAt));
      p.any = true;
    }
    phases.set(entry.phase.id, p);
  }
  for (const [phase, p] of phases) {
    if (p.finished && p.any && Number.isFinite(p.first))
      out.push({ kind: "phase", key: phase, phase, breached: false, days: Math.max(0, (p.last - p.first) / DAY) });
  }
  for (const kpi of model.playbook.kpis) {
    const days = kpiDays(model, state, kpi);
    if (days !== null) out.push({ kind: "kpi", key: kpi.id, phase: "", breached: false, days });
  }
  return out;
}

/**
 * A time_to_step KPI's figure for one project: days from `from` (the start) to the completion of
 * `to`, calendar or business days on the client's calendar, time on hold included; a step done
 * before its starting point counts 0. Null while it is not reached, and for projects it leaves
 * out (the step skipped or not applicable, the starting step likewise, the project ended first).
 */
export function kpiDays(model: PlaybookModel, state: ProjectState, kpi: Playbook["kpis"][number]): number | null {
  if (kpi.metric !== "time_to_step" || kpi.to === undefined) return null;
  const to = momentOf(state, kpi.to);
  const from = kpi.from === undefined ? { at: state.startedAt } : momentOf(state, kpi.from);
  if (!to || !("at" in to) || !from || !("at" in from)) return null;
  const [a, b] = [Date.parse(from.at), Date.parse(to.at)];
  if (b <= a) return 0;
  if (kpi.days === "calendar") return (b - a) / DAY;
  const calendar = engineContext(model, state.calendar).calendar;
  return workingMillisBetween(calendar, new Date(a), new Date(b)) / calendar.workingDayMillis;
}
