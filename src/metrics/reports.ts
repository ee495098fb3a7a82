// Client reports: the 90-day success review and the go-live summary, pre-filled from the project's
// summary and step statistics (metrics against the playbook's targets, wins, challenges, next
// steps), edited by the CSM before sending (the edited content is stored as is), and rendered as
// standalone HTML, which the Chromium printer turns into PDF.
import { ACTIVE, type Instant, type ProjectState } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { rag } from "./kpis.ts";
import { goLiveTargetDays, type ProjectSummary, type StepStat } from "./summary.ts";

export const REPORT_KINDS = ["success-review", "go-live-summary"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportMetric {
  readonly label: string;
  readonly value: string;
  readonly target: string | null;
  readonly status: "green" | "amber" | "red" | null;
}

export interface ReportContent {
  readonly kind: ReportKind;
  readonly title: string;
  readonly client: string;
  readonly playbook: string;
  readonly preparedAt: Instant;
  readonly metrics: readonly ReportMetric[];
  readonly wins: readonly string[];
  readonly challenges: readonly string[];
  readonly nextSteps: readonly string[];
  readonly notes: string;
}

const DAY = 86_400_000;
const day = (at: Instant) => at.slice(0, 10);
const pct = (met: number, due: number) => (due === 0 ? null : Math.round((100 * met) / due));

export function draftReport(
  kind: ReportKind,
  model: PlaybookModel,
  state: ProjectState,
  summary: ProjectSummary,
  stats: readonly StepStat[],
  now: Instant,
): ReportContent {
  const playbook = model.playbook;
  const titleOf = (id: string) => model.steps.get(id)?.step.title ?? id;
  const target = (metric: string) => playbook.kpis.find((k) => k.metric === metric && k.target)?.target ?? null;
  const metrics: ReportMetric[] = [];
  const wins: string[] = [];
  const challenges: string[] = [];
  const nextSteps: string[] = [];

  const goLiveDays =
    summary.goLiveAt === null
      ? null
      : Math.max(0, Math.round((Date.parse(summary.goLiveAt) - Date.parse(summary.startedAt) - summary.heldMs) / DAY));
  const goLiveTarget =
    target("time_to_go_live") ??
    (goLiveTargetDays(playbook, state.params) !== null ? `<= ${goLiveTargetDays(playbook, state.params)} days` : null);
  metrics.push({
    label: "Time to go-live",
    value: goLiveDays === null ? "not live yet" : `${goLiveDays} days`,
    target: goLiveTarget,
    status: goLiveTarget && goLiveDays !== null ? rag(goLiveTarget, goLiveDays, state.params) : null,
  });
  const sla = pct(summary.stepsOnTime, summary.stepsDue);
  metrics.push({
    label: "Steps on time (SLA)",
    value: sla === null ? "no deadlines yet" : `${sla}% (${summary.stepsOnTime} of ${summary.stepsDue})`,
    target: target("sla_compliance"),
    status: sla !== null && target("sla_compliance") ? rag(target("sla_compliance") as string, sla) : null,
  });
  const milestones = pct(summary.milestonesOnTime, summary.milestonesDue);
  metrics.push({
    label: "Milestones on time",
    value: milestones === null ? "none due yet" : `${milestones}% (${summary.milestonesOnTime} of ${summary.milestonesDue})`,
    target: target("on_time_milestones"),
    status: milestones !== null && target("on_time_milestones") ? rag(target("on_time_milestones") as string, milestones) : null,
  });
  const training = pct(summary.trainingPassed, summary.trainingRecords);
  if (training !== null)
    metrics.push({
      label: "Training completion",
      value: `${training}% of tracks passed`,
      target: target("training_completion"),
      status: target("training_completion") ? rag(target("training_completion") as string, training) : null,
    });
  if (summary.adoptionRate !== null)
    metrics.push({
      label: "Adoption (active users)",
      value: `${Math.round(summary.adoptionRate)}%`,
      target: target("adoption_rate"),
      status: target("adoption_rate") ? rag(target("adoption_rate") as string, summary.adoptionRate) : null,
    });
  if (summary.nps !== null)
    metrics.push({
      label: "NPS (latest answer)",
      value: String(summary.nps),
      target: null,
      status: summary.nps >= 9 ? "green" : summary.nps >= 7 ? "amber" : "red",
    });
  if (summary.csat !== null)
    metrics.push({
      label: "CSAT (latest answer)",
      value: `${summary.csat}/5`,
      target: target("csat"),
      status: target("csat") ? rag(target("csat") as string, summary.csat) : null,
    });

  if (summary.goLiveAt !== null)
    wins.push(`Went live on ${day(summary.goLiveAt)}${goLiveDays !== null ? `, ${goLiveDays} days after the start` : ""}.`);
  if (summary.milestonesDue > 0 && summary.milestonesOnTime === summary.milestonesDue)
    wins.push(`Every milestone (${summary.milestonesDue}) was reached on time.`);
  if (summary.trainingRecords > 0 && summary.trainingPassed === summary.trainingRecords) wins.push("Every training track was passed.");
  if (summary.uatFirstPass === true) wins.push("User acceptance testing passed at the first attempt.");
  if (summary.nps !== null && summary.nps >= 9) wins.push(`The client is a promoter (NPS ${summary.nps}).`);

  const breached = stats.filter((s) => s.kind === "step" && s.breached).map((s) => titleOf(s.key));
  if (breached.length > 0)
    challenges.push(
      `${breached.length} step${breached.length === 1 ? "" : "s"} finished after the deadline: ${breached.slice(0, 5).join("; ")}.`,
    );
  if (summary.uatFirstPass === false) challenges.push("User acceptance testing needed a fix-and-retest loop.");
  if (summary.heldMs > 0) challenges.push(`The project was on hold for ${Math.round(summary.heldMs / DAY)} days.`);
  const issues = Object.values(state.issues);
  if (issues.length > 0)
    challenges.push(
      `${issues.length} issue${issues.length === 1 ? "" : "s"} raised (${issues.filter((i) => !i.resolvedAt).length} still open).`,
    );
  if (summary.adoptionRate !== null && summary.adoptionRate < 70)
    challenges.push(`Adoption is at ${Math.round(summary.adoptionRate)}% of users.`);

  const upcoming = model.order
    .filter((e) => {
      const s = state.steps[e.step.id];
      return s !== undefined && (ACTIVE.has(s.status) || s.status === "scheduled");
    })
    .slice(0, 4)
    .map((e) => {
      const s = state.steps[e.step.id];
      const due = s?.dueAt ?? s?.opensAt;
      return `${e.step.title}${due ? ` (by ${day(due)})` : ""}`;
    });
  nextSteps.push(...upcoming);
  if (kind === "success-review") {
    if (summary.adoptionRate !== null && summary.adoptionRate < 70) nextSteps.push("Agree an adoption plan with the client's champions.");
    if (summary.health === "green") nextSteps.push("Prepare the expansion and renewal conversation.");
  }
  if (nextSteps.length === 0) nextSteps.push("Hand over to ongoing customer success.");

  const title = kind === "success-review" ? `90-day success review: ${state.client.name}` : `Go-live summary: ${state.client.name}`;
  return {
    kind,
    title,
    client: state.client.name,
    playbook: playbook.document.title,
    preparedAt: now,
    metrics,
    wins,
    challenges,
    nextSteps,
    notes: "",
  };
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const COLOURS = { green: "#1f7a3a", amber: "#a15c00", red: "#b3261e" } as const;

export function reportHtml(content: ReportContent): string {
  const list = (items: readonly string[]) =>
    items.length === 0 ? "<p>None.</p>" : `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`;
  const rows = content.metrics
    .map(
      (m) =>
        `<tr><td>${esc(m.label)}</td><td>${esc(m.value)}</td><td>${esc(m.target ?? "—")}</td><td>${
          m.status ? `<span style="color:${COLOURS[m.status]};font-weight:600">${m.status}</span>` : "—"
        }</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(content.title)}</title>
<style>
body{font-family:'Noto Sans','DejaVu Sans',system-ui,sans-serif;color:#1c2430;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #d6dbe3;padding-bottom:.2rem}
.meta{color:#5b6577}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e7ee;padding:.35rem .5rem;text-align:left}
@media print{body{margin:0}}
</style></head>
<body>
<h1>${esc(content.title)}</h1>
<p class="meta">${esc(content.client)} · ${esc(content.playbook)} · prepared ${esc(day(content.preparedAt))}</p>
<h2>Metrics against targets</h2>
<table><thead><tr><th>Measure</th><th>Result</th><th>Target</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Wins</h2>${list(content.wins)}
<h2>Challenges</h2>${list(content.challenges)}
<h2>Next steps</h2>${list(content.nextSteps)}
${content.notes.trim() ? `<h2>Notes</h2><p>${esc(content.notes).replace(/\n/g, "<br>")}</p>` : ""}
</body></html>
`;
}
