// A project's workspace: the plan as a timeline, each step with its owner, RACI, due date in the
// viewer's and the client's time zone, checklist, form, sign-off and decision; the activity feed,
// the audit trail, issues; hold, resume, extend a deadline, escalate. Every command carries the
// version the person saw (If-Match); when someone else changed the project first, the page
// reloads and says so instead of overwriting.
import { type FormEvent, useMemo, useState } from "react";
import { ApiError, all, api, describeError, type Schemas } from "../../api/client.ts";
import { FormInput } from "../../components/form-input.tsx";
import { Dialog, DialogActions, Empty, ErrorNotice, Field, HealthSummary, Loading, PageHeader, StatusBadge } from "../../components/ui.tsx";
import { type Command, runCommand, StaleProject } from "../../lib/commands.ts";
import { daysBetween, dueLabel, formatDate, formatDateTime, humanize, plural, timeAgo, viewerZone } from "../../lib/format.ts";
import { type PlaybookDetail, playbookDetail, type StepDetail } from "../../lib/playbook.ts";
import { Link, setSearch, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";
import { Conversation } from "./conversation.tsx";
import { Gantt } from "./gantt.tsx";
import { StepEmailDialog } from "./step-email.tsx";

type Step = Schemas["TimelineStep"];
type Event = Schemas["Event"];

interface Workspace {
  project: Schemas["Project"];
  version: number;
  timeline: {
    phases: { id: string; title: string; steps: Step[] }[];
    tasks: { id: string; title: string; owner: string; dueAt: string | null; doneAt: string | null }[];
    issues: { id: string; severity: string; title: string; openedAt: string; resolvedAt: string | null }[];
    forecast: { goLiveAt: string | null; goLiveStep: string | null; criticalPath: string[] };
  };
  client: Schemas["Client"] | null;
  playbook: PlaybookDetail | null;
  events: Event[];
  people: Map<string, string>;
}

async function loadWorkspace(id: string, signal: AbortSignal): Promise<Workspace> {
  const [projectReply, { data: timeline }, events, people] = await Promise.all([
    api.get("/projects/{id}", { path: { id }, signal }),
    api.get("/projects/{id}/timeline", { path: { id }, signal }),
    all((cursor) => api.get("/projects/{id}/events", { path: { id }, query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal }), 5000),
    all((cursor) => api.get("/people", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })).catch(() => []),
  ]);
  const project = projectReply.data;
  const [client, playbook] = await Promise.all([
    api
      .get("/clients/{id}", { path: { id: project.clientId }, signal })
      .then((r) => r.data)
      .catch(() => null),
    playbookDetail(project.playbook.id, project.playbook.version, async () => {
      const { data } = await api.get("/playbooks/{id}/versions/{version}", { path: project.playbook });
      return data.source;
    }).catch(() => null),
  ]);
  return {
    project,
    version: Number((projectReply.etag ?? `${project.version}`).replace(/\D/g, "")),
    timeline,
    client,
    playbook,
    events,
    people: new Map(people.map((p) => [p.id, p.name])),
  };
}

/** What the events say about checklists and forms (the timeline carries status and dates only). */
function progressOf(events: readonly Event[]) {
  const ticked = new Map<string, boolean>();
  const forms = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    if (e.type === "checklist.ticked") ticked.set(`${d.step}/${d.item}`, d.checked === true);
    if (e.type === "form.submitted") forms.set(String(d.form), { ...forms.get(String(d.form)), ...(d.values as Record<string, unknown>) });
    if (e.type === "step.reopened") for (const key of [...ticked.keys()]) if (key.startsWith(`${d.step}/`)) ticked.delete(key);
  }
  return { ticked, forms };
}

