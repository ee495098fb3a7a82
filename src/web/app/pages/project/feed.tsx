// What happened on a project, told in words: step titles, checklist texts, role titles and
// people's names, never event type names or ids. The activity feed and the audit trail use it.
import { useState } from "react";
import { api, type Schemas } from "../../../api/client.ts";
import { ErrorNotice } from "../../../components/ui.tsx";
import { downloadFile } from "../../../lib/download.ts";
import { formatDate, formatDateTime } from "../../../lib/format.ts";

type Event = Schemas["Event"];

/** How the feed names what events name by id. */
export interface FeedWords {
  step(id: string): string;
  item(step: string, key: string): string;
  role(id: string): string;
  person(id: string): string;
  track(id: string): string;
  survey(id: string): string;
}

const HEALTH: Record<string, string> = { green: "on track", amber: "watch", red: "at risk" };

type Say = (d: Record<string, unknown>, w: FeedWords) => string;
const s = (v: unknown) => String(v ?? "");

const EVENT_TEXT: Record<string, Say> = {
  "project.started": () => "Project started",
  "project.migrated": () => "Moved to a newer version of the playbook",
  "role.assigned": (d, w) =>
    d.previous
      ? `${w.role(s(d.role))} handed over from ${w.person(s(d.previous))} to ${w.person(s(d.person))}`
      : `${w.person(s(d.person))} assigned as ${w.role(s(d.role))}`,
  "assignment.failed": (d, w) => `Nobody could be assigned as ${w.role(s(d.role))}: assign someone in the Team tab`,
  "rule.fired": () => "A playbook rule applied",
  "note.added": (d) => `Note: ${s(d.text)}`,
  "audit.redacted": () => "Personal data erased from an earlier entry",
  "step.opened": (d, w) => `${w.step(s(d.step))} opened`,
  "step.scheduled": (d, w) => `${w.step(s(d.step))} scheduled for ${formatDate(s(d.opensAt))}`,
  "step.started": (d, w) => `${w.step(s(d.step))} started`,
  "step.completed": (d, w) => `${w.step(s(d.step))} done${d.branch ? `: ${s(d.branch)}` : ""}`,
  "step.skipped": (d, w) => `${w.step(s(d.step))} skipped`,
  "step.reopened": (d, w) =>
    d.returnedBy
      ? `${w.step(s(d.step))} returned by the ${w.role(s(d.returnedBy))}${d.comment ? `: “${s(d.comment)}”` : ""}`
      : `${w.step(s(d.step))} reopened`,
  "step.activated": (d, w) => `${w.step(s(d.step))} started on demand`,
  "step.reblocked": (d, w) => `${w.step(s(d.step))} waits again for ${w.step(s(d.because))}`,
  "step.overdue": (d, w) => `${w.step(s(d.step))} is overdue`,
  "step.reminded": (d, w) => `Reminder sent for ${w.step(s(d.step))}`,
  "step.target_missed": (d, w) => `${w.step(s(d.step))} missed its target`,
  "step.looped": (d, w) => `${w.step(s(d.step))}: ${s(d.branch)}, back to ${w.step(s(d.to))}`,
  "item.completed": (d, w) => `${w.step(s(d.step))}: ${s(d.item)} done`,
  "occurrence.added": (d, w) => `${w.step(s(d.step))}: one more to handle, “${s(d.label)}”`,
  "step.excluded": (d, w) => `${w.step(s(d.step))} left out for this client (${s(d.expression)})`,
  "step.included": (d, w) =>
    Array.isArray(d.items)
      ? `${w.step(s(d.step))} applies, for ${d.items.length} ${d.items.length === 1 ? "item" : "items"}`
      : `${w.step(s(d.step))} applies`,
  "checklist.ticked": (d, w) =>
    `${w.step(s(d.step))}${d.for === undefined ? "" : ` (${s(d.for)})`}: “${w.item(s(d.step), s(d.item))}” ${d.checked ? "ticked" : "unticked"}`,
  "form.submitted": (d, w) => `${w.step(s(d.step))}${d.item === undefined ? "" : ` (${s(d.item)})`}: form saved`,
  "gate.approved": (d, w) =>
    d.conditions
      ? `${w.step(s(d.step))} approved with conditions by the ${w.role(s(d.role))}: ${s(d.conditions)}${d.comment ? ` (“${s(d.comment)}”)` : ""}`
      : `${w.step(s(d.step))} approved by the ${w.role(s(d.role))}${d.comment ? `: “${s(d.comment)}”` : ""}`,
  "gate.rejected": (d, w) => `${w.step(s(d.step))} rejected by the ${w.role(s(d.role))}${d.comment ? `: “${s(d.comment)}”` : ""}`,
  "gate.withdrawn": (d, w) => `${w.step(s(d.step))}: the ${w.role(s(d.role))} withdrew their sign-off`,
  "deadline.extended": (d, w) => `${w.step(s(d.step))}: deadline moved to ${formatDate(s(d.dueAt))}`,
  "deadline.planned": (d, w) =>
    `${w.step(s(d.step))}: ${d.dueAt ? `due ${formatDate(s(d.dueAt))}` : `target ${formatDate(s(d.targetAt))}`}, from what it counts from`,
  "project.on_hold": () => "Project put on hold",
  "project.resumed": () => "Project resumed",
  "project.cancelled": () => "Project cancelled",
  "project.reopened": () => "Project reopened",
  "project.go_live": () => "Went live",
  "project.completed": () => "Project completed",
  "project.closed": () => "Project closed",
  "timer.scheduled": () => "A follow-up was scheduled",
  "timer.fired": () => "A scheduled follow-up ran",
  "timer.cancelled": () => "A scheduled follow-up was called off",
  "issue.opened": (d) => `Issue opened: ${s((d.issue as { title?: string } | undefined)?.title)}`,
  "issue.resolved": () => "Issue resolved",
  "incident.opened": (d, w) => {
    const i = (d.incident ?? {}) as { step?: string; rule?: string; error?: string };
    const what = i.step ? w.step(s(i.step)) : i.rule ? "A playbook rule" : "A recurring meeting";
    return `${what} waits: its condition could not be evaluated (${s(i.error)})`;
  },
  "incident.resolved": () => "A condition that could not be evaluated was retried and works",
  "change.requested": (d) => `Change requested (${s(d.delayDays)} days' delay${d.billable ? ", billable" : ""})`,
  "health.set": (d) => `Health set to ${HEALTH[s(d.health)] ?? s(d.health)}`,
  "task.created": (d) => `Task created: ${s((d.task as { title?: string } | undefined)?.title)}`,
  "task.completed": () => "Task done",
  "survey.scheduled": (d, w) => `${w.survey(s(d.survey))} scheduled for ${formatDate(s(d.dueAt))}`,
  "survey.sent": (d, w) => `${w.survey(s(d.survey))} sent`,
  "survey.answered": (d, w) => `${w.survey(s(d.survey))} answered: ${s(d.score)}`,
  "training.recorded": (d, w) => {
    const r = (d.record ?? {}) as { track?: string; person?: string; score?: number; passed?: boolean };
    return `${w.track(s(r.track))} training: ${s(r.person)} scored ${s(r.score)}% (${r.passed ? "passed" : "not passed"})`;
  },
  "cadence.started": () => "A recurring meeting started",
  "cadence.occurred": () => "A recurring meeting is due",
  "cadence.rescheduled": (d) => `A recurring meeting moved to the schedule agreed with the client; next on ${formatDate(s(d.nextAt))}`,
  "cadence.ended": () => "A recurring meeting ended",
};

