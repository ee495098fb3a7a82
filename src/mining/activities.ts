// A project's events as process-mining activities (issue #20): what each step went through (opened,
// started, completed, skipped, left out), the sign-offs on its gate, and the project's own
// milestones, each with its time, who did it and in which role. The XES and OCEL writers read
// these; the event log itself is never changed. Engine bookkeeping (timers, reminders, deadlines
// planned) is not an activity: a process map shows what people and the procedure did.
import type { Instant, ProjectEvent } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";

/** One project (a case in XES, an object in OCEL) as the export reads it. */
export interface CaseInfo {
  readonly projectId: string;
  readonly clientId: string;
  readonly clientName: string;
  readonly playbookId: string;
  readonly playbookVersion: string;
  readonly segment: string | null;
  readonly csm: string | null;
  readonly status: string;
  readonly startedAt: Instant;
  /** The plan's go-live date (the portfolio's), when it has one. */
  readonly plannedGoLiveAt?: Instant;
}

export interface CaseEvents {
  readonly info: CaseInfo;
  /** The playbook version the project runs (titles, phases, owners); undefined if it is unknown. */
  readonly model: PlaybookModel | undefined;
  readonly events: readonly { readonly seq: number; readonly event: ProjectEvent }[];
}

/** XES lifecycle transitions (the standard extension's model) the export uses. */
export type Lifecycle = "schedule" | "start" | "complete" | "manualskip" | "autoskip";

export interface Activity {
  /** Unique in the export: project and event sequence number. */
  readonly id: string;
  readonly seq: number;
  /** The activity: a step's title, a sign-off on it, or a project milestone. */
  readonly name: string;
  readonly lifecycle: Lifecycle;
  readonly kind: "step" | "sign-off" | "project";
  readonly at: Instant;
  /** Who: a person's id, a contact's, or "system" for the engine. */
  readonly resource: string;
  /** The playbook role the step belongs to, or the approver's role for a sign-off. */
  readonly role?: string;
  readonly step?: string;
  readonly phase?: string;
  /** The decision branch a completion took. */
  readonly branch?: string;
}

const MILESTONES: Partial<Record<ProjectEvent["type"], string>> = {
  "project.started": "Onboarding started",
  "project.on_hold": "Put on hold",
  "project.resumed": "Resumed",
  "project.go_live": "Go-live",
  "project.completed": "Onboarding completed",
  "project.closed": "Closed",
  "project.cancelled": "Cancelled",
  "project.reopened": "Reopened",
};

const STEP_LIFECYCLE: Partial<Record<ProjectEvent["type"], Lifecycle>> = {
  "step.opened": "schedule",
  "step.reopened": "schedule",
  "step.started": "start",
  "step.completed": "complete",
  // Done, and its decision sent the flow elsewhere ("UAT failed → fix"): the work happened.
  "step.looped": "complete",
  "step.skipped": "manualskip",
  "step.excluded": "autoskip",
};

/** The activities of one project, in the order of its events. */
export function activitiesOf(c: CaseEvents): Activity[] {
  const out: Activity[] = [];
  const stepOf = (id: string) => c.model?.steps.get(id);
  for (const { seq, event } of c.events) {
    const base = { id: `${c.info.projectId}:${seq}`, seq, at: event.at, resource: event.actor };
    const milestone = MILESTONES[event.type];
    if (milestone) {
      out.push({ ...base, name: milestone, lifecycle: "complete", kind: "project" });
      continue;
    }
    const lifecycle = STEP_LIFECYCLE[event.type];
    if (lifecycle && "step" in event && typeof event.step === "string") {
      const entry = stepOf(event.step);
      out.push({
        ...base,
        name: entry?.step.title ?? event.step,
        lifecycle,
        kind: "step",
        step: event.step,
        ...(entry ? { role: entry.step.owner, phase: entry.phase.id } : {}),
        ...((event.type === "step.completed" || event.type === "step.looped") && event.branch ? { branch: event.branch } : {}),
      });
      continue;
    }
    if (event.type === "gate.approved" || event.type === "gate.rejected") {
      const entry = stepOf(event.step);
      const title = entry?.step.title ?? event.step;
      out.push({
        ...base,
        name: `${event.type === "gate.approved" ? "Sign-off approved" : "Sign-off rejected"}: ${title}`,
        lifecycle: "complete",
        kind: "sign-off",
        step: event.step,
        role: event.role,
        ...(entry ? { phase: entry.phase.id } : {}),
      });
    }
  }
  return out;
}
