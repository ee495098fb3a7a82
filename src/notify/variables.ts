// The values a template's {{placeholders}} read, built from a project: a pure function of the
// project's state, its playbook, the client, the people holding its roles, the recipient and the
// meeting an invitation is about. The names are the playbook language's (semantics.ts checks them
// when a playbook loads): parameters, client.*, project.*, contact.*, meeting.*, roles.<role>.*,
// facts.<fact>. Dates are written in the client's time zone.
import type { Instant, ProjectState } from "../engine/types.ts";
import type { Playbook } from "../playbook/schema.ts";
import { RUNTIME_PLACEHOLDERS } from "../playbook/semantics.ts";
import type { MeetingPlan } from "./meetings.ts";

export interface Person {
  readonly name: string;
  readonly address: string;
  readonly phone?: string;
}

export interface VariablesInput {
  readonly playbook: Playbook;
  readonly state: ProjectState;
  readonly client: { readonly name: string; readonly timeZone: string; readonly country?: string | null };
  /** The first person holding each role (team member or client contact). */
  readonly roles: Readonly<Record<string, Person | undefined>>;
  /** Who the message is for (contact.*). */
  readonly recipient?: Person | undefined;
  readonly meeting?: { readonly plan: MeetingPlan; readonly attendees: readonly Person[] } | undefined;
  /** The project's page: in the app for the team, in the portal for a client contact. */
  readonly projectUrl: string;
  /**
   * The organisation's values for playbook parameters (Admin: company name, support address ...),
   * used where the project was started without one.
   */
  readonly organisation?: Readonly<Record<string, string>>;
  /** The link a meeting is held at, when there is one. */
  readonly meetingLink?: string;
}

/** What a value is written as while nobody knows it yet (a date before it is planned). */
export const NOT_YET = "to be confirmed";

/** Formatters per zone: building one costs about a millisecond, more than the rest of a message's values. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: "date" | "time", timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format =
      kind === "date"
        ? new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" })
        : new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(key, format);
  }
  return format;
}

export function formatDate(at: Instant | undefined, timeZone: string): string {
  if (at === undefined) return NOT_YET;
  return formatter("date", timeZone).format(new Date(at));
}

export function formatTime(at: Instant | undefined, timeZone: string): string {
  if (at === undefined) return NOT_YET;
  return `${formatter("time", timeZone).format(new Date(at))} (${timeZone})`;
}

/** The planned instant of a flag step (go-live, completion): done, else its target or deadline. */
function plannedAt(playbook: Playbook, state: ProjectState, flag: "go_live" | "completes_project"): Instant | undefined {
  for (const phase of playbook.phases)
    for (const step of phase.steps) {
      if (!step[flag]) continue;
      const s = state.steps[step.id];
      if (s) return s.completedAt ?? s.targetAt ?? s.dueAt;
    }
  return undefined;
}

export function templateVariables(input: VariablesInput): Record<string, unknown> {
  const { playbook, state, client } = input;
  const zone = client.timeZone;
  const params: Record<string, unknown> = {};
  for (const id of Object.keys(playbook.parameters)) {
    const own = state.params[id];
    params[id] = own !== undefined && own !== "" ? own : (input.organisation?.[id] ?? "");
  }
  const roles: Record<string, unknown> = {};
  for (const id of Object.keys(playbook.roles)) {
    const person = input.roles[id];
    roles[id] = { name: person?.name ?? NOT_YET, email: person?.address ?? "", phone: person?.phone ?? "" };
  }
  const facts: Record<string, unknown> = {};
  for (const id of Object.keys(playbook.facts)) {
    const value = state.facts[id];
    facts[id] = Array.isArray(value) ? value.join(", ") : (value ?? "");
  }
  const recipient = input.recipient;
  const plan = input.meeting?.plan;
  return {
    ...params,
    client: { name: client.name, company: client.name, country: client.country ?? "", time_zone: zone },
    project: {
      name: `${playbook.document.title}: ${client.name}`,
      url: input.projectUrl,
      start_date: formatDate(state.startedAt, zone),
      go_live_date: formatDate(state.goLiveAt ?? plannedAt(playbook, state, "go_live"), zone),
      completion_date: formatDate(state.completedAt ?? plannedAt(playbook, state, "completes_project"), zone),
    },
    contact: {
      name: recipient?.name ?? "",
      first_name: recipient?.name.split(/\s+/)[0] ?? "",
      email: recipient?.address ?? "",
    },
    meeting: {
      date: formatDate(plan?.start, zone),
      time: formatTime(plan?.start, zone),
      link: input.meetingLink ?? input.projectUrl,
      attendees: input.meeting?.attendees.map((a) => a.name).join(", ") || NOT_YET,
    },
    roles,
    facts,
  };
}

/** Whether a placeholder path (as `client.name`) names a value `templateVariables` gives. */
export function isKnownPlaceholder(path: readonly string[], playbook: Playbook): boolean {
  const [root, ...rest] = path;
  if (root === undefined) return false;
  if (rest.length === 0) return root in playbook.parameters;
  const spec = RUNTIME_PLACEHOLDERS[root];
  if (!spec) return false;
  const [first = "", second = ""] = rest;
  if (spec === "roles") return rest.length === 2 && first in playbook.roles && ["name", "email", "phone"].includes(second);
  if (spec === "facts") return rest.length === 1 && first in playbook.facts;
  return rest.length === 1 && spec.includes(first);
}
