// The period report of access and change control an auditor samples (SOC 2 CC6.1, CC8.1), as
// values: who held which access role when (intervals rebuilt from the access-change log), every
// access change in the period, and every playbook version published in it with its diff, author,
// approver and the projects it affected. Pure: the reading is controls-data.ts, the files are
// controls-files.ts.
import type { PlaybookDiff } from "../render/diff.ts";

export interface Period {
  /** YYYY-MM-DD, UTC: the period runs from `from` 00:00 to the end of `to`. */
  readonly from: string;
  readonly to: string;
}

export interface PeriodBounds {
  readonly start: string;
  /** Exclusive: the day after `to`, 00:00 UTC. */
  readonly end: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The period's instants; a date that does not exist (2026-02-30) or an end before the start is a RangeError naming the field. */
export function periodBounds(period: Period): PeriodBounds {
  const instant = (field: "from" | "to", text: string) => {
    const match = DAY.exec(text);
    const date = match ? new Date(`${text}T00:00:00.000Z`) : undefined;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
      throw new RangeError(`${field}: "${text}" is not a date (YYYY-MM-DD)`);
    }
    return date;
  };
  const start = instant("from", period.from);
  const last = instant("to", period.to);
  if (last < start) throw new RangeError(`to: ${period.to} is before from (${period.from})`);
  return { start: start.toISOString(), end: new Date(last.getTime() + 86_400_000).toISOString() };
}

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly kind: "person" | "service";
  /** Now: the state the log's changes are undone from. */
  readonly roles: readonly string[];
  readonly active: boolean;
}

export interface AccessChangeRecord {
  readonly at: string;
  readonly actor: string;
  readonly subject: string;
  readonly change: string;
  readonly rolesBefore: readonly string[] | null;
  readonly rolesAfter: readonly string[] | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface RoleInterval {
  readonly userId: string;
  readonly name: string;
  readonly kind: "person" | "service";
  readonly role: string;
  /** When the role was granted; null: held since before the log began. */
  readonly from: string | null;
  /** When it ended (removed or the account deactivated); null: still held at the end of the period. */
  readonly to: string | null;
}

export const BEFORE_THE_LOG = "held since before the log began";
export const STILL_HELD = "held at the end of the period";

interface AccessState {
  readonly exists: boolean;
  readonly active: boolean;
  readonly roles: readonly string[];
}

/** The state just before `change`, from the state just after it. */
function undo(after: AccessState, change: AccessChangeRecord): AccessState {
  switch (change.change) {
    case "account_created":
    case "service_account_created":
      return { exists: false, active: false, roles: [] };
    case "roles_changed":
      return { ...after, roles: change.rolesBefore ?? after.roles };
    case "deactivated":
      return { ...after, active: true };
    case "reactivated":
      return { ...after, active: false };
    default:
      return after;
  }
}

/** The state just after `change`, from the state before it. */
function apply(before: AccessState, change: AccessChangeRecord): AccessState {
  switch (change.change) {
    case "account_created":
    case "service_account_created":
      return { exists: true, active: true, roles: change.rolesAfter ?? [] };
    case "roles_changed":
      return { ...before, roles: change.rolesAfter ?? before.roles };
    case "deactivated":
      return { ...before, active: false };
    case "reactivated":
      return { ...before, active: true };
    default:
      return before;
  }
}

const held = (state: AccessState) => new Set(state.exists && state.active ? state.roles : []);

/**
 * Every interval in which an account held an access role and could use it (active), overlapping the
 * period. Rebuilt by undoing the log from the account's current state back to before its first
 * record, then replaying it: an account older than the log held its first roles "since before the log".
 */
export function roleIntervals(account: Account, changes: readonly AccessChangeRecord[], bounds: PeriodBounds): RoleInterval[] {
  const mine = changes.filter((c) => c.subject === account.id).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let state: AccessState = { exists: true, active: account.active, roles: account.roles };
  for (const change of [...mine].reverse()) state = undo(state, change);
  const open = new Map<string, string | null>();
  for (const role of held(state)) open.set(role, null);
  const intervals: RoleInterval[] = [];
  const close = (role: string, at: string) => {
    intervals.push({ userId: account.id, name: account.name, kind: account.kind, role, from: open.get(role) ?? null, to: at });
    open.delete(role);
  };
  for (const change of mine) {
    const before = held(state);
    state = apply(state, change);
    const after = held(state);
    for (const role of before) if (!after.has(role)) close(role, change.at);
    for (const role of after) if (!before.has(role)) open.set(role, change.at);
  }
  for (const [role, from] of open) intervals.push({ userId: account.id, name: account.name, kind: account.kind, role, from, to: null });
  return intervals
    .filter((i) => (i.from === null || i.from < bounds.end) && (i.to === null || i.to > bounds.start))
    .map((i) => (i.to !== null && i.to >= bounds.end ? { ...i, to: null } : i))
    .sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : (a.from ?? "") < (b.from ?? "") ? -1 : 1));
}

