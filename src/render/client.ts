// A client-specific edition: the `--client` file (who the client is, its facts, the adopting
// company's parameters) is validated like a playbook, with errors at file:line:column, then the
// engine starts the client's project to resolve its conditional parts and simulates it on the
// client's business calendar (time zone, public holidays) to give every step a planned date.
import { DateTime } from "luxon";
import { z } from "zod";
import { CalendarError, dayDeadline, localDate } from "../engine/calendar/business-calendar.ts";
import { conditionValues } from "../engine/conditions.ts";
import { EngineError, startProject } from "../engine/index.ts";
import { simulate } from "../engine/simulate.ts";
import type { Diagnostic, Finding, Path } from "../playbook/diagnostics.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { issuesToFindings } from "../playbook/schema-issues.ts";
import { decodeUtf8, locate, parseYaml, type SourceFile } from "../playbook/source.ts";
import type { Window } from "../playbook/time-expressions.ts";
import type { PlaceholderValue } from "./placeholders.ts";
import type { Edition, PlannedDates } from "./sop/edition.ts";

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "dates are written YYYY-MM-DD");

export const ClientFileSchema = z.strictObject({
  client: z.strictObject({
    name: z.string().min(1, "must not be empty"),
    time_zone: z.string().min(1).describe('IANA time zone, e.g. "Europe/Berlin".'),
    country: z.string().optional().describe("ISO 3166-1 country code for public holidays, e.g. DE."),
    region: z.string().optional().describe("A state or region of the country, e.g. BY."),
    start: DATE.optional().describe("Planned start of the onboarding (YYYY-MM-DD); default: today."),
  }),
  facts: z.record(z.string(), z.unknown()).default({}),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});

export type ClientFile = z.output<typeof ClientFileSchema>;

export interface ClientFileResult {
  readonly client?: ClientFile;
  readonly source?: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
}

function diagnostic(
  source: SourceFile | undefined,
  file: string,
  finding: Omit<Finding, "rule" | "severity"> & { rule: string },
): Diagnostic {
  const { line, column } = source ? locate(source, finding) : { line: 1, column: 1 };
  return {
    rule: finding.rule,
    severity: "error",
    message: finding.message,
    ...(finding.fix ? { fix: finding.fix } : {}),
    file,
    line,
    column,
    path: finding.path,
  };
}

/** Parse and validate a `--client` file. Never throws. */
export function parseClientFile(file: string, input: Uint8Array | string): ClientFileResult {
  let text: string;
  if (typeof input === "string") text = input;
  else {
    const decoded = decodeUtf8(input);
    if (!decoded.ok) {
      return {
        diagnostics: [
          {
            rule: "source/encoding",
            severity: "error",
            message: `byte ${decoded.byte} is not valid UTF-8`,
            fix: "save the file as UTF-8",
            file,
            line: decoded.line,
            column: decoded.column,
            path: [],
          },
        ],
      };
    }
    text = decoded.text;
  }
  const source = parseYaml(file, text);
  if (source.document.errors.length > 0) {
    return {
      source,
      diagnostics: source.document.errors.map((error) => {
        const pos = source.lines.linePos(error.pos[0]);
        return {
          rule: "source/yaml",
          severity: "error",
          message: error.message.split("\n")[0] ?? error.code,
          fix: "fix the YAML syntax here",
          file,
          line: pos.line,
          column: pos.col,
          path: [],
        };
      }),
    };
  }
  const raw: unknown = source.document.toJS({ maxAliasCount: 100 });
  const parsed = ClientFileSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    return { source, diagnostics: issuesToFindings(ClientFileSchema, parsed.error.issues).map((f) => diagnostic(source, file, f)) };
  }
  return { client: parsed.data, source, diagnostics: [] };
}

const CALENDAR_FIELDS: Readonly<Record<string, Path>> = {
  timeZone: ["client", "time_zone"],
  country: ["client", "country"],
  region: ["client", "region"],
};

export type EditionResult =
  | { readonly edition: Edition; readonly diagnostics: readonly [] }
  | { readonly edition?: undefined; readonly diagnostics: readonly Diagnostic[] };

function windowDays(window: Window): { from: number; to: number | null } {
  const days = (bound: { unit: "day" | "week"; n: number }, end: boolean) =>
    bound.unit === "week" ? (end ? bound.n * 7 : Math.max(0, (bound.n - 1) * 7 + 1)) : bound.n;
  return { from: days(window.from, false), to: window.to === null ? null : days(window.to, true) };
}

/**
 * The edition for one client. `today` (YYYY-MM-DD) is the start when the file gives none; the
 * caller passes it, so this stays a function of its inputs.
 */
