// The phrases an SOP states its timing, owners and branches in, read into the playbook language's
// own words: "within 3 business days" → due "3 business days", "(Days 1–7)" → window "Days 1-7",
// "If X, then Y" → a decision. Pure functions; what they cannot read they return undefined for,
// and the extractor keeps the sentence as text with a finding.
import { parseDeadline, parseWindow } from "../../playbook/time-expressions.ts";

/** A lower_snake_case id from any title: "Kick-off call (Day 1)" → "kick_off_call_day_1". */
export function slug(text: string, fallback = "item"): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const cut = words.length > 48 ? words.slice(0, 48).replace(/_[^_]*$/, "") : words;
  if (cut === "") return fallback;
  return /^[a-z]/.test(cut) ? cut : `${fallback}_${cut}`;
}

/** A window phrase as the language writes it ("Days 1-7", "Day 70+", "Days 0-90 after go_live"), or undefined. */
export function windowText(phrase: string): string | undefined {
  const match =
    /^(days?|weeks?)\s+(\d+)(?:(?:\s*(?:–|—|-|to)\s*)(\d+))?(\s+(?:onwards|and after|\+)|\+)?(?:\s+after\s+(go-live|go live|go_live))?$/i.exec(
      phrase.trim(),
    );
  if (!match) return undefined;
  const week = match[1]?.toLowerCase().startsWith("week");
  const from = match[2];
  const to = match[3];
  const open = match[4] !== undefined;
  const unit = week ? (to || open ? "Weeks" : "Week") : to || open ? "Days" : "Day";
  const span = open
    ? `${unit === "Weeks" ? "Week" : unit === "Days" ? "Day" : unit} ${from}+`
    : to
      ? `${unit} ${from}-${to}`
      : `${unit} ${from}`;
  const text = match[5] ? `${span} after go_live` : span;
  return parseWindow(text).ok ? text : undefined;
}

/** A title that ends in its window, "Implementation (Weeks 3–6)": the title without it, and the window. */
export function splitWindow(title: string): { readonly title: string; readonly window?: string } {
  const match = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(title);
  if (match?.[1] && match[2]) {
    const window = windowText(match[2]);
    if (window) return { title: match[1], window };
  }
  const dash = /^(.*?)\s*[-–—:]\s*((?:days?|weeks?)\s+\d+.*)$/i.exec(title);
  if (dash?.[1] && dash[2]) {
    const window = windowText(dash[2]);
    if (window) return { title: dash[1], window };
  }
  return { title };
}

const DURATION = String.raw`((?:~|≈|about |approx\. |approximately )?(?:\d+(?:\.\d+)?|\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})\s*(?:business\s+)?(?:minutes?|hours?|h|days?|weeks?|months?))`;

function duration(raw: string): string {
  return raw
    .replace(/(\d)\s*h$/i, "$1 hours")
    .replace(/\s+/g, " ")
    .trim();
}

/** Where a deadline points: a step by its number ("6.2"), a date the document names, or a fixed anchor. */
export type DeadlineAnchor =
  | { readonly kind: "fixed"; readonly text: string }
  | { readonly kind: "step"; readonly ref: string; readonly point: "started" | "completed" }
  | { readonly kind: "date"; readonly label: string };

export interface DeadlinePhrase {
  /** "7 days", "Day 60": the deadline before its anchor is attached. */
  readonly amount: string;
  readonly kind: "offset" | "day";
  readonly direction: "after" | "before";
  readonly anchor?: DeadlineAnchor;
}

const STEP_REF = /^(?:step\s+)?(\d+(?:\.\d+)+)\b/i;

