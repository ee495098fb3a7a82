// The evidence summary as a standalone HTML document for an auditor (printed to PDF by Chromium
// where one is available): the procedure and its document control, the steps, the sign-offs with
// how each signer authenticated, the deviations, SLA outcomes, the compliance checks and the chain
// proof. No scripts, nothing from the network.
import type { EvidenceSummary } from "./evidence.ts";

function esc(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function when(value: string | null | undefined): string {
  return value ? esc(value.replace("T", " ").replace(/\.\d{3}Z$/, "Z")) : "—";
}

function table(head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const STYLE = `
body { font: 10pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 16pt 0 6pt; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; table-layout: fixed; } th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; font-size: 8.5pt; overflow-wrap: anywhere; }
th { background: #eee; } .missing, .missed { color: #a00; font-weight: bold; } .met, .evidenced { color: #060; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 0; } dt { font-weight: bold; } dd { margin: 0; }
code { font-size: 8pt; word-break: break-all; } .empty { font-style: italic; }
@page { size: A4; margin: 16mm 14mm; }`;

export function evidenceHtml(s: EvidenceSummary): string {
  const d = s.procedure.document;
  const control = `<dl>
<dt>Document</dt><dd>${esc(d.id)} — ${esc(d.title)}, version ${esc(d.version)} (${esc(d.status)})</dd>
<dt>Playbook</dt><dd>${esc(s.procedure.playbook.id)} version ${esc(s.procedure.playbook.version)}, content SHA-256 <code>${esc(s.procedure.contentHash)}</code></dd>
<dt>Owner</dt><dd>${esc(d.owner)}</dd><dt>Classification</dt><dd>${esc(d.classification)}</dd>
<dt>Effective</dt><dd>${esc(d.effective)}; next review ${esc(d.review)}</dd>
${s.procedure.migratedFrom.length > 0 ? `<dt>Earlier versions</dt><dd>${s.procedure.migratedFrom.map((m) => `${esc(m.id)} ${esc(m.version)} (until ${when(m.at)})`).join("; ")}</dd>` : ""}
</dl>
<h3>Document approvals</h3>
${table(
  ["Role", "Name", "Title", "Date"],
  d.approvals.map((a) => [esc(a.role), esc(a.name ?? "—"), esc(a.title ?? "—"), esc(a.date ?? "—")]),
  "The procedure records no document approvals.",
)}
<h3>Revision history</h3>
${table(
  ["Version", "Date", "Changes"],
  d.revisions.map((r) => [esc(r.version), esc(r.date), esc(r.changes)]),
  "No revisions recorded.",
)}`;
  const steps = table(
    ["Step", "Phase", "Owner", "Status", "Done by", "Closed at", "Due", "SLA"],
    s.steps.map((st) => [
      `${esc(st.title)}<br><code>${esc(st.id)}</code>`,
      esc(st.phase),
      esc(st.owner),
      esc(st.status) + (st.branch ? ` (${esc(st.branch)})` : ""),
      esc(st.completedByName ?? "—"),
      when(st.completedAt),
      when(st.dueAt) + (st.originalDueAt ? `<br>(first ${when(st.originalDueAt)})` : ""),
      `<span class="${esc(st.sla)}">${esc(st.sla.replace("_", " "))}</span>${st.targetMissed ? "<br>target missed" : ""}`,
    ]),
    "The playbook has no steps.",
  );
  const approvals = table(
    ["Seq", "When", "Step", "Role", "Decision", "Signer", "Authenticated by", "Comment / conditions"],
    s.approvals.map((a) => [
      String(a.seq),
      when(a.at),
      esc(a.stepTitle),
      esc(a.role),
      esc(a.decision.replaceAll("_", " ")),
      `${esc(a.byName)}<br><code>${esc(a.by)}</code>`,
      esc(a.authenticatedBy),
      esc([a.comment, a.conditions ? `Conditions: ${a.conditions}` : null].filter(Boolean).join(" — ") || "—"),
    ]),
    "No sign-offs were given.",
  );
  const deviations = table(
    ["Seq", "When", "Kind", "What", "Reason", "Allowed by"],
    s.deviations.map((v) => [
      String(v.seq),
      when(v.at),
      esc(v.kind.replaceAll("_", " ")),
      esc(v.what),
      esc(v.reason ?? "—"),
      esc(v.allowedByName),
    ]),
    s.sla.missed + s.sla.openOverdue > 0
      ? "No step was skipped, extended, reopened or held, and no sign-off was overridden; missed deadlines are under SLA outcomes."
      : "No deviations: every step ran as the procedure says, within its deadlines.",
  );
  const checks = table(
    ["Addendum", "Check", "Status", "Evidence"],
    s.checks.map((c) => [
      `${esc(c.addendum)} (${esc(c.framework)})${c.appliesWhen ? `<br>applies when ${esc(c.appliesWhen)}` : ""}`,
      `${esc(c.text)}<br><code>${esc(c.id)}</code>`,
      `<span class="${esc(c.status)}">${esc(c.status.replace("_", " "))}</span>`,
      [
        ...c.evidence.map(
          (e) =>
            `${esc(e.step)}: done ${when(e.completedAt)} by ${esc(e.completedByName)}${e.forms.length > 0 ? `; forms ${e.forms.map((f) => `${esc(f.form)} (event ${f.seq})`).join(", ")}` : ""}${e.attachments.length > 0 ? `; files ${e.attachments.map((f) => esc(f.fileName)).join(", ")}` : ""}`,
        ),
        ...(c.status === "missing" ? [`<span class="missing">missing: ${c.missing.map(esc).join(", ")}</span>`] : []),
      ].join("<br>") || "—",
    ]),
    "The playbook declares no compliance checks.",
  );
  const chain = `<dl>
<dt>Events</dt><dd>${s.chain.events} (${s.chain.redacted} erasure record(s)), in ${esc(s.chain.files.events)}</dd>
<dt>Head</dt><dd>event ${s.chain.head.seq}, hash <code>${esc(s.chain.head.hash)}</code></dd>
<dt>Checkpoint</dt><dd>${esc(s.chain.checkpoint.origin)}, ${s.chain.checkpoint.treeSize} events, root <code>${esc(s.chain.checkpoint.rootHash)}</code> (${esc(s.chain.files.checkpoint)})</dd>
<dt>Inclusion proofs</dt><dd>every event, in ${esc(s.chain.files.inclusion)}</dd>
<dt>Verify</dt><dd><code>onboard evidence verify &lt;package.zip&gt; --vkey &lt;the operator's vkey&gt;</code></dd>
</dl>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evidence package: ${esc(s.project.client.name)} — ${esc(s.project.id)}</title><style>${STYLE}</style></head>
<body>
<h1>Evidence package: ${esc(s.project.client.name)}</h1>
<p>Onboarding <code>${esc(s.project.id)}</code>, ${esc(s.project.status)}; started ${when(s.project.startedAt)}${s.project.goLiveAt ? `, live ${when(s.project.goLiveAt)}` : ""}${s.project.completedAt ? `, completed ${when(s.project.completedAt)}` : ""}. Generated ${when(s.generatedAt)} at version ${s.project.version}.</p>
<h2>1. Procedure followed</h2>${control}
<h2>2. Steps</h2>${steps}
<h2>3. Sign-offs</h2>${approvals}
<h2>4. Deviations</h2>${deviations}
<h2>5. SLA outcomes</h2><p>${s.sla.met} met, <span class="${s.sla.missed > 0 ? "missed" : ""}">${s.sla.missed} missed</span>, ${s.sla.open} open within their deadline, ${s.sla.openOverdue} open past it; ${s.sla.targetsMissed} soft target(s) missed.</p>
<h2>6. Compliance checks</h2>${checks}
<h2>7. Chain proof</h2>${chain}
</body></html>
`;
}
