import { z } from "zod";
import type { ProjectRecord } from "../../../store/index.ts";
import { incidentsOf } from "../../data/projects.ts";
import { PageQuery, pageOf } from "../../pagination.ts";
import { IdempotentHeaders, Instant, Slug } from "../common.types.ts";

export const ProjectStatus = z.enum(["active", "on_hold", "cancelled", "closed"]);
export const PlaybookRef = z.object({ id: z.string().min(1).max(200), version: z.string().min(1).max(200) }).meta({ id: "PlaybookRef" });
const FactValue = z.union([z.boolean(), z.number(), z.string(), z.array(z.string())]);

export const ProjectSummary = z
  .object({
    id: z.string(),
    clientId: z.string(),
    clientName: z.string(),
    playbook: PlaybookRef,
    status: ProjectStatus,
    health: z.string().describe("The portfolio's verdict: red, amber or green (rules in src/metrics/health.ts)."),
    version: z.number().int().describe("The number of events: send it as If-Match (quoted) with commands."),
    nextWakeAt: Instant.nullable(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "ProjectSummary" });

export const Incident = z
  .object({
    id: z.string(),
    kind: z
      .enum(["step_condition", "decision", "rule", "cadence"])
      .describe("What waits: a step's condition, a decision, a rule, a cadence."),
    step: z.string().nullable(),
    rule: z.string().nullable(),
    cadence: z.string().nullable(),
    expression: z.string().describe("The condition (CEL) that failed."),
    inputs: z.record(z.string(), z.unknown()).describe("The values it read, by path (null: absent)."),
    error: z.string(),
    openedAt: Instant,
    resolvedAt: Instant.nullable(),
  })
  .meta({
    id: "Incident",
    description:
      "A condition that failed at run time: what it guards waits until CS operations fix the data (or move the project to a corrected playbook version) and send retry_incident.",
  });

export const Project = ProjectSummary.extend({
  startedAt: Instant,
  goLiveAt: Instant.nullable(),
  completedAt: Instant.nullable(),
  closedAt: Instant.nullable(),
  heldSince: Instant.nullable(),
  facts: z.record(z.string(), FactValue),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  assignments: z.record(z.string(), z.string()).describe("Playbook role → person id."),
  openIssues: z.number().int(),
  incidents: z.array(Incident).describe("Conditions that failed at run time, open and resolved."),
  healthReasons: z.array(z.string()).describe("Why it is red or amber, as the portfolio shows them."),
  declaredHealth: z.string().describe("The health the team or a playbook rule set (one input of the verdict)."),
  origin: z
    .object({
      source: z
        .string()
        .describe("The CRM and its account (hubspot:<portal>, salesforce:<org>, pipedrive:<company>), or the generic source."),
      dealId: z.string(),
      connectionId: z.string().nullable().describe("The CRM connection whose delivery started it."),
    })
    .nullable()
    .optional()
    .describe("The won deal that started the project, when a CRM did."),
}).meta({ id: "Project" });

/** The verdict of the portfolio read model (src/metrics/portfolio.ts projectHealth). */
export interface HealthVerdictView {
  readonly health: string;
  readonly reasons: readonly string[];
}

export function projectView(project: ProjectRecord, verdict?: HealthVerdictView): z.infer<typeof Project> {
  const { state } = project;
  return {
    id: project.id,
    clientId: project.clientId,
    clientName: state.client.name,
    playbook: project.playbook,
    status: project.status,
    health: verdict?.health ?? state.health,
    version: project.version,
    nextWakeAt: project.nextWakeAt ?? null,
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
    startedAt: state.startedAt,
    goLiveAt: state.goLiveAt ?? null,
    completedAt: state.completedAt ?? null,
    closedAt: state.closedAt ?? null,
    heldSince: state.heldSince ?? null,
    facts: Object.fromEntries(Object.entries(state.facts).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as Record<
      string,
      z.infer<typeof FactValue>
    >,
    params: { ...state.params },
    assignments: { ...state.assignments },
    openIssues: Object.values(state.issues).filter((i) => !i.resolvedAt).length,
    incidents: incidentsOf(state),
    healthReasons: verdict ? [...verdict.reasons] : [],
    declaredHealth: state.health,
  };
}

export const ProjectParams = z.object({ id: z.string().min(1).max(200) });

export const ListProjectsQuery = z.object({
  status: ProjectStatus.optional(),
  clientId: z.string().min(1).max(200).optional(),
  playbookId: z.string().min(1).max(200).optional(),
  ...PageQuery,
});
export const ProjectPage = pageOf(ProjectSummary);

export const CreateProjectBody = z.object({
  id: Slug.optional().describe("Your id for the project; generated when omitted."),
  playbook: PlaybookRef.describe("A published playbook version; the project stays on it."),
  clientId: z.string().min(1).max(200),
  facts: z.record(z.string(), FactValue).default({}).describe("The client's facts the playbook declares (user_count, soc2_required ...)."),
  params: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .describe("Values for the playbook's parameters."),
});
export const CreateProjectHeaders = IdempotentHeaders;

export const Event = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: Instant,
    actor: z.string(),
    reason: z.string().nullable(),
    hash: z.string().describe("This event's link in the project's hash chain."),
    redacted: z.boolean().describe("Personal data in it was erased (the chain still verifies)."),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "Event" });

export const Effect = z.looseObject({ kind: z.string() }).meta({ id: "Effect", description: "What the outside world is to be told." });

export const CreatedProject = z.object({
  project: z.object({
    id: z.string(),
    clientId: z.string(),
    playbook: PlaybookRef,
    status: ProjectStatus,
    version: z.number().int(),
    nextWakeAt: Instant.nullable(),
  }),
  events: z.array(Event).describe("What the start did: steps opened with their deadlines, roles assigned."),
  effects: z.array(Effect),
});

export const EventsQuery = z.object(PageQuery);
export const EventPage = pageOf(Event);
