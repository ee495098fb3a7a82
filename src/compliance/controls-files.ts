// The controls report as the files of its signed package: report.json (everything), one CSV per
// table an auditor filters in a spreadsheet, and summary.html to read. CSV cells that a
// spreadsheet would run as a formula (= + - @ tab CR first) are prefixed with an apostrophe (csv.ts).
import { diffText } from "../render/diff.ts";
import { approverText, BEFORE_THE_LOG, type ControlsReport, type PeriodBounds, type Publication, STILL_HELD } from "./controls-report.ts";
import { toCsv } from "./csv.ts";
import type { PackageFile, PackageHeader } from "./package.ts";

/** A value as a CSV cell's text: objects as JSON, nothing as empty. */
function cellText(value: unknown): string {
  return value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
}

function csv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return toCsv(
    header,
    rows.map((row) => row.map(cellText)),
  );
}

export const CONTROLS_SUMMARY_HTML = "summary.html";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fromText = (from: string | null) => from ?? BEFORE_THE_LOG;
const toText = (to: string | null) => to ?? STILL_HELD;

function affectedText(publication: Publication): string {
  return publication.affected.map((a) => `${a.projectId} (${a.how} ${a.at})`).join("; ");
}

function diffSummary(publication: Publication): string {
  if (!publication.diff) return publication.previousVersion === null ? "first version" : "";
  return diffText(publication.diff).trim();
}

function accessCsv(report: ControlsReport): { roles: string; changes: string } {
  return {
    roles: csv(
      ["user", "name", "kind", "role", "from", "to"],
      report.cc61.roleIntervals.map((i) => [i.userId, i.name, i.kind, i.role, fromText(i.from), toText(i.to)]),
    ),
    changes: csv(
      ["at", "actor", "subject", "change", "roles_before", "roles_after", "details"],
      report.cc61.accessChanges.map((c) => [
        c.at,
        c.actor,
        c.subject,
        c.change,
        c.rolesBefore?.join(" ") ?? "",
        c.rolesAfter?.join(" ") ?? "",
        Object.keys(c.details).length > 0 ? c.details : "",
      ]),
    ),
  };
}