/** One event in words. */
export function eventText(e: Event, w: FeedWords): string {
  return EVENT_TEXT[e.type]?.(e.data, w) ?? "Project updated";
}

export function actorName(actor: string, name: (id: string) => string): string {
  if (actor === "system" || actor.startsWith("system")) return "Onboard";
  const [kind, id] = actor.split(":");
  if (kind === "contact") return "Client contact";
  // A service account: an automation, named as such ("Risk Engine (automation)"), never a person.
  if (kind === "service") return `${name(id ?? actor)} (automation)`;
  return name(id ?? actor);
}

/** How many entries a long project's Activity feed and Audit trail show at first, and add per "Show older". */
export const FEED_PAGE = 50;

/** The newest entries first; `paged`: the newest FEED_PAGE, with "Show older" revealing FEED_PAGE more each time. */
export function Feed({ events, words, paged }: { events: Event[]; words: FeedWords; paged?: boolean }) {
  const [shown, setShown] = useState(FEED_PAGE);
  if (events.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  const visible = paged ? events.slice(0, shown) : events;
  return (
    <>
      <ol className="feed">
        {visible.map((e) => (
          <li key={e.seq}>
            <div>{eventText(e, words)}</div>
            {e.reason ? <div className="small">“{e.reason}”</div> : null}
            <div className="when">
              {actorName(e.actor, words.person)} · <time dateTime={e.at}>{formatDateTime(e.at)}</time>
            </div>
          </li>
        ))}
      </ol>
      {paged && events.length > shown ? (
        <div className="table-more">
          <span className="muted small">
            Showing the latest {shown} of {events.length}
          </span>
          <button type="button" onClick={() => setShown(shown + FEED_PAGE)}>
            Show older ({Math.min(FEED_PAGE, events.length - shown)} more)
          </button>
        </div>
      ) : null}
    </>
  );
}

export function AuditTrail({
  projectId,
  events,
  words,
  canVerify,
  canExport,
}: {
  projectId: string;
  events: Event[];
  words: FeedWords;
  canVerify: boolean;
  /** The evidence package is the team's (projects:read), never the client's. */
  canExport: boolean;
}) {
  const [report, setReport] = useState<Schemas["AuditReport"]>();
  const [shown, setShown] = useState(FEED_PAGE);
  const visible = events.slice(Math.max(0, events.length - shown));
  const [error, setError] = useState<unknown>();
  const verify = async () => {
    setError(undefined);
    try {
      setReport((await api.get("/projects/{id}/audit", { path: { id: projectId } })).data);
    } catch (e) {
      setError(e);
    }
  };
  const [exporting, setExporting] = useState(false);
  // A download through fetch, not a link: a refusal (no audit key: 503) shows as a notice, not as a saved file.
  const exportEvidence = async () => {
    setError(undefined);
    setExporting(true);
    try {
      await downloadFile(`/projects/${encodeURIComponent(projectId)}/evidence`, `evidence-${projectId}.zip`);
    } catch (e) {
      setError(e);
    } finally {
      setExporting(false);
    }
  };
  return (
    <section className="card" aria-labelledby="audit-h">
      <div className="card-header">
        <h2 id="audit-h">Audit trail</h2>
        <div className="row">
          {canVerify ? (
            <button type="button" onClick={() => void verify()}>
              Verify the chain
            </button>
          ) : null}
          {canExport ? (
            <button
              type="button"
              onClick={() => void exportEvidence()}
              disabled={exporting}
              title="A signed ZIP for an auditor: summary PDF and JSON, raw events, chain proof. Check it offline with onboard evidence verify."
            >
              {exporting ? "Preparing the evidence package…" : "Evidence package"}
            </button>
          ) : null}
        </div>
      </div>
      <div aria-live="polite">
        {report ? (
          <div className={`notice ${report.intact ? "success" : "error"}`} style={{ marginBottom: "1rem" }}>
            {report.intact
              ? `Intact: ${report.events} entries, each linked to the one before (${report.redacted} redacted for privacy).`
              : `Tampered: ${report.problems.length} entries do not match (numbers ${report.problems.map((p) => p.seq).join(", ")}).`}
          </div>
        ) : null}
      </div>
      <ErrorNotice error={error} />
      {events.length > shown ? (
        <div className="table-more">
          <span className="muted small">
            Showing the latest {shown} of {events.length} entries
          </span>
          <button type="button" onClick={() => setShown(shown + FEED_PAGE)}>
            Show older entries ({Math.min(FEED_PAGE, events.length - shown)} more)
          </button>
        </div>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways on a phone, so the keyboard must reach it (WCAG 2.1.1, axe scrollable-region-focusable) */}
      <section className="table-wrap" tabIndex={0} aria-label="Audit trail entries">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Why</th>
              <th scope="col" className="hide-phone">
                Hash
              </th>
            </tr>
          </thead>
          <tbody>
            {visible.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td className="nowrap">{formatDateTime(e.at)}</td>
                <td>{actorName(e.actor, words.person)}</td>
                <td>{eventText(e, words)}</td>
                <td>{e.reason ?? ""}</td>
                <td className="mono small hide-phone" title={e.hash}>
                  {e.hash.slice(0, 12)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