export function clientEdition(
  model: PlaybookModel,
  client: ClientFile,
  today: string,
  file = "client.yaml",
  source?: SourceFile,
): EditionResult {
  const playbook = model.playbook;
  const fail = (path: Path, message: string, fix?: string): EditionResult => ({
    diagnostics: [diagnostic(source, file, { rule: "client/invalid", message, ...(fix ? { fix } : {}), path })],
  });
  const start = client.client.start ?? today;
  const zone = client.client.time_zone;
  const [hours = "09:00"] = playbook.calendar.working_hours.split("-");
  const startLocal = DateTime.fromISO(`${start}T${hours}`, { zone });
  if (!startLocal.isValid)
    return fail(["client", "time_zone"], `"${zone}" is not a time zone`, 'use an IANA zone such as "Europe/Berlin" or "America/New_York"');
  const startAt = startLocal.toUTC().toISO() ?? `${start}T09:00:00.000Z`;
  const input = {
    projectId: "sop-edition",
    client: {
      id: "client",
      name: client.client.name,
      timeZone: zone,
      ...(client.client.country ? { country: client.client.country } : {}),
      ...(client.client.region ? { region: client.client.region } : {}),
    },
    facts: client.facts,
    params: client.params,
  };
  let started: ReturnType<typeof startProject>;
  let simulated: ReturnType<typeof simulate>;
  try {
    started = startProject(model, input, startAt);
    simulated = simulate(model, { start: startAt, input, maxDays: 400 });
  } catch (error) {
    if (error instanceof EngineError) {
      const field = typeof error.details.field === "string" ? error.details.field : "";
      const [root, key] = field.split(".");
      const path: Path = (root === "facts" || root === "params") && key ? [root, key] : [];
      const known = root === "facts" ? Object.keys(playbook.facts) : root === "params" ? Object.keys(playbook.parameters) : [];
      return fail(path, error.message, known.length > 0 ? `the playbook declares ${root}: ${known.join(", ")}` : undefined);
    }
    if (error instanceof CalendarError) {
      const base = error.field.split(/[.[]/)[0] ?? "";
      return fail(CALENDAR_FIELDS[base] ?? ["client"], error.message);
    }
    throw error;
  }
  const { ctx, state } = started;
  const values = conditionValues(ctx, state, startAt);
  const holds = (condition: string): boolean => {
    try {
      return ctx.expressions.evaluate(condition, {}, values) === true;
    } catch {
      return false;
    }
  };
  const excluded = new Set(
    Object.values(state.steps)
      .filter((s) => s.status === "not_applicable")
      .map((s) => s.id),
  );
  const final = simulated.state;
  const schedule = new Map<string, PlannedDates>();
  for (const step of Object.values(final.steps)) {
    if (excluded.has(step.id)) continue;
    const planned: PlannedDates = {
      ...(step.opensAt ? { opensAt: step.opensAt } : step.openedAt ? { opensAt: step.openedAt } : {}),
      ...(step.dueAt ? { dueAt: step.dueAt } : {}),
      ...(step.targetAt ? { targetAt: step.targetAt } : {}),
    };
    if (Object.keys(planned).length > 0) schedule.set(step.id, planned);
  }
  const calendar = simulated.ctx.calendar;
  const phaseDates = new Map<string, { from: string; to?: string }>();
  for (const phase of playbook.phases) {
    const window = phase.window;
    if (!window) continue;
    const anchor = window.anchor.kind === "start" ? startAt : window.anchor.kind === "go_live" ? final.goLiveAt : undefined;
    if (!anchor) continue;
    const { from, to } = windowDays(window);
    const fromDate =
      DateTime.fromISO(localDate(calendar, new Date(anchor)))
        .plus({ days: from })
        .toISODate() ?? start;
    phaseDates.set(
      phase.id,
      to === null ? { from: fromDate } : { from: fromDate, to: localDate(calendar, dayDeadline(calendar, new Date(anchor), to)) },
    );
  }
  const placeholders: Record<string, PlaceholderValue | undefined> = {};
  for (const [id, parameter] of Object.entries(playbook.parameters))
    if (parameter.default !== undefined) placeholders[id] = parameter.default;
  Object.assign(placeholders, client.params);
  for (const [id, value] of Object.entries(state.facts)) placeholders[`facts.${id}`] = value as PlaceholderValue;
  placeholders["client.name"] = client.client.name;
  placeholders["client.company"] = client.client.name;
  placeholders["client.time_zone"] = zone;
  if (client.client.country) placeholders["client.country"] = client.client.country;
  placeholders["project.start_date"] = start;
  if (final.goLiveAt) placeholders["project.go_live_date"] = localDate(calendar, new Date(final.goLiveAt));
  if (final.completedAt) placeholders["project.completion_date"] = localDate(calendar, new Date(final.completedAt));
  return {
    edition: {
      client: {
        name: client.client.name,
        timeZone: zone,
        start,
        ...(client.client.country ? { country: client.client.country.toUpperCase() } : {}),
        ...(client.client.region ? { region: client.client.region } : {}),
      },
      values: placeholders,
      holds,
      excludedSteps: excluded,
      schedule,
      phaseDates,
      ...(final.goLiveAt ? { plannedGoLive: final.goLiveAt } : {}),
      ...(final.completedAt ? { plannedCompletion: final.completedAt } : {}),
    },
    diagnostics: [],
  };
}