export function ProjectWorkspace({ id }: { id: string }) {
  const session = useSession();
  const { search } = useLocation();
  const ws = useResource((signal) => loadWorkspace(id, signal), [id]);
  const [notice, setNotice] = useState<{ tone: "error" | "success" | "info"; text: string }>();
  const [dialog, setDialog] = useState<"hold" | "resume" | "extend" | "escalate" | "health" | null>(null);
  const tab = search.get("tab") ?? "plan";
  useTitle(ws.data?.project.clientName ?? "Project", "Onboard");

  const data = ws.data;
  const canCommand = session.can("projects:command");

  /** Run a command at the version on screen; reload after, and explain a conflict. Returns field errors. */
  const act = async (command: Command, done?: string): Promise<Record<string, string> | undefined> => {
    if (!data) return undefined;
    setNotice(undefined);
    try {
      await runCommand(data.project.id, data.version, command);
      if (done) setNotice({ tone: "success", text: done });
      await ws.reload();
      return undefined;
    } catch (error) {
      if (error instanceof StaleProject) {
        setNotice({ tone: "info", text: error.message });
        await ws.reload();
        return undefined;
      }
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setNotice({ tone: "error", text: describeError(error) });
      return fields;
    }
  };

  /** After an email step's mail went out (the server completed the step): say so and reload. */
  const emailSent = async (text: string) => {
    setNotice({ tone: "success", text });
    await ws.reload();
  };
  const stale = async () => {
    setNotice({ tone: "info", text: new StaleProject().message });
    await ws.reload();
  };

  if (ws.error && !data) return <ErrorNotice error={ws.error} onRetry={() => void ws.reload()} />;
  if (!data)
    return (
      <div className="card">
        <Loading lines={8} label="Loading the project" />
      </div>
    );

  const { project, timeline, client, playbook, events, people } = data;
  const clientZone = client?.timeZone;
  const steps = timeline.phases.flatMap((p) => p.steps);
  const titles = new Map(steps.map((s) => [s.id, s.title]));
  const visiblePhases = timeline.phases
    .map((p) => ({ ...p, steps: p.steps.filter((s) => s.status !== "not_applicable" && s.status !== "dormant") }))
    .filter((p) => p.steps.length > 0);
  const done = steps.filter((s) => s.status === "done" || s.status === "skipped").length;
  const relevant = steps.filter((s) => s.status !== "not_applicable" && s.status !== "dormant").length;
  const overdue = steps.filter((s) => s.overdue);
  const csmRole = Object.keys(project.assignments).find((r) => /(^|_)(csm|customer_success(_manager)?)$/.test(r));
  const name = (person: string | undefined) => (person ? (people.get(person) ?? person) : "Unassigned");
  const myRoles = Object.entries(project.assignments)
    .filter(([, person]) => person === session.user.id)
    .map(([role]) => role);
  const manager = session.can("users:read");
  const openIssues = timeline.issues.filter((i) => !i.resolvedAt);

  return (
    <>
      <PageHeader
        crumb={<Link to="/app/">← Portfolio</Link>}
        title={project.clientName}
        subtitle={
          <>
            {playbook?.title ?? project.playbook.id} · version {project.playbook.version} · <StatusBadge status={project.status} />{" "}
            <HealthSummary health={project.health} reasons={project.healthReasons} inline />
          </>
        }
        actions={
          canCommand ? (
            <>
              {project.status === "on_hold" ? (
                <button type="button" onClick={() => setDialog("resume")}>
                  Resume
                </button>
              ) : (
                <button type="button" onClick={() => setDialog("hold")} disabled={project.status !== "active"}>
                  Put on hold
                </button>
              )}
              <button type="button" onClick={() => setDialog("extend")} disabled={project.status !== "active"}>
                Extend a deadline
              </button>
              <button type="button" onClick={() => setDialog("health")}>
                Set health
              </button>
              <button type="button" className="danger" onClick={() => setDialog("escalate")} disabled={project.status !== "active"}>
                Escalate
              </button>
            </>
          ) : null
        }
      />
      <div aria-live="polite">
        {notice ? (
          <div className={`notice ${notice.tone}`} role={notice.tone === "error" ? "alert" : undefined} style={{ marginBottom: "1rem" }}>
            {notice.text}
          </div>
        ) : null}
      </div>

      <section className="card" aria-label="Summary" style={{ marginBottom: "1rem" }}>
        <dl className="facts">
          <div>
            <dt>CSM</dt>
            <dd>{name(csmRole ? project.assignments[csmRole] : undefined)}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>
              {formatDate(project.startedAt)} <span className="muted small">({daysBetween(project.startedAt, Date.now())} days)</span>
            </dd>
          </div>
          <div>
            <dt>Progress</dt>
            <dd>
              {done} of {relevant} steps
            </dd>
          </div>
          <div>
            <dt>Overdue</dt>
            <dd style={overdue.length ? { color: "var(--red)" } : undefined}>{plural(overdue.length, "step")}</dd>
          </div>
          <div>
            <dt>Go-live</dt>
            <dd>{project.goLiveAt ? formatDate(project.goLiveAt) : "Not yet"}</dd>
          </div>
          <div>
            <dt>Client time zone</dt>
            <dd>{clientZone ?? "—"}</dd>
          </div>
          <div>
            <dt>Your roles here</dt>
            <dd>
              {myRoles.length
                ? myRoles.map((r) => playbook?.roles[r]?.title ?? humanize(r)).join(", ")
                : manager
                  ? "CS operations"
                  : "None"}
            </dd>
          </div>
        </dl>
      </section>

      <div className="tabs" role="tablist" aria-label="Project views">
        {[
          ["plan", "Plan"],
          ["activity", "Activity"],
          ["audit", "Audit trail"],
          ["team", "Team"],
        ].map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            onClick={() => setSearch({ tab: key === "plan" ? undefined : key })}
          >
            {label}
          </button>
        ))}
      </div>

      {tab === "plan" ? (
        <div className="workspace">
          <div className="stack">
            <section className="card" aria-labelledby="timeline-h">
              <h2 id="timeline-h">Timeline</h2>
              <Gantt
                phases={visiblePhases}
                windows={new Map((playbook?.phases ?? []).map((p) => [p.id, p.window]))}
                startedAt={project.startedAt}
                zone={undefined}
                forecast={timeline.forecast}
                move={canCommand && project.status === "active" ? { projectId: project.id, act } : undefined}
              />
            </section>
            <section className="card" aria-labelledby="steps-h">
              <div className="card-header">
                <h2 id="steps-h">Steps</h2>
                <span className="muted small">
                  Times in your zone ({viewerZone}){clientZone && clientZone !== viewerZone ? ` and the client's (${clientZone})` : ""}
                </span>
              </div>
              {visiblePhases.map((phase) => (
                <div key={phase.id}>
                  <div className="phase-title">
                    <h3>{phase.title}</h3>
                    <span className="muted small">{playbook?.phases.find((p) => p.id === phase.id)?.window ?? ""}</span>
                  </div>
                  <ul className="steps">
                    {phase.steps.map((step) => (
                      <StepItem
                        key={step.id}
                        step={step}
                        detail={playbook?.steps.get(step.id)}
                        playbook={playbook}
                        project={project}
                        events={events}
                        clientZone={clientZone}
                        name={name}
                        myRoles={myRoles}
                        canCommand={canCommand && project.status === "active"}
                        initiallyOpen={search.get("step") === step.id}
                        act={act}
                        version={data.version}
                        onEmailSent={emailSent}
                        onStale={stale}
                      />
                    ))}
                  </ul>
                </div>
              ))}
            </section>
          </div>
          <aside className="stack" aria-label="Project side panel">
            <section className="card" aria-labelledby="issues-h">
              <h2 id="issues-h">Issues</h2>
              {openIssues.length === 0 ? (
                <p className="muted">No open issues.</p>
              ) : (
                <ul className="feed">
                  {openIssues.map((issue) => (
                    <li key={issue.id}>
                      <div className="spread">
                        <strong>{issue.title}</strong>
                        <span className="badge red">{humanize(issue.severity)}</span>
                      </div>
                      <div className="when">opened {timeAgo(issue.openedAt)}</div>
                      {canCommand ? (
                        <button
                          type="button"
                          className="small"
                          onClick={() => void act({ type: "resolve_issue", issue: issue.id }, "Issue resolved.")}
                        >
                          Resolve
                        </button>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <Conversation projectId={project.id} canWrite={canCommand} />
            <section className="card" aria-labelledby="recent-h">
              <div className="card-header">
                <h2 id="recent-h">Recent activity</h2>
                <button type="button" className="link small" onClick={() => setSearch({ tab: "activity" })}>
                  All activity
                </button>
              </div>
              <Feed events={events.slice(-8).reverse()} name={name} titles={titles} />
            </section>
            {timeline.tasks.some((t) => !t.doneAt) ? (
              <section className="card" aria-labelledby="tasks-side-h">
                <h2 id="tasks-side-h">Open tasks</h2>
                <ul className="feed">
                  {timeline.tasks
                    .filter((t) => !t.doneAt)
                    .map((t) => (
                      <li key={t.id}>
                        <div className="spread">
                          <span>{t.title}</span>
                          {canCommand ? (
                            <button
                              type="button"
                              className="small"
                              onClick={() => void act({ type: "complete_task", task: t.id }, `Done: ${t.title}`)}
                            >
                              Done
                            </button>
                          ) : null}
                        </div>
                        <div className="when">
                          {playbook?.roles[t.owner]?.title ?? humanize(t.owner)} · {dueLabel(t.dueAt)}
                        </div>
                      </li>
                    ))}
                </ul>
              </section>
            ) : null}
          </aside>
        </div>
      ) : tab === "activity" ? (
        <section className="card" aria-labelledby="activity-h">
          <h2 id="activity-h">Activity</h2>
          <Feed events={[...events].reverse()} name={name} titles={titles} />
        </section>
      ) : tab === "audit" ? (
        <AuditTrail projectId={project.id} events={events} name={name} canVerify={session.can("audit:read")} />
      ) : (
        <TeamTab project={project} playbook={playbook} name={name} />
      )}

      <ReasonDialog
        open={dialog === "hold"}
        title="Put the project on hold"
        label="Why is it on hold?"
        hint="Deadlines stop; the client and the team are told. Resume shifts open deadlines by the time on hold."
        submit="Put on hold"
        onClose={() => setDialog(null)}
        onSubmit={(reason) => act({ type: "hold", reason }, "The project is on hold.")}
      />
      <ReasonDialog
        open={dialog === "resume"}
        title="Resume the project"
        label="Note (optional)"
        optional
        submit="Resume"
        onClose={() => setDialog(null)}
        onSubmit={(reason) => act(reason ? { type: "resume", reason } : { type: "resume" }, "The project runs again.")}
      />
      <ReasonDialog
        open={dialog === "escalate"}
        title="Escalate"
        label="What is wrong?"
        hint="Opens a critical issue on the project: the escalation rules of the playbook apply."
        submit="Escalate"
        onClose={() => setDialog(null)}
        onSubmit={(reason) => act({ type: "open_issue", severity: "critical", title: reason }, "Escalated: a critical issue is open.")}
      />
      <HealthDialog open={dialog === "health"} current={project.health} onClose={() => setDialog(null)} act={act} />
      <ExtendDialog
        open={dialog === "extend"}
        steps={steps.filter((s) => s.status === "open" || s.status === "in_progress" || s.status === "blocked")}
        onClose={() => setDialog(null)}
        act={act}
      />
    </>
  );
}

function StepItem({
  step,
  detail,
  playbook,
  project,
  events,
  clientZone,
  name,
  myRoles,
  canCommand,
  initiallyOpen,
  act,
  version,
  onEmailSent,
  onStale,
}: {
  step: Step;
  detail: StepDetail | undefined;
  playbook: PlaybookDetail | null;
  project: Schemas["Project"];
  events: Event[];
  clientZone: string | undefined;
  name: (id: string | undefined) => string;
  myRoles: string[];
  canCommand: boolean;
  initiallyOpen: boolean;
  act: (command: Command, done?: string) => Promise<Record<string, string> | undefined>;
  version: number;
  onEmailSent: (message: string) => Promise<void>;
  onStale: () => Promise<void>;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [emailOpen, setEmailOpen] = useState(false);
  // An email step with a template: its owner previews and sends the mail from here.
  const sendsEmail = detail?.kind === "email" && detail.template !== undefined;
  const active = step.status === "open" || step.status === "in_progress";
  const { ticked, forms } = useMemo(() => progressOf(events), [events]);
  const roleTitle = (role: string) => playbook?.roles[role]?.title ?? humanize(role);
  const holder = (role: string) => (playbook?.roles[role]?.side === "client" ? "client contact" : name(project.assignments[role]));
  const icon = step.status === "done" ? "✓" : step.overdue ? "!" : step.status === "skipped" ? "–" : active ? "●" : "";
  const iconClass = step.status === "done" ? "done" : step.overdue ? "late" : active ? "open" : "";
  const bodyId = `step-${step.id}`;
  return (
    <li className="step" id={`s-${step.id}`}>
      <button type="button" className="step-head" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen(!open)}>
        <span className={`status-icon ${iconClass}`} aria-hidden="true">
          {icon}
        </span>
        <span>
          <span style={{ fontWeight: 600 }}>{step.title}</span>
          <span className="muted small" style={{ display: "block" }}>
            {roleTitle(step.owner)} · {holder(step.owner)}
            {step.dueAt ? ` · ${formatDate(step.dueAt)}` : ""}
          </span>
        </span>
        <span className="row" style={{ gap: "0.35rem" }}>
          {step.gate ? <span className="badge amber hide-phone">Sign-off</span> : null}
          <StatusBadge status={step.status} overdue={step.overdue} />
        </span>
      </button>
      {open ? (
        <div className="step-body" id={bodyId}>
          {detail?.description ? <p>{detail.description}</p> : null}
          <dl className="raci">
            <dt>Due</dt>
            <dd>
              {step.dueAt ? (
                <>
                  {formatDateTime(step.dueAt)} <span className="muted">(you)</span>
                  {clientZone && clientZone !== viewerZone ? (
                    <>
                      {" · "}
                      {formatDateTime(step.dueAt, clientZone)} <span className="muted">(client)</span>
                    </>
                  ) : null}
                  {" · "}
                  <span style={step.overdue ? { color: "var(--red)", fontWeight: 600 } : undefined}>
                    {step.completedAt ? "" : dueLabel(step.dueAt)}
                  </span>
                </>
              ) : (
                "No deadline"
              )}
            </dd>
            {step.completedAt ? (
              <>
                <dt>Done</dt>
                <dd>
                  {formatDateTime(step.completedAt)}
                  {step.dueAt && step.completedAt > step.dueAt ? <span style={{ color: "var(--red)" }}> (after the deadline)</span> : null}
                </dd>
              </>
            ) : null}
            {detail?.raci ? (
              <>
                <dt title="Responsible">R</dt>
                <dd>{detail.raci.responsible.map(roleTitle).join(", ")}</dd>
                <dt title="Accountable">A</dt>
                <dd>{roleTitle(detail.raci.accountable)}</dd>
                {detail.raci.consulted.length ? (
                  <>
                    <dt title="Consulted">C</dt>
                    <dd>{detail.raci.consulted.map(roleTitle).join(", ")}</dd>
                  </>
                ) : null}
                {detail.raci.informed.length ? (
                  <>
                    <dt title="Informed">I</dt>
                    <dd>{detail.raci.informed.map(roleTitle).join(", ")}</dd>
                  </>
                ) : null}
              </>
            ) : (
              <>
                <dt>Owner</dt>
                <dd>{roleTitle(step.owner)}</dd>
              </>
            )}
            {detail?.expectedResult ? (
              <>
                <dt>Result</dt>
                <dd>{detail.expectedResult}</dd>
              </>
            ) : null}
          </dl>
          {detail && detail.instructions.length > 0 ? (
            <ol className="small">
              {detail.instructions.map((text) => (
                <li key={text}>{text}</li>
              ))}
            </ol>
          ) : null}
          {detail && detail.checklist.length > 0 ? (
            <fieldset style={{ border: 0, padding: 0, margin: "0.5rem 0" }}>
              <legend className="small" style={{ fontWeight: 650 }}>
                Checklist
              </legend>
              <ul className="checklist">
                {detail.checklist.map((item) => {
                  const checked = ticked.get(`${step.id}/${item.key}`) ?? false;
                  const inputId = `${step.id}-${item.key}`;
                  return (
                    <li key={item.key}>
                      <input
                        id={inputId}
                        type="checkbox"
                        checked={checked}
                        disabled={!canCommand || !active}
                        onChange={(e) => void act({ type: "tick_checklist", step: step.id, item: item.key, checked: e.target.checked })}
                      />
                      <label htmlFor={inputId} style={{ fontWeight: 400 }}>
                        {item.text}
                        {!item.required ? <span className="muted"> (optional)</span> : null}
                      </label>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          ) : null}
          {detail?.form ? (
            <StepForm step={step} form={detail.form} values={forms.get(detail.form.id) ?? {}} disabled={!canCommand || !active} act={act} />
          ) : null}
          {step.gate ? (
            <GateBox step={step} detail={detail} roleTitle={roleTitle} myRoles={myRoles} canCommand={canCommand && active} act={act} />
          ) : null}
          {detail?.decision && active && canCommand ? (
            <div className="notice" style={{ margin: "0.75rem 0" }}>
              <strong>{detail.decision.question}</strong>
              <div className="row" style={{ marginTop: "0.5rem" }}>
                {detail.decision.branches.map((b, i) => (
                  <button
                    key={b.label}
                    type="button"
                    className="small"
                    onClick={() =>
                      void act({ type: "record_decision", step: step.id, branch: String(i + 1) }, `Decision recorded: ${b.label}`)
                    }
                  >
                    {b.label}
                  </button>
                ))}
              </div>
            </div>
          ) : null}
          {active && canCommand && !detail?.decision ? (
            <div className="row" style={{ marginTop: "0.75rem" }}>
              {sendsEmail ? (
                <button type="button" className="primary" onClick={() => setEmailOpen(true)}>
                  Preview and send email
                </button>
              ) : null}
              <button
                type="button"
                className={sendsEmail ? undefined : "primary"}
                onClick={() => void act({ type: "complete_step", step: step.id }, `Done: ${step.title}`)}
              >
                Mark step done
              </button>
              {step.status === "open" ? (
                <button type="button" onClick={() => void act({ type: "start_step", step: step.id }, `Started: ${step.title}`)}>
                  Start
                </button>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
      {sendsEmail ? (
        <StepEmailDialog
          open={emailOpen}
          projectId={project.id}
          step={step}
          version={version}
          onClose={() => setEmailOpen(false)}
          onSent={onEmailSent}
          onStale={onStale}
        />
      ) : null}
    </li>
  );
}

function GateBox({
  step,
  detail,
  roleTitle,
  myRoles,
  canCommand,
  act,
}: {
  step: Step;
  detail: StepDetail | undefined;
  roleTitle: (r: string) => string;
  myRoles: string[];
  canCommand: boolean;
  act: (command: Command, done?: string) => Promise<Record<string, string> | undefined>;
}) {
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string>();
  const gate = step.gate;
  if (!gate) return null;
  const mine = gate.approvers.filter((r) => myRoles.includes(r) && !gate.approvals[r]);
  const decide = async (type: "approve" | "reject", role: string) => {
    if (type === "reject" && !comment.trim()) {
      setError("Say what has to change: a rejection needs a comment.");
      return;
    }
    setError(undefined);
    const fields = await act(
      { type, step: step.id, role, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      type === "approve" ? "Signed off." : "Rejected, with your comment.",
    );
    if (fields?.comment) setError(fields.comment);
    else if (!fields) setComment("");
  };
  return (
    <div className="notice" style={{ margin: "0.75rem 0", background: "var(--amber-soft)", borderColor: "#f2d59b" }}>
      <strong>Sign-off{detail?.gate?.signOff ? `: ${detail.gate.signOff}` : ""}</strong>
      <ul style={{ margin: "0.4rem 0", paddingLeft: "1.1rem" }}>
        {gate.approvers.map((role) => {
          const a = gate.approvals[role];
          return (
            <li key={role}>
              {roleTitle(role)}:{" "}
              {a ? (
                <span className={`badge ${a.decision === "approved" ? "green" : "red"}`}>
                  {humanize(a.decision)} {formatDate(a.at)}
                </span>
              ) : (
                <span className="muted">waiting</span>
              )}
            </li>
          );
        })}
      </ul>
      {detail?.gate?.rule === "any" ? <p className="small muted">One approver is enough.</p> : null}
      {canCommand && mine.length > 0 ? (
        <div>
          <Field label="Comment" hint="Required to reject: say what has to change." error={error}>
            {(p) => <textarea {...p} value={comment} onChange={(e) => setComment(e.target.value)} />}
          </Field>
          <div className="row">
            {mine.map((role) => (
              <span key={role} className="row">
                <button type="button" className="primary" onClick={() => void decide("approve", role)}>
                  Approve as {roleTitle(role)}
                </button>
                <button type="button" className="danger" onClick={() => void decide("reject", role)}>
                  Reject
                </button>
              </span>
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function StepForm({
  step,
  form,
  values,
  disabled,
  act,
}: {
  step: Step;
  form: NonNullable<StepDetail["form"]>;
  values: Record<string, unknown>;
  disabled: boolean;
  act: (command: Command, done?: string) => Promise<Record<string, string> | undefined>;
}) {
  const [draft, setDraft] = useState<Record<string, unknown>>(values);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    for (const f of form.fields)
      if (f.required && (draft[f.id] === undefined || draft[f.id] === "")) local[f.id] = `${f.label} is required`;
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const fields = await act({ type: "submit_form", step: step.id, values: draft }, `${form.title} saved.`);
    if (fields) setErrors(fields);
  };
  return (
    <form onSubmit={submit} noValidate className="card" style={{ boxShadow: "none", margin: "0.75rem 0" }} aria-label={form.title}>
      <h4>{form.title}</h4>
      {form.fields.map((f) => (
        <FormInput
          key={f.id}
          field={f}
          value={draft[f.id]}
          error={errors[f.id]}
          disabled={disabled}
          onChange={(v) => setDraft({ ...draft, [f.id]: v })}
        />
      ))}
      {!disabled ? (
        <button type="submit" className="primary">
          Save form
        </button>
      ) : null}
    </form>
  );
}

const EVENT_TEXT: Record<string, (d: Record<string, unknown>, step: (id: unknown) => string, name: (id: string) => string) => string> = {
  "project.started": () => "Project started",
  "role.assigned": (d, _s, name) => `${name(String(d.person))} assigned as ${humanize(String(d.role))}`,
  "rule.fired": (d) => `Playbook rule applied: ${humanize(String(d.rule))}`,
  "note.added": (d) => `Note: ${d.text}`,
  "audit.redacted": (d) => `Personal data erased from event ${d.seq}`,
  "assignment.failed": (d) => `Nobody could be assigned as ${humanize(String(d.role))}: ${d.why}`,
  "step.opened": (d, s) => `${s(d.step)} opened`,
  "step.started": (d, s) => `${s(d.step)} started`,
  "step.completed": (d, s) => `${s(d.step)} done`,
  "step.skipped": (d, s) => `${s(d.step)} skipped`,
  "step.reopened": (d, s) => `${s(d.step)} reopened`,
  "step.overdue": (d, s) => `${s(d.step)} is overdue`,
  "step.reminded": (d, s) => `Reminder sent for ${s(d.step)}`,
  "step.looped": (d, s) => `${s(d.step)}: ${d.branch}, back to ${s(d.to)}`,
  "checklist.ticked": (d, s) => `${s(d.step)}: checklist item ${d.item} ${d.checked ? "ticked" : "unticked"}`,
  "form.submitted": (d, s) => `${s(d.step)}: form saved`,
  "gate.approved": (d, s) => `${s(d.step)} approved by ${humanize(String(d.role))}${d.comment ? `: “${d.comment}”` : ""}`,
  "gate.rejected": (d, s) => `${s(d.step)} rejected by ${humanize(String(d.role))}${d.comment ? `: “${d.comment}”` : ""}`,
  "deadline.extended": (d, s) => `${s(d.step)}: deadline moved to ${formatDate(String(d.dueAt))}`,
  "project.on_hold": () => "Project put on hold",
  "project.resumed": () => "Project resumed",
  "project.go_live": () => "Went live",
  "project.completed": () => "Project completed",
  "issue.opened": (d) => `Issue opened: ${(d.issue as { title?: string } | undefined)?.title ?? ""}`,
  "issue.resolved": () => "Issue resolved",
  "health.set": (d) => `Health set to ${d.health}`,
  "task.created": (d) => `Task created: ${(d.task as { title?: string } | undefined)?.title ?? ""}`,
  "task.completed": () => "Task done",
  "survey.answered": (d) => `Survey answered (${d.score})`,
};

function Feed({ events, name, titles }: { events: Event[]; name: (id: string) => string; titles: ReadonlyMap<string, string> }) {
  if (events.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  const stepTitle = (id: unknown) => titles.get(String(id)) ?? humanize(String(id));
  return (
    <ol className="feed">
      {events.map((e) => {
        const text = EVENT_TEXT[e.type]?.(e.data, stepTitle, name) ?? humanize(e.type);
        return (
          <li key={e.seq}>
            <div>{text}</div>
            {e.reason ? <div className="small">“{e.reason}”</div> : null}
            <div className="when">
              {actorName(e.actor, name)} · <time dateTime={e.at}>{formatDateTime(e.at)}</time>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function actorName(actor: string, name: (id: string) => string): string {
  if (actor === "system" || actor.startsWith("system")) return "Onboard";
  const [, id] = actor.split(":");
  return name(id ?? actor);
}

function AuditTrail({
  projectId,
  events,
  name,
  canVerify,
}: {
  projectId: string;
  events: Event[];
  name: (id: string) => string;
  canVerify: boolean;
}) {
  const [report, setReport] = useState<Schemas["AuditReport"]>();
  const [error, setError] = useState<unknown>();
  const verify = async () => {
    setError(undefined);
    try {
      setReport((await api.get("/projects/{id}/audit", { path: { id: projectId } })).data);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" aria-labelledby="audit-h">
      <div className="card-header">
        <h2 id="audit-h">Audit trail</h2>
        {canVerify ? (
          <button type="button" onClick={() => void verify()}>
            Verify the chain
          </button>
        ) : null}
      </div>
      <div aria-live="polite">
        {report ? (
          <div className={`notice ${report.intact ? "success" : "error"}`} style={{ marginBottom: "1rem" }}>
            {report.intact
              ? `Intact: ${report.events} events, each linked to the one before (${report.redacted} redacted for privacy).`
              : `Tampered: ${report.problems.map((p) => `#${p.seq} ${p.kind}`).join(", ")}`}
          </div>
        ) : null}
      </div>
      <ErrorNotice error={error} />
      <div className="table-wrap">
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
            {events.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td className="nowrap">{formatDateTime(e.at)}</td>
                <td>{actorName(e.actor, name)}</td>
                <td className="mono small">{e.type}</td>
                <td>{e.reason ?? ""}</td>
                <td className="mono small hide-phone" title={e.hash}>
                  {e.hash.slice(0, 12)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TeamTab({
  project,
  playbook,
  name,
}: {
  project: Schemas["Project"];
  playbook: PlaybookDetail | null;
  name: (id: string) => string;
}) {
  const roles = playbook
    ? Object.entries(playbook.roles)
    : Object.keys(project.assignments).map((r) => [r, { title: humanize(r), side: "internal" }] as const);
  return (
    <section className="card" aria-labelledby="team-h">
      <h2 id="team-h">Team and facts</h2>
      <div className="grid-2">
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Who</th>
              </tr>
            </thead>
            <tbody>
              {roles.map(([id, role]) => (
                <tr key={id}>
                  <td>
                    {role.title} {role.side === "client" ? <span className="badge blue">Client</span> : null}
                  </td>
                  <td>
                    {project.assignments[id] ? (
                      name(project.assignments[id] ?? "")
                    ) : (
                      <span className="muted">{role.side === "client" ? "Client contact" : "Unassigned"}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Fact</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(project.facts).map(([k, v]) => (
                <tr key={k}>
                  <td>{humanize(k)}</td>
                  <td>{Array.isArray(v) ? v.join(", ") : String(v)}</td>
                </tr>
              ))}
              {Object.keys(project.facts).length === 0 ? (
                <tr>
                  <td colSpan={2}>
                    <Empty title="No facts recorded" />
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function ReasonDialog({
  open,
  title,
  label,
  hint,
  submit,
  optional,
  onClose,
  onSubmit,
}: {
  open: boolean;
  title: string;
  label: string;
  hint?: string;
  submit: string;
  optional?: boolean;
  onClose: () => void;
  onSubmit: (reason: string) => Promise<Record<string, string> | undefined>;
}) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!optional && !reason.trim()) {
      setError("Say why: it goes into the audit trail.");
      return;
    }
    const fields = await onSubmit(reason.trim());
    if (fields?.reason || fields?.title) {
      setError(fields.reason ?? fields.title);
      return;
    }
    setReason("");
    setError(undefined);
    onClose();
  };
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form onSubmit={send} noValidate>
        <Field label={label} hint={hint} error={error} required={!optional}>
          {(p) => <textarea {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <DialogActions onCancel={onClose} submit={submit} />
      </form>
    </Dialog>
  );
}

function HealthDialog({
  open,
  current,
  onClose,
  act,
}: {
  open: boolean;
  current: string;
  onClose: () => void;
  act: (c: Command, done?: string) => Promise<Record<string, string> | undefined>;
}) {
  const [health, setHealth] = useState<"green" | "amber" | "red">(current === "red" || current === "amber" ? current : "green");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setError("Say why the health changes.");
    const fields = await act({ type: "set_health", health, reason: reason.trim() }, "Health updated.");
    if (fields?.reason) return setError(fields.reason);
    setReason("");
    onClose();
  };
  return (
    <Dialog open={open} title="Set the project's health" onClose={onClose}>
      <form onSubmit={send} noValidate>
        <Field label="Health">
          {(p) => (
            <select {...p} value={health} onChange={(e) => setHealth(e.target.value as "green" | "amber" | "red")}>
              <option value="green">On track (green)</option>
              <option value="amber">Watch (amber)</option>
              <option value="red">At risk (red)</option>
            </select>
          )}
        </Field>
        <Field label="Why" error={error} required>
          {(p) => <textarea {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <DialogActions onCancel={onClose} submit="Save" />
      </form>
    </Dialog>
  );
}

function ExtendDialog({
  open,
  steps,
  onClose,
  act,
}: {
  open: boolean;
  steps: Step[];
  onClose: () => void;
  act: (c: Command, done?: string) => Promise<Record<string, string> | undefined>;
}) {
  const [step, setStep] = useState("");
  const [until, setUntil] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!step) local.step = "Choose the step.";
    if (!until) local.until = "Choose the new deadline.";
    if (!reason.trim()) local.reason = "Say why: it goes into the audit trail.";
    setErrors(local);
    if (Object.keys(local).length) return;
    const fields = await act(
      { type: "extend_deadline", step, until: new Date(`${until}T17:00:00`).toISOString(), reason: reason.trim() },
      "Deadline extended.",
    );
    if (fields) return setErrors(fields);
    setReason("");
    onClose();
  };
  return (
    <Dialog open={open} title="Extend a deadline" onClose={onClose}>
      <form onSubmit={send} noValidate>
        <Field label="Step" error={errors.step} required>
          {(p) => (
            <select {...p} value={step} onChange={(e) => setStep(e.target.value)}>
              <option value="">Choose…</option>
              {steps.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                  {s.dueAt ? ` (due ${formatDate(s.dueAt)})` : ""}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="New deadline" hint="End of that working day, your time." error={errors.until} required>
          {(p) => <input {...p} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />}
        </Field>
        <Field label="Reason" error={errors.reason} required>
          {(p) => <textarea {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <DialogActions onCancel={onClose} submit="Extend" />
      </form>
    </Dialog>
  );
}
