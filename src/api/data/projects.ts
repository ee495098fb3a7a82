// Reading projects for the API: pages of summaries (without loading every state), the timeline of
// one project, pages of its events.
import { sql } from "kysely";
import { type GateOutcome, gateOutcome } from "../../engine/gates.ts";
import type { Instant, ProjectState, ProjectStatus } from "../../engine/types.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
import { eventOf } from "../../store/event-log.ts";
import type { ApiDb } from "./tables.ts";

export interface ProjectSummary {
  readonly id: string;
  readonly clientId: string;
  readonly clientName: string;
  readonly playbook: { readonly id: string; readonly version: string };
  readonly status: ProjectStatus;
  readonly health: string;
  readonly version: number;
  readonly nextWakeAt: Instant | null;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
}

export interface ProjectFilter {
  readonly status?: ProjectStatus;
  readonly clientId?: string;
  readonly playbookId?: string;
}

/** Projects in creation order after the key `after` (created_at, id). */
export async function listProjectSummaries(
  db: ApiDb,
  filter: ProjectFilter,
  after: readonly [string, string] | undefined,
  limit: number,
): Promise<ProjectSummary[]> {
  let query = db
    .selectFrom("projects as p")
    .innerJoin("clients as c", "c.id", "p.client_id")
    .select([
      "p.id",
      "p.client_id",
      "c.name as client_name",
      "p.playbook_id",
      "p.playbook_version",
      "p.status",
      "p.version",
      "p.next_wake_at",
      "p.created_at",
      "p.updated_at",
      // The portfolio's verdict (src/metrics/health.ts), so every list says what the dashboard says.
      sql<string>`coalesce((SELECT s.health FROM project_summaries s WHERE s.project_id = p.id), p.state->>'health')`.as("health"),
    ])
    .orderBy("p.created_at")
    .orderBy("p.id")
    .limit(limit);
  if (filter.status) query = query.where("p.status", "=", filter.status);
  if (filter.clientId) query = query.where("p.client_id", "=", filter.clientId);
  if (filter.playbookId) query = query.where("p.playbook_id", "=", filter.playbookId);
  if (after !== undefined) {
    const [createdAt, id] = after;
    const at = new Date(createdAt);
    query = query.where((eb) => eb.or([eb("p.created_at", ">", at), eb.and([eb("p.created_at", "=", at), eb("p.id", ">", id)])]));
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    clientId: r.client_id,
    clientName: r.client_name,
    playbook: { id: r.playbook_id, version: r.playbook_version },
    status: r.status as ProjectStatus,
    health: r.health,
    version: r.version,
    nextWakeAt: r.next_wake_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
}

export interface EventView {
  readonly seq: number;
  readonly type: string;
  readonly at: Instant;
  readonly actor: string;
  readonly reason: string | null;
  readonly hash: string;
  readonly redacted: boolean;
  /** The event's own fields (step, role, values ...). */
  readonly data: Record<string, unknown>;
}

export function eventView(stored: { seq: number; hash: string; redacted: boolean; event: object }): EventView {
  const { type, at, actor, reason, ...data } = stored.event as { type: string; at: string; actor: string; reason?: string };
  return { seq: stored.seq, type, at, actor, reason: reason ?? null, hash: stored.hash, redacted: stored.redacted, data };
}

export async function listEventsPage(db: ApiDb, projectId: string, afterSeq: number, limit: number): Promise<EventView[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((row) => eventView({ seq: row.seq, hash: row.hash, redacted: row.redacted_at !== null, event: eventOf(row) }));
}

export interface TimelineStep {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
  readonly owner: string;
  readonly status: string;
  readonly attempt: number;
  readonly overdue: boolean;
  readonly opensAt: Instant | null;
  readonly openedAt: Instant | null;
  readonly startedAt: Instant | null;
  readonly completedAt: Instant | null;
  readonly targetAt: Instant | null;
  readonly dueAt: Instant | null;
  readonly gate: {
    readonly approvers: string[];
    readonly approvals: Record<string, { decision: string; by: string; at: Instant; comment: string | null; conditions: string | null }>;
    readonly outcome: GateOutcome;
  } | null;
  readonly returned: { readonly role: string; readonly comment: string } | null;
  readonly items: Readonly<Record<string, Instant | null>> | null;
  readonly itemLabels: Record<string, string> | null;
  readonly itemWork: Record<
    string,
    {
      values: Record<string, unknown>;
      checklist: Record<string, boolean>;
      approvals: Record<string, { decision: string; by: string; at: Instant; comment: string | null; conditions: string | null }>;
    }
  > | null;
}

export function isOverdue(step: { status: string; dueAt?: Instant; overdueAt?: Instant }, now: Instant): boolean {
  const active = step.status === "open" || step.status === "in_progress";
  return active && (step.overdueAt !== undefined || (step.dueAt !== undefined && step.dueAt <= now));
}

/** A project's incidents as the API shows them (optional fields as nulls). */
export function incidentsOf(state: ProjectState) {
  return Object.values(state.incidents ?? {}).map((i) => ({
    id: i.id,
    kind: i.kind,
    step: i.step ?? null,
    rule: i.rule ?? null,
    cadence: i.cadence ?? null,
    expression: i.expression,
    inputs: { ...i.inputs },
    error: i.error,
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt ?? null,
  }));
}

/** The project's steps in playbook order, grouped by phase, with status and dates. */
export function timelineOf(model: PlaybookModel, state: ProjectState, now: Instant) {
  const phases = model.playbook.phases.map((phase) => ({
    id: phase.id,
    title: phase.title,
    steps: phase.steps.flatMap((def): TimelineStep[] => {
      const step = state.steps[def.id];
      if (!step) return [];
      return [
        {
          id: def.id,
          title: def.title,
          kind: def.kind,
          owner: def.owner,
          status: step.status,
          attempt: step.attempt,
          overdue: isOverdue(step, now),
          opensAt: step.opensAt ?? null,
          openedAt: step.openedAt ?? null,
          startedAt: step.startedAt ?? null,
          completedAt: step.completedAt ?? null,
          targetAt: step.targetAt ?? null,
          dueAt: step.dueAt ?? null,
          gate: def.gate
            ? {
                approvers: def.gate.approvers,
                approvals: Object.fromEntries(
                  Object.entries(step.approvals).map(([role, a]) => [
                    role,
                    { decision: a.decision, by: a.by, at: a.at, comment: a.comment ?? null, conditions: a.conditions ?? null },
                  ]),
                ),
                outcome: gateOutcome(def, step),
              }
            : null,
          returned: step.returned ?? null,
          items: step.items ?? null,
          itemLabels: step.itemLabels ? { ...step.itemLabels } : null,
          itemWork: step.itemWork
            ? Object.fromEntries(
                Object.entries(step.itemWork).map(([item, work]) => [
                  item,
                  {
                    values: { ...work.values },
                    checklist: { ...work.checklist },
                    approvals: Object.fromEntries(
                      Object.entries(work.approvals ?? {}).map(([role, a]) => [
                        role,
                        { decision: a.decision, by: a.by, at: a.at, comment: a.comment ?? null, conditions: a.conditions ?? null },
                      ]),
                    ),
                  },
                ]),
              )
            : null,
        },
      ];
    }),
  }));
  const tasks = Object.values(state.tasks).map((t) => ({
    id: t.id,
    title: t.title,
    owner: t.owner,
    source: t.source,
    createdAt: t.createdAt,
    dueAt: t.dueAt ?? null,
    doneAt: t.doneAt ?? null,
  }));
  const issues = Object.values(state.issues).map((i) => ({
    id: i.id,
    severity: i.severity,
    title: i.title,
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt ?? null,
  }));
  return { phases, tasks, issues, incidents: incidentsOf(state) };
}
