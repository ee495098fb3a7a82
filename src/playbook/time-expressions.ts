// Parsers for the time phrases a playbook is written in: durations ("4 business hours"),
// deadlines ("2 business days after start", "Day 90 after go_live") and phase windows
// ("Days 11-45", "Week 1-2", "Day 70+"). Pure functions returning a result, never throwing,
// so the loader can turn a failure into a located diagnostic.

export type TimeUnit = "minute" | "hour" | "day" | "week" | "month";

/** A number written in the playbook, or a `{{placeholder}}` resolved when a project starts. */
export type Amount = { readonly kind: "literal"; readonly value: number } | { readonly kind: "placeholder"; readonly name: string };

export interface Duration {
  readonly amount: Amount;
  readonly unit: TimeUnit;
  /** Counted on the project's business calendar (working days and hours) instead of the wall clock. */
  readonly business: boolean;
  /**
   * Written as an approximation ("~14 days", "about 2 weeks"): the SOP keeps the author's
   * wording, the engine plans with the number.
   */
  readonly approximate?: string;
  readonly text: string;
}

/** What a deadline or window is measured from. */
export type Anchor =
  | { readonly kind: "activation" }
  | { readonly kind: "start" }
  | { readonly kind: "go_live" }
  | { readonly kind: "completion" }
  | { readonly kind: "step"; readonly step: string; readonly point: "started" | "completed" }
  | { readonly kind: "fact"; readonly fact: string }
  /** A date or date-time answered in a form during the run ("the agreed go-live date", "trial end"). */
  | { readonly kind: "form"; readonly form: string; readonly field: string };

export type Deadline =
  | {
      readonly kind: "offset";
      readonly duration: Duration;
      readonly direction: "after" | "before";
      readonly anchor: Anchor;
      readonly text: string;
    }
  | { readonly kind: "day"; readonly day: number; readonly anchor: Anchor; readonly text: string };

export interface WindowBound {
  readonly unit: "day" | "week";
  readonly n: number;
}

export interface Window {
  readonly from: WindowBound;
  /** null: open-ended ("Day 70+"). */
  readonly to: WindowBound | null;
  readonly anchor: Anchor;
  readonly text: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly fix: string };

const UNIT_WORDS: Readonly<Record<string, TimeUnit>> = {
  m: "minute",
  min: "minute",
  mins: "minute",
  minute: "minute",
  minutes: "minute",
  h: "hour",
  hr: "hour",
  hrs: "hour",
  hour: "hour",
  hours: "hour",
  d: "day",
  day: "day",
  days: "day",
  w: "week",
  wk: "week",
  week: "week",
  weeks: "week",
  month: "month",
  months: "month",
};

const AMOUNT = String.raw`(\d+(?:\.\d+)?|\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\})`;
const DURATION_RE = new RegExp(String.raw`^${AMOUNT}\s*(business\s+)?([A-Za-z]+)$`, "i");

const DURATION_FIX =
  'write a number, an optional "business", and a unit: "24h", "30 minutes", "4 business hours", "2 business days", "1 week"';

function parseAmount(raw: string): Amount {
  if (raw.startsWith("{{")) {
    return { kind: "placeholder", name: raw.slice(2, -2).trim() };
  }
  return { kind: "literal", value: Number(raw) };
}

/** "~14 days", "about 2 weeks", "approx. 3 days", "approximately", "around", "roughly", "circa", "c.". */
const APPROXIMATE_RE = /^(?:~|≈|about\s+|approx\.?\s+|approximately\s+|around\s+|roughly\s+|circa\s+|ca?\.\s*)\s*/i;