function anchorOf(words: string): DeadlineAnchor | undefined {
  const text = words
    .trim()
    .replace(/\s*\(its deadline, until it is done\)$/, "")
    .replace(/^the\s+/i, "");
  if (/^(assignment|activation|when the step opens)$/i.test(text)) return undefined;
  if (/^((customer|client|project|onboarding|contract)\s+)?start(\s+date)?$|^start of the (project|onboarding)$/i.test(text))
    return { kind: "fixed", text: "start" };
  if (/^go[- ]?live$/i.test(text)) return { kind: "fixed", text: "go_live" };
  if (/^completion of the\b/i.test(text)) return { kind: "fixed", text: "completion" };
  const started = /^start of\s+(.+)$/i.exec(text);
  if (started?.[1]) {
    const ref = STEP_REF.exec(started[1]);
    if (ref?.[1]) return { kind: "step", ref: ref[1], point: "started" };
  }
  const completing = /^(?:completing|completion of)\s+(.+)$/i.exec(text);
  const step = STEP_REF.exec(completing?.[1] ?? text);
  if (step?.[1]) return { kind: "step", ref: step[1], point: "completed" };
  return { kind: "date", label: text.replace(/\s*\(answered in [^)]*\)$/, "") };
}

/**
 * A deadline as an SOP says it: "within 5 business days of assignment", "by Day 60 after go-live",
 * "2 days before the start of 6.4 (Kickoff)", "within 24 hours of completing 6.2 (Handoff)".
 */
export function readDeadline(phrase: string): DeadlinePhrase | undefined {
  const text = phrase.trim().replace(/\.$/, "");
  const day = /^(?:by\s+)?day\s+(\d+)(?:\s+after\s+(.+))?$/i.exec(text);
  if (day?.[1]) {
    const anchor = day[2] === undefined ? undefined : anchorOf(day[2]);
    return { amount: `Day ${day[1]}`, kind: "day", direction: "after", ...(anchor ? { anchor } : {}) };
  }
  const offset = new RegExp(String.raw`^(?:within\s+)?${DURATION}(?:\s+(of|after|from|before)\s+(.+))?$`, "i").exec(text);
  if (!offset?.[1]) return undefined;
  const anchor = offset[3] === undefined ? undefined : anchorOf(offset[3]);
  return {
    amount: duration(offset[1]),
    kind: "offset",
    direction: offset[2]?.toLowerCase() === "before" ? "before" : "after",
    ...(anchor ? { anchor } : {}),
  };
}

/** The language's deadline text, once the anchor is known as the language writes it ("start", "kickoff", "facts.start_date"). */
export function deadlineText(phrase: DeadlinePhrase, anchor: string | undefined): string | undefined {
  let text: string;
  if (phrase.kind === "day") text = anchor === undefined || anchor === "start" ? phrase.amount : `${phrase.amount} after ${anchor}`;
  else if (anchor === undefined) text = phrase.direction === "before" ? `${phrase.amount} before start` : phrase.amount;
  else text = `${phrase.amount} ${phrase.direction} ${anchor}`;
  return parseDeadline(text).ok ? text : undefined;
}

/** A deadline stated in running text: "within 3 business days", "(Day 5)", "by Day 1-3". */
export function findDeadline(sentence: string): { readonly phrase: DeadlinePhrase; readonly match: string } | undefined {
  const within = new RegExp(String.raw`\bwithin\s+${DURATION}(?:\s+(of|after|from)\s+((?:[^.,;:()]|\.(?=\d))+))?`, "i").exec(sentence);
  if (within?.[1]) {
    const anchor = within[3] === undefined ? undefined : anchorOf(within[3]);
    return {
      phrase: { amount: duration(within[1]), kind: "offset", direction: "after", ...(anchor ? { anchor } : {}) },
      match: within[0],
    };
  }
  const day = /\b(?:by\s+)?days?\s+(\d+)(?:\s*(?:–|—|-|to)\s*(\d+))?\b/i.exec(sentence);
  if (day?.[1]) return { phrase: { amount: `Day ${day[2] ?? day[1]}`, kind: "day", direction: "after" }, match: day[0] };
  return undefined;
}