function changeCsv(report: ControlsReport): { publications: string; rejections: string } {
  return {
    publications: csv(
      [
        "playbook",
        "version",
        "title",
        "published_at",
        "origin",
        "author",
        "approver",
        "approved_at",
        "previous_version",
        "changes",
        "projects_affected",
      ],
      report.cc81.publications.map((p) => [
        p.playbookId,
        p.version,
        p.title,
        p.publishedAt,
        p.origin,
        p.author ?? "",
        approverText(p),
        p.approval?.at ?? "",
        p.previousVersion ?? "",
        diffSummary(p),
        affectedText(p),
      ]),
    ),
    rejections: csv(
      ["playbook", "version", "submitted_by", "submitted_at", "rejected_by", "rejected_at", "reason"],
      report.cc81.rejections.map((r) => [
        r.playbookId,
        r.version,
        r.submittedBy,
        r.submittedAt,
        r.rejectedBy,
        r.rejectedAt,
        r.reason ?? "",
      ]),
    ),
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function periodText(bounds: PeriodBounds & { from: string; to: string }): string {
  return `${bounds.from} to ${bounds.to} (${bounds.start} up to ${bounds.end}, UTC)`;
}

/** The readable summary: standalone HTML, no scripts. */
export function controlsHtml(report: ControlsReport): string {
  const { cc61, cc81 } = report;
  const publications = cc81.publications
    .map((p) => {
      const diff = p.diff
        ? `<pre>${escapeHtml(diffText(p.diff).trim())}</pre>`
        : `<p>${p.previousVersion === null ? "The first version: nothing to compare with." : "No differences."}</p>`;
      const approval = p.approval
        ? `approved by ${escapeHtml(p.approval.by)} at ${escapeHtml(p.approval.at)}${p.approval.comment ? ` (“${escapeHtml(p.approval.comment)}”)` : ""}`
        : escapeHtml(approverText(p));
      const affected = p.affected.length > 0 ? escapeHtml(affectedText(p)) : "none in the period";
      return `<section class="publication"><h3>${escapeHtml(p.playbookId)} ${escapeHtml(p.version)}: ${escapeHtml(p.title)}</h3>
<p>Published ${escapeHtml(p.publishedAt)}; ${p.origin === "built_in" ? "built in" : `uploaded by ${escapeHtml(p.author ?? "unknown")}`}; ${approval}.</p>
<p>Previous version: ${escapeHtml(p.previousVersion ?? "none")}. Projects affected: ${affected}.</p>
${diff}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access and change control report ${escapeHtml(report.period.from)} to ${escapeHtml(report.period.to)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap}.empty{color:#666}</style>
</head><body>
<h1>Access and change control report</h1>
<p>Period: ${escapeHtml(periodText(report.period))}. Generated ${escapeHtml(report.generatedAt)}.
The access-change log began ${escapeHtml(report.logBegan ?? "after this report was made (no changes recorded yet)")}; roles held from before it are marked “${BEFORE_THE_LOG}”.</p>
<h2>CC6.1 Logical access</h2>
<h3>Access roles held in the period</h3>
${table(
  ["Account", "Name", "Kind", "Role", "From", "To"],
  cc61.roleIntervals.map((i) => [i.userId, i.name, i.kind, i.role, fromText(i.from), toText(i.to)]),
  "No account held an access role in the period.",
)}
<h3>Access changes in the period (${cc61.accessChanges.length})</h3>
${table(
  ["At", "By", "Account", "Change", "Roles before", "Roles after", "Details"],
  cc61.accessChanges.map((c) => [
    c.at,
    c.actor,
    c.subject,
    c.change,
    c.rolesBefore?.join(", ") ?? "",
    c.rolesAfter?.join(", ") ?? "",
    Object.keys(c.details).length > 0 ? JSON.stringify(c.details) : "",
  ]),
  "No access changed in the period.",
)}
<h2>CC8.1 Change management: playbook versions</h2>
<p>Four-eyes publishing (a second person approves each uploaded version) was ${cc81.fourEyesAtStart ? "on" : "off"} at the start of the period.${
    cc81.fourEyesChanges.length > 0
      ? ` Changed: ${cc81.fourEyesChanges
          .map((c) => `${c.required ? "on" : "off"} at ${c.at} by ${c.actor}`)
          .map(escapeHtml)
          .join("; ")}.`
      : ""
  } Built-in playbooks, published when the server starts, are exempt.</p>
<h3>Versions published in the period (${cc81.publications.length})</h3>
${publications || '<p class="empty">No playbook version was published in the period.</p>'}
<h3>Versions rejected in the period (${cc81.rejections.length})</h3>
${table(
  ["Playbook", "Version", "Uploaded by", "Rejected by", "At", "Reason"],
  cc81.rejections.map((r) => [r.playbookId, r.version, r.submittedBy, r.rejectedBy, r.rejectedAt, r.reason ?? ""]),
  "None.",
)}
</body></html>
`;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

/** The package's header and files (sign them with package.ts's writePackage). */
export function controlsPackageFiles(report: ControlsReport): { header: PackageHeader; files: PackageFile[] } {
  const access = accessCsv(report);
  const changes = changeCsv(report);
  return {
    header: {
      kind: "period-report",
      subject: `access and change control ${report.period.from}..${report.period.to}`,
      createdAt: report.generatedAt,
    },
    files: [
      { path: "report.json", bytes: utf8(`${JSON.stringify(report, null, 2)}\n`) },
      { path: CONTROLS_SUMMARY_HTML, bytes: utf8(controlsHtml(report)) },
      { path: "cc6.1-access-roles.csv", bytes: utf8(access.roles) },
      { path: "cc6.1-access-changes.csv", bytes: utf8(access.changes) },
      { path: "cc8.1-playbook-publications.csv", bytes: utf8(changes.publications) },
      { path: "cc8.1-playbook-rejections.csv", bytes: utf8(changes.rejections) },
    ],
  };
}