export function parseDuration(input: string): ParseResult<Duration> {
  const written = input.trim();
  const approximate = APPROXIMATE_RE.exec(written)?.[0].trim();
  const text = written.replace(APPROXIMATE_RE, "");
  const match = DURATION_RE.exec(text);
  if (!match) {
    return { ok: false, message: `"${input}" is not a duration`, fix: DURATION_FIX };
  }
  const [, amountRaw = "", businessRaw, unitRaw = ""] = match;
  const unit = UNIT_WORDS[unitRaw.toLowerCase()];
  if (!unit) {
    return {
      ok: false,
      message: `"${unitRaw}" is not a time unit`,
      fix: "use minutes, hours, days, weeks or months (or m, h, d, w)",
    };
  }
  const business = businessRaw !== undefined;
  if (business && unit === "month") {
    return {
      ok: false,
      message: "business months are not a unit",
      fix: 'count business days instead ("20 business days") or drop "business"',
    };
  }
  const amount = parseAmount(amountRaw);
  if (amount.kind === "literal" && (!Number.isFinite(amount.value) || amount.value < 0)) {
    return { ok: false, message: `"${amountRaw}" is not a usable amount`, fix: DURATION_FIX };
  }
  return { ok: true, value: { amount, unit, business, ...(approximate ? { approximate } : {}), text: written } };
}

const STEP_ANCHOR_RE = /^([a-z][a-z0-9_]*)(?:\.(started|completed))?$/;
const FACT_ANCHOR_RE = /^facts\.([a-z][a-z0-9_]*)$/;
const FORM_ANCHOR_RE = /^forms\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/;

const ANCHOR_FIX =
  'measure from "start", "go_live", "completion", "activation", a step id ("kickoff" or "kickoff.started"), a date fact ("facts.renewal_date") or a date answered in a form ("forms.kickoff.go_live_date")';

export function parseAnchor(input: string): ParseResult<Anchor> {
  const text = input.trim();
  switch (text) {
    case "start":
      return { ok: true, value: { kind: "start" } };
    case "go_live":
    case "go-live":
      return { ok: true, value: { kind: "go_live" } };
    case "completion":
      return { ok: true, value: { kind: "completion" } };
    case "activation":
    case "assignment":
      return { ok: true, value: { kind: "activation" } };
  }
  const fact = FACT_ANCHOR_RE.exec(text);
  if (fact?.[1]) return { ok: true, value: { kind: "fact", fact: fact[1] } };
  const form = FORM_ANCHOR_RE.exec(text);
  if (form?.[1] && form[2]) return { ok: true, value: { kind: "form", form: form[1], field: form[2] } };
  const step = STEP_ANCHOR_RE.exec(text);
  if (step?.[1]) {
    const point = step[2] === "started" ? "started" : "completed";
    return { ok: true, value: { kind: "step", step: step[1], point } };
  }
  return { ok: false, message: `"${input}" is not something a deadline can be measured from`, fix: ANCHOR_FIX };
}

const DAY_RE = /^day\s+(\d+)(?:\s+(?:after|of|from)\s+(.+))?$/i;
const OFFSET_RE = /^(.+?)\s+(after|before|of|from)\s+(.+)$/i;

const DEADLINE_FIX =
  'write "<duration>" (from when the step opens), "<duration> after|before <anchor>" or "Day <n> [after <anchor>]", e.g. "2 business days after start", "3 days before kickoff", "Day 90 after go_live"';

export function parseDeadline(input: string): ParseResult<Deadline> {
  const text = input.trim().replace(/^within\s+/i, "");
  const day = DAY_RE.exec(text);
  if (day) {
    const anchor = day[2] === undefined ? ({ kind: "start" } as const) : parseAnchor(day[2]);
    if ("ok" in anchor && !anchor.ok) return anchor;
    const value = "ok" in anchor ? anchor.value : anchor;
    return { ok: true, value: { kind: "day", day: Number(day[1]), anchor: value, text: input.trim() } };
  }
  const offset = OFFSET_RE.exec(text);
  const durationText = offset ? (offset[1] ?? "") : text;
  const duration = parseDuration(durationText);
  if (!duration.ok) {
    return offset ? duration : { ok: false, message: `"${input}" is not a deadline`, fix: DEADLINE_FIX };
  }
  let anchor: Anchor = { kind: "activation" };
  let direction: "after" | "before" = "after";
  if (offset) {
    const parsedAnchor = parseAnchor(offset[3] ?? "");
    if (!parsedAnchor.ok) return parsedAnchor;
    anchor = parsedAnchor.value;
    direction = offset[2]?.toLowerCase() === "before" ? "before" : "after";
  }
  return { ok: true, value: { kind: "offset", duration: duration.value, direction, anchor, text: input.trim() } };
}