/** "If X (a, b), then Y": split at the first comma outside parentheses. */
function proseIf(text: string): [string, string, string] | undefined {
  const head = /^\s*if\s+/i.exec(text);
  if (!head) return undefined;
  let depth = 0;
  for (let i = head[0].length; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      const rest = text.slice(i + 1).replace(/^\s*(?:then\s+)?/i, "");
      return rest ? [text, text.slice(head[0].length, i), rest] : undefined;
    }
  }
  return undefined;
}

/** "If the customer is high-risk, escalate to the BSA Officer." → condition and consequence. */
export function readIfThen(sentence: string): { readonly condition: string; readonly consequence: string } | undefined {
  const text = sentence.trim().replace(/\.$/, "");
  const upper = /^\s*(?:IF|OTHERWISE)\s+(.+?)\s*:?\s*\n?\s*THEN\s+(.+)$/s.exec(text);
  const plain = upper ?? proseIf(text);
  if (!plain?.[1] || !plain[2]) return undefined;
  const condition = plain[1]
    .replace(/\s*\(criterion:.*\)\s*:?$/s, "")
    .replace(/:$/, "")
    .trim();
  return { condition, consequence: plain[2].trim() };
}

/** "Security Officer, Manager, & HR" → the roles named, in order. */
export function splitRoles(text: string): string[] {
  // Separators inside a parenthesis ("Requestor (User or Manager)") do not split.
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  const separator = /^(?:\s*,\s*&\s*|\s*,\s*and\s+|\s*,\s*|\s*&\s*|\s*\/\s*|\s+and\s+|\s+or\s+|\s*;\s*|\s*\+\s*)/i;
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? "";
    if (c === "(") depth++;
    if (c === ")") depth = Math.max(0, depth - 1);
    const match = depth === 0 ? separator.exec(text.slice(i)) : null;
    if (match && match[0].length > 0) {
      parts.push(current);
      current = "";
      i += match[0].length;
      continue;
    }
    current += c;
    i++;
  }
  parts.push(current);
  return parts.map((part) => part.trim().replace(/^the\s+/i, "")).filter((part) => part.length > 0 && part.length <= 80);
}

export type Side = "internal" | "client" | "system";

/** A role's side from its name, when the document does not say. */
export function guessSide(title: string): Side {
  // The team's jobs named after whom they serve: "Client Success Manager", "Customer Support Lead".
  if (/\b(client|customer)\s+(success|services?|support|relationship|account|experience|onboarding|care|operations)\b/i.test(title))
    return "internal";
  if (/^(client|customer)\b/i.test(title)) return "client";
  if (
    /\b(owner|manager|officer|team|department|analyst|lead|administrator|engineer|specialist|coordinator|director|head|staff)s?\b/i.test(
      title,
    )
  )
    return "internal";
  if (/\b(system|engine|platform|automation|bot|tool|portal|crm)\b/i.test(title)) return "system";
  if (/\b(client|customer|new hire|employee|candidate|applicant|vendor|partner|user)s?\b/i.test(title)) return "client";
  return "internal";
}

/** A side written in a table: "Internal", "Client", "System". */
export function readSide(text: string): Side | undefined {
  const word = text.trim().toLowerCase();
  return word === "internal" || word === "client" || word === "system" ? word : undefined;
}

/** "Owner: X · Deadline: Y" (the renderer's meta lines, or "**Responsible:** X") → label and value pairs. */
export function labelled(text: string): { readonly label: string; readonly value: string }[] | undefined {
  // Call-outs open with an emoji or a bullet: "⏰ Target time: within 14 days".
  const parts = text.replace(/^[^\p{L}]+/u, "").split(/\s+·\s+/);
  const pairs: { label: string; value: string }[] = [];
  for (const part of parts) {
    const match = /^([A-Z][A-Za-z /()-]{0,40}?):\s*(.*)$/s.exec(part.trim());
    if (!match?.[1]) return undefined;
    pairs.push({ label: match[1].trim().toLowerCase(), value: (match[2] ?? "").trim() });
  }
  return pairs;
}

/** `base`, or `base_2`, `base_3` ... whichever is not taken yet; the id is then taken. */
export function unique(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  taken.add(id);
  return id;
}
