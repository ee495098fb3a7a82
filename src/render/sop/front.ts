// The front of the SOP: letterhead, title, document control, and sections 1-5 (purpose, scope,
// responsibilities, definitions, prerequisites), in seed 002's order.
import { qualityFindings } from "../../lint/lint.ts";
import type { Block, Inline, Letterhead, Rich } from "../document.ts";
import { classificationLabel, plain, strong, text } from "../document.ts";
import type { BuildContext } from "./context.ts";
import { formatDate } from "./dates.ts";

const STATUS: Readonly<Record<string, string>> = {
  draft: "Draft",
  in_review: "In review",
  approved: "Approved",
  retired: "Retired",
};

const SIDE: Readonly<Record<string, string>> = { internal: "Internal", client: "Client", system: "System" };

export function letterhead(ctx: BuildContext): Letterhead | undefined {
  const head = ctx.playbook.document.letterhead;
  if (!head) return undefined;
  const lines: Rich[] = [];
  if (head.address) lines.push(ctx.t(head.address));
  const contact: Rich[] = [];
  if (head.phone) contact.push([text("Phone: "), ...ctx.t(head.phone)]);
  if (head.email) contact.push([text("Email: "), ...ctx.t(head.email)]);
  if (head.website) contact.push([text("Website: "), ...ctx.t(head.website)]);
  lines.push(...contact);
  return { company: ctx.t(head.company_name), lines };
}

function dateValue(ctx: BuildContext, value: string | undefined): Rich {
  return value === undefined ? plain("—") : ctx.t(value);
}

export function titleBlocks(ctx: BuildContext): Block[] {
  const d = ctx.playbook.document;
  const blocks: Block[] = [
    { kind: "heading", level: 1, id: "title", text: ctx.t(d.title) },
    {
      kind: "paragraph",
      tone: "lead",
      text: [text("Standard Operating Procedure · "), ...ctx.t(d.id), text(" · Version "), ...ctx.t(d.version)],
    },
  ];
  const client = ctx.edition.client;
  const rows: Rich[][] = [
    [plain("Document ID"), ctx.t(d.id)],
    [plain("Title"), ctx.t(d.title)],
    [plain("Version"), ctx.t(d.version)],
    [plain("Status"), plain(STATUS[d.status] ?? d.status)],
    [plain("Effective date"), dateValue(ctx, d.effective)],
    [plain("Review date"), dateValue(ctx, d.review)],
  ];
  if (d.last_review) rows.push([plain("Last review"), ctx.t(d.last_review)]);
  rows.push([plain("Owner"), ctx.t(d.owner)]);
  if (d.prepared_by) rows.push([plain("Prepared by"), ctx.t(d.prepared_by)]);
  rows.push([plain("Classification"), plain(classificationLabel(d.classification))]);
  if (client) {
    rows.push([plain("Client edition"), plain(client.name)]);
    rows.push([plain("Planned start"), plain(formatDate(`${client.start}T12:00:00Z`, client.timeZone))]);
    if (ctx.edition.plannedGoLive) rows.push([plain("Planned go-live"), plain(formatDate(ctx.edition.plannedGoLive, client.timeZone))]);
    rows.push([plain("Business calendar"), plain(calendarWords(ctx))]);
  }
  blocks.push(
    { kind: "heading", level: 2, id: "document-control", text: plain("Document Control") },
    {
      kind: "table",
      style: "key-value",
      columns: [
        { title: "Field", weight: 1 },
        { title: "Value", weight: 3 },
      ],
      rows,
    },
  );
  blocks.push(...qualityBlocks(ctx));
  blocks.push({ kind: "heading", level: 2, id: "contents", text: plain("Contents") }, { kind: "toc" });
  return blocks;
}

/**
 * A draft that does not meet the SOP quality checklist yet says so up front: what `onboard lint
 * --strict` would refuse, one line each. A playbook that passes strict prints nothing here.
 */
function qualityBlocks(ctx: BuildContext): Block[] {
  const findings = qualityFindings(ctx.model);
  if (findings.length === 0) return [];
  return [
    {
      kind: "callout",
      tone: "warning",
      title: "Quality findings",
      blocks: [
        {
          kind: "paragraph",
          text: plain(
            `This document does not yet meet the SOP quality checklist (${findings.length} finding${findings.length === 1 ? "" : "s"}). It may run as a draft; the strict check refuses it until these are addressed:`,
          ),
        },
        {
          kind: "list",
          style: "bullet",
          items: findings.map((f) => ({ text: plain(`${sentenceCase(f.message)}.${f.fix ? ` Fix: ${f.fix}.` : ""}`) })),
        },
      ],
    },
  ];
}