const WINDOW_RE = /^(days?|weeks?)\s+(\d+)(?:\s*(?:-|–|to)\s*(\d+)|\s*(\+))?(?:\s+(?:after|of|from)\s+(.+))?$/i;

const WINDOW_FIX = 'write "Day 3", "Days 11-45", "Week 1-2", "Weeks 5-12" or "Day 70+", optionally "after go_live"';

export function parseWindow(input: string): ParseResult<Window> {
  const text = input.trim();
  const match = WINDOW_RE.exec(text);
  if (!match) return { ok: false, message: `"${input}" is not a phase window`, fix: WINDOW_FIX };
  const unit = match[1]?.toLowerCase().startsWith("week") ? "week" : "day";
  const from = Number(match[2]);
  const to = match[4] === "+" ? null : Number(match[3] ?? match[2]);
  if (to !== null && to < from) {
    return {
      ok: false,
      message: `the window "${input}" ends before it starts`,
      fix: `write the smaller number first: "${unit === "week" ? "Weeks" : "Days"} ${to}-${from}"`,
    };
  }
  let anchor: Anchor = { kind: "start" };
  if (match[5] !== undefined) {
    const parsedAnchor = parseAnchor(match[5]);
    if (!parsedAnchor.ok) return parsedAnchor;
    anchor = parsedAnchor.value;
  }
  return {
    ok: true,
    value: { from: { unit, n: from }, to: to === null ? null : { unit, n: to }, anchor, text },
  };
}

/** Whose clock a time of day is read on: the client's (the project calendar's zone) or the rule owner's. */
export type ZoneOwner = "client" | "owner";

/** A time of day on someone's clock: "15:00 client", "09:00 owner". */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly zone: ZoneOwner;
  readonly text: string;
}

const TIME_OF_DAY_RE = /^(\d{1,2}):(\d{2})(?:\s+(\S+))?$/;
const TIME_OF_DAY_FIX = 'write "HH:MM" on a 24-hour clock and whose time zone: "15:00 client" or "09:00 owner"';

export function parseTimeOfDay(input: string): ParseResult<TimeOfDay> {
  const text = input.trim();
  const match = TIME_OF_DAY_RE.exec(text);
  if (!match) return { ok: false, message: `"${input}" is not a time of day`, fix: TIME_OF_DAY_FIX };
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if ((match[1] ?? "").length !== 2 || hour > 23 || minute > 59)
    return { ok: false, message: `"${input}" is not a time of day (HH:MM, 00:00 to 23:59)`, fix: TIME_OF_DAY_FIX };
  const zone = (match[3] ?? "client").toLowerCase();
  if (zone !== "client" && zone !== "owner")
    return {
      ok: false,
      message: `"${match[3]}" is not whose time zone a time is read in`,
      fix: 'write "client" (the client\'s time zone) or "owner" (the time zone of the rule\'s owner)',
    };
  return { ok: true, value: { hour, minute, zone, text } };
}

/** Plain words for a time of day: "3 PM in the client's time zone", "9:30 AM in the owner's time zone". */
export function describeTimeOfDay(at: TimeOfDay): string {
  const h12 = at.hour % 12 === 0 ? 12 : at.hour % 12;
  const clock = `${h12}${at.minute === 0 ? "" : `:${String(at.minute).padStart(2, "0")}`} ${at.hour < 12 ? "AM" : "PM"}`;
  return `${clock} in the ${at.zone === "client" ? "client" : "owner"}'s time zone`;
}

/** Plain words for a duration, as a document prints it: "4 business hours". */
export function describeDuration(duration: Duration): string {
  const amount = duration.amount.kind === "literal" ? String(duration.amount.value) : `{{${duration.amount.name}}}`;
  const plural = duration.amount.kind === "placeholder" || duration.amount.value !== 1;
  const about =
    duration.approximate === undefined ? "" : /^[~≈]$/.test(duration.approximate) ? duration.approximate : `${duration.approximate} `;
  return `${about}${amount} ${duration.business ? "business " : ""}${duration.unit}${plural ? "s" : ""}`;
}