export interface AffectedProject {
  readonly projectId: string;
  readonly how: "started" | "migrated";
  readonly at: string;
}

export interface Publication {
  readonly playbookId: string;
  readonly version: string;
  readonly title: string;
  readonly publishedAt: string;
  readonly origin: "built_in" | "upload";
  /** The uploader; null for a built-in playbook. */
  readonly author: string | null;
  /** The second person who approved it, when four-eyes applied. */
  readonly approval: { readonly by: string; readonly at: string; readonly comment: string | null } | null;
  readonly fourEyesAtTheTime: boolean;
  readonly previousVersion: string | null;
  readonly diff: PlaybookDiff | null;
  readonly affected: readonly AffectedProject[];
}

export interface Rejection {
  readonly playbookId: string;
  readonly version: string;
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly rejectedBy: string;
  readonly rejectedAt: string;
  readonly reason: string | null;
}

export interface FourEyesChange {
  readonly at: string;
  readonly actor: string;
  readonly required: boolean;
}

export interface ControlsInput {
  readonly period: Period;
  readonly generatedAt: string;
  /** The first access change ever recorded: accounts older than it held their roles "since before the log". */
  readonly logBegan: string | null;
  readonly accounts: readonly Account[];
  /** Every access change up to now (intervals are rebuilt from the current state). */
  readonly accessChanges: readonly AccessChangeRecord[];
  readonly publications: readonly Publication[];
  readonly rejections: readonly Rejection[];
  /** The four-eyes setting's whole history (whether it was on at a time is read from it). */
  readonly fourEyesChanges: readonly FourEyesChange[];
}

export interface ControlsReport {
  readonly period: Period & PeriodBounds;
  readonly generatedAt: string;
  readonly logBegan: string | null;
  readonly cc61: { readonly roleIntervals: readonly RoleInterval[]; readonly accessChanges: readonly AccessChangeRecord[] };
  readonly cc81: {
    readonly fourEyesAtStart: boolean;
    readonly fourEyesChanges: readonly FourEyesChange[];
    readonly publications: readonly Publication[];
    readonly rejections: readonly Rejection[];
  };
}

const within = (at: string, bounds: PeriodBounds) => at >= bounds.start && at < bounds.end;

/** Whether four-eyes was on at `at`, from the setting's history (off before its first change). */
export function fourEyesAt(changes: readonly FourEyesChange[], at: string): boolean {
  let on = false;
  for (const change of [...changes].sort((a, b) => (a.at < b.at ? -1 : 1))) if (change.at <= at) on = change.required;
  return on;
}

export function buildControlsReport(input: ControlsInput): ControlsReport {
  const bounds = periodBounds(input.period);
  const roleIntervalsInPeriod = [...input.accounts]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .flatMap((account) => roleIntervals(account, input.accessChanges, bounds));
  return {
    period: { ...input.period, ...bounds },
    generatedAt: input.generatedAt,
    logBegan: input.logBegan,
    cc61: {
      roleIntervals: roleIntervalsInPeriod,
      accessChanges: input.accessChanges.filter((c) => within(c.at, bounds)),
    },
    cc81: {
      fourEyesAtStart: fourEyesAt(input.fourEyesChanges, bounds.start),
      fourEyesChanges: input.fourEyesChanges.filter((c) => within(c.at, bounds)),
      publications: input.publications.filter((p) => within(p.publishedAt, bounds)),
      rejections: input.rejections.filter((r) => within(r.rejectedAt, bounds)),
    },
  };
}

/** Who approved a publication, in words: the approver, or why there was none. */
export function approverText(publication: Publication): string {
  if (publication.approval) return publication.approval.by;
  if (publication.origin === "built_in") return "built in (exempt from four-eyes)";
  return "no four-eyes at the time";
}