function sentenceCase(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

const WEEKDAYS: Readonly<Record<string, string>> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };

/** "Mon–Fri 09:00–17:00, Europe/Berlin, public holidays of DE". */
export function calendarWords(ctx: BuildContext): string {
  const cal = ctx.playbook.calendar;
  const client = ctx.edition.client;
  const days = cal.working_days.map((d) => WEEKDAYS[d] ?? d);
  const contiguous = days.join(",") === ["Mon", "Tue", "Wed", "Thu", "Fri"].join(",") ? "Mon–Fri" : days.join(", ");
  const zone = cal.time_zone === "client" ? (client?.timeZone ?? "the client's time zone") : cal.time_zone;
  const country = cal.holidays === "client" ? client?.country : cal.holidays === "none" ? undefined : cal.holidays;
  const holidays =
    cal.holidays === "none"
      ? "no public holidays"
      : country
        ? `public holidays of ${country}${client?.region && cal.holidays === "client" ? `-${client.region}` : ""}`
        : "the public holidays of the client's country";
  const closures = cal.closures.length > 0 ? `; closures: ${cal.closures.map((c) => `${c.label} (${c.from} to ${c.to})`).join(", ")}` : "";
  return `${contiguous} ${cal.working_hours.replace("-", "–")}, ${zone}, ${holidays}${closures}`;
}

export function frontSections(ctx: BuildContext): Block[] {
  const p = ctx.playbook;
  const blocks: Block[] = [];

  blocks.push(ctx.section("Purpose"), ...ctx.prose(p.purpose));

  blocks.push(ctx.section("Scope"), { kind: "paragraph", text: [strong("Applies to:")] });
  blocks.push({ kind: "list", style: "bullet", items: p.scope.applies_to.map((s) => ({ text: ctx.proseInline(s) })) });
  if (p.scope.excludes.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Does not apply to:")] });
    blocks.push({
      kind: "list",
      style: "bullet",
      items: p.scope.excludes.map((e) => ({
        text: e.see ? [...ctx.proseInline(e.text), text(" (see "), ...ctx.t(e.see), text(")")] : ctx.proseInline(e.text),
      })),
    });
  }

  blocks.push(ctx.section("Responsibilities"));
  const roleRows = Object.entries(p.roles).map(([id, role]): Rich[] => {
    const duties: Inline[] = [];
    const lines = [...(role.description ? [role.description] : []), ...role.responsibilities];
    lines.forEach((line, i) => {
      if (i > 0) duties.push({ kind: "break" });
      duties.push(...ctx.proseInline(line));
    });
    const notes: string[] = [];
    if (role.assignment) notes.push(`Assigned by ${role.assignment.strategies.map((s) => s.replaceAll("_", " ")).join(", then ")}`);
    if (role.escalates_to) notes.push(`Escalates to ${ctx.roleTitle(role.escalates_to)}`);
    return [
      [strong(ctx.roleTitle(id))],
      plain(SIDE[role.side] ?? role.side),
      duties.length > 0 ? duties : plain("—"),
      plain(notes.join(". ") || "—"),
    ];
  });
  blocks.push({
    kind: "table",
    columns: [
      { title: "Role", weight: 2 },
      { title: "Side", weight: 1 },
      { title: "Responsibilities", weight: 5 },
      { title: "Assignment and escalation", weight: 2 },
    ],
    rows: roleRows,
  });

  blocks.push(ctx.section("Definitions"));
  if (p.definitions.length === 0)
    blocks.push({ kind: "paragraph", text: plain("This procedure uses no terms beyond their everyday meaning.") });
  else
    blocks.push({
      kind: "list",
      style: "bullet",
      items: p.definitions.map((d) => ({ text: [strong(`${ctx.fill.plain(d.term)}:`), text(" "), ...ctx.proseInline(d.meaning)] })),
    });

  blocks.push(ctx.section("Prerequisites"));
  if (p.prerequisites.length === 0) {
    blocks.push({ kind: "paragraph", text: plain("None beyond the event that starts the procedure (see 6).") });
  } else {
    blocks.push({ kind: "paragraph", text: plain("Before initiating this procedure:") });
    blocks.push({ kind: "list", style: "check", items: p.prerequisites.map((s) => ({ text: ctx.proseInline(s), checked: false })) });
  }
  return blocks;
}
