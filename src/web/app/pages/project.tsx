// A project's workspace: the plan as a timeline, each step with its owner, RACI, due date in the
// viewer's and the client's time zone, checklist, form, sign-off and decision; the activity feed,
// the audit trail, issues; hold, resume, extend a deadline, escalate. Every command carries the
// version the person saw (If-Match); when someone else changed the project first, the page
// reloads and says so instead of overwriting.
import { Fragment, useState } from "react";
import { ApiError, all, api, type Schemas } from "../../api/client.ts";
import { Empty, ErrorNotice, HealthSummary, Loading, PageHeader, StatusBadge } from "../../components/ui.tsx";
import { type Command, runCommand, StaleProject } from "../../lib/commands.ts";
import { daysBetween, dueLabel, formatDate, humanize, plural, timeAgo, viewerZone } from "../../lib/format.ts";
import { type PlaybookDetail, playbookDetail } from "../../lib/playbook.ts";
import { Link, setSearch, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";
import { Conversation } from "./conversation.tsx";
import { type ForecastSummary, Gantt } from "./gantt.tsx";
import { ExtendDialog, HealthDialog, ReasonDialog } from "./project/dialogs.tsx";
import { AuditTrail, Feed, type FeedWords } from "./project/feed.tsx";
import { explain, type Outcome, OutcomeNotice, type Words } from "./project/feedback.tsx";
import { IncidentList } from "./project/incidents.tsx";
import { StepItem } from "./project/steps.tsx";
import { ProjectTeam } from "./project-team.tsx";

type Step = Schemas["TimelineStep"];
type Event = Schemas["Event"];

interface Workspace {
  project: Schemas["Project"];
  version: number;
  timeline: {
    phases: { id: string; title: string; steps: Step[] }[];
    tasks: { id: string; title: string; owner: string; dueAt: string | null; doneAt: string | null }[];
    issues: { id: string; severity: string; title: string; openedAt: string; resolvedAt: string | null }[];
    forecast: ForecastSummary;
    incidents: Schemas["Incident"][];
  };
  client: Schemas["Client"] | null;
  playbook: PlaybookDetail | null;
  events: Event[];
  people: Map<string, string>;
  contacts: Map<string, string>;
}

async function loadWorkspace(id: string, signal: AbortSignal): Promise<Workspace> {
  const [projectReply, { data: timeline }, events, people] = await Promise.all([
    api.get("/projects/{id}", { path: { id }, signal }),
    api.get("/projects/{id}/timeline", { path: { id }, signal }),
    all((cursor) => api.get("/projects/{id}/events", { path: { id }, query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal }), 5000),
    all((cursor) => api.get("/people", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })).catch(() => []),
  ]);
  const project = projectReply.data;
  const [client, contacts, playbook] = await Promise.all([
    api
      .get("/clients/{id}", { path: { id: project.clientId }, signal })
      .then((r) => r.data)
      .catch(() => null),
    // The client's contacts (removed ones too) name who approved or wrote from the portal.
    api
      .get("/clients/{id}/contacts", { path: { id: project.clientId }, query: { include: "removed" }, signal })
      .then((r) => r.data.items)
      .catch(() => []),
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
    contacts: new Map(contacts.map((c) => [c.id, c.name])),
  };
}

export function ProjectWorkspace({ id }: { id: string }) {
  const session = useSession();
  const { search } = useLocation();
  const ws = useResource((signal) => loadWorkspace(id, signal), [id]);
  const [notice, setNotice] = useState<Outcome>();
  const [dialog, setDialog] = useState<"hold" | "resume" | "extend" | "escalate" | "health" | "cancel" | null>(null);
  const tab = search.get("tab") ?? "plan";
  useTitle(ws.data?.project.clientName ?? "Project", "Onboard");

  const data = ws.data;
  const canCommand = session.can("projects:command");

  /** How the page names what the server names by id (for feedback in a CSM's words). */
  const words = (step?: string): Words => {
    const pb = data?.playbook;
    const detail = step ? pb?.steps.get(step) : undefined;
    return {
      step: (id) => data?.timeline.phases.flatMap((p) => p.steps).find((s) => s.id === id)?.title,
      item: (st, key) => pb?.steps.get(st)?.checklist.find((i) => i.key === key)?.text,
      field: (key) =>
        detail?.form?.fields.find((f) => f.id === key)?.label ??
        (
          { reason: "Reason", until: "New deadline", comment: "Comment", score: "Score", person: "Trainee", title: "Title" } as Record<
            string,
            string
          >
        )[key],
      role: (id) => pb?.roles[id]?.title ?? humanize(id),
      track: (id) => pb?.trainingTracks[id] ?? humanize(id),
    };
  };

  /**
   * Run a command at the version on screen; reload after, and explain a conflict. The outcome shows
   * at `where` (a step's id, or the page header). Returns the fields at fault.
   */
  const act = async (command: Command, done?: string, where = "header"): Promise<Record<string, string> | undefined> => {
    if (!data) return undefined;
    setNotice(undefined);
    try {
      const result = await runCommand(data.project.id, data.version, command);
      // Say it is done once the page shows it done: a notice over a stale step (its button still
      // offered) invites a second click.
      await ws.reload();
      // The command went through but a condition it ran could not be evaluated: nothing is done
      // yet, and the notice says so where the person clicked, not "done" over a step that waits.
      if (result?.events.some((e) => e.type === "incident.opened"))
        setNotice({
          tone: "error",
          text: "Not done yet: the playbook could not evaluate a condition for this project. Issues shows what it read and why it failed; fix the data, then retry there.",
          where,
        });
      else if (done) setNotice({ tone: "success", text: done, where });
      return undefined;
    } catch (error) {
      if (error instanceof StaleProject) {
        setNotice({ tone: "info", text: error.message, where });
        await ws.reload();
        return undefined;
      }
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      const step = "step" in command ? command.step : undefined;
      setNotice({ tone: "error", ...explain(error, words(step), step), where });
      return fields;
    }
  };

  /** After an email step's mail went out (the server completed the step): say so and reload. */
  const emailSent = async (text: string, where: string) => {
    await ws.reload();
    setNotice({ tone: "success", text, where });
  };
  const stale = async () => {
    setNotice({ tone: "info", text: new StaleProject().message, where: "header" });
    await ws.reload();
  };

  if (ws.error && !data) return <ErrorNotice error={ws.error} onRetry={() => void ws.reload()} />;
  if (!data)
    return (
      <div className="card">
        <Loading lines={8} label="Loading the project" />
      </div>
    );

  const { project, timeline, client, playbook, events, people, contacts } = data;
  const clientZone = client?.timeZone;
  const steps = timeline.phases.flatMap((p) => p.steps);
  const titles = new Map(steps.map((s) => [s.id, s.title]));
  const visiblePhases = timeline.phases
    .map((p) => ({ ...p, steps: p.steps.filter((s) => s.status !== "not_applicable" && s.status !== "dormant") }))
    .filter((p) => p.steps.length > 0);
  // The steps list also shows on-demand steps nobody has started yet, so a person can start one.
  const listedPhases = timeline.phases
    .map((p) => ({ ...p, steps: p.steps.filter((s) => s.status !== "not_applicable") }))
    .filter((p) => p.steps.length > 0);
  const done = steps.filter((s) => s.status === "done" || s.status === "skipped").length;
  const relevant = steps.filter((s) => s.status !== "not_applicable" && s.status !== "dormant").length;
  const overdue = steps.filter((s) => s.overdue);
  // Who leads the project: the playbook's CSM role, else the team role that owns the most steps
  // (a KYC procedure has an analyst, not a CSM).
  const leadRole = (() => {
    const roles = Object.keys(playbook?.roles ?? project.assignments);
    const csm = roles.find((r) => /(^|_)(csm|customer_success(_manager)?)$/.test(r));
    if (csm) return csm;
    const owned = new Map<string, number>();
    for (const s of steps) if (playbook?.roles[s.owner]?.side !== "client") owned.set(s.owner, (owned.get(s.owner) ?? 0) + 1);
    return [...owned].sort((a, b) => b[1] - a[1])[0]?.[0];
  })();
  const name = (person: string | undefined) => (person ? (people.get(person) ?? "A former team member") : "Unassigned");
  const feedWords: FeedWords = {
    step: (id) => titles.get(id) ?? "A step",
    item: (step, key) => playbook?.steps.get(step)?.checklist.find((i) => i.key === key)?.text ?? "a checklist item",
    role: (id) => playbook?.roles[id]?.title ?? humanize(id),
    person: (id) => people.get(id) ?? contacts.get(id) ?? (id === session.user.id ? session.user.name : "A team member"),
    track: (id) => playbook?.trainingTracks[id] ?? humanize(id),
    survey: (id) => playbook?.surveys[id] ?? "Survey",
  };
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
            {playbook?.title ?? project.playbook.id} ·{" "}
            {/\{\{/.test(project.playbook.version) ? "" : `version ${project.playbook.version} · `}
            <StatusBadge status={project.status} />{" "}
            <HealthSummary health={project.health} reasons={project.healthReasons.filter((r) => r !== project.status)} inline />
            {project.origin ? (
              <div className="small muted">
                Started by {crmName(project.origin.source)} deal <span className="mono">{project.origin.dealId}</span>
                {project.origin.connectionId ? <> (connection {project.origin.connectionId})</> : null}
              </div>
            ) : null}
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
              <button
                type="button"
                onClick={() => setDialog("health")}
                disabled={project.status !== "active" && project.status !== "on_hold"}
              >
                Set health
              </button>
              <button type="button" className="danger" onClick={() => setDialog("escalate")} disabled={project.status !== "active"}>
                Escalate
              </button>
              {session.can("users:read") && (project.status === "active" || project.status === "on_hold") ? (
                <button type="button" className="danger" onClick={() => setDialog("cancel")}>
                  Cancel project…
                </button>
              ) : null}
            </>
          ) : null
        }
      />
      <OutcomeNotice outcome={notice?.where === "header" ? notice : undefined} />

      <section className="card" aria-label="Summary" style={{ marginBottom: "1rem" }}>
        <dl className="facts">
          <div>
            <dt>{leadRole ? (playbook?.roles[leadRole]?.title ?? "CSM") : "CSM"}</dt>
            <dd>{name(leadRole ? project.assignments[leadRole] : undefined)}</dd>
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
                status={project.status}
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
              {listedPhases.map((phase) => (
                <div key={phase.id}>
                  <div className="phase-title">
                    <h3>{phase.title}</h3>
                    <span className="muted small">{playbook?.phases.find((p) => p.id === phase.id)?.window ?? ""}</span>
                  </div>
                  <ul className="steps">
                    {phase.steps.map((step, i) => {
                      // The steps of a call are shown under it: "EDD for a PEP — carries out Enhanced due diligence".
                      const call = playbook?.calls.get(step.id);
                      const before = i > 0 ? playbook?.calls.get(phase.steps[i - 1]?.id ?? "") : undefined;
                      const item = (
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
                          outcome={notice?.where === step.id ? notice : undefined}
                          canSetValues={session.can("settings:write")}
                          version={data.version}
                          onEmailSent={emailSent}
                          onStale={stale}
                          explainError={(error) => explain(error, words(step.id), step.id).text}
                        />
                      );
                      if (!call || call === before) return item;
                      return (
                        <Fragment key={`call-${call.id}`}>
                          <li className="call-group" id={`call-${call.id}`}>
                            <span style={{ fontWeight: 600 }}>{call.title}</span>{" "}
                            <span className="muted small">carries out the procedure “{call.procedure}”; its steps:</span>
                          </li>
                          {item}
                        </Fragment>
                      );
                    })}
                  </ul>
                </div>
              ))}
            </section>
          </div>
          <aside className="stack" aria-label="Project side panel">
            <section className="card" aria-labelledby="issues-h">
              <h2 id="issues-h">Issues</h2>
              <IncidentList
                incidents={timeline.incidents}
                stepTitle={(id) => steps.find((s) => s.id === id)?.title}
                valueName={(path) => {
                  const [, formId, fieldId] = /^forms\.([^.]+)\.([^.]+)$/.exec(path) ?? [];
                  const form = [...(data.playbook?.steps.values() ?? [])].map((d) => d.form).find((f) => f?.id === formId);
                  const field = form?.fields.find((f) => f.id === fieldId);
                  return form && field ? `${form.title}: ${field.label}` : undefined;
                }}
                canRetry={manager && project.status === "active"}
                act={act}
              />
              <OutcomeNotice outcome={notice?.where === "issues" ? notice : undefined} />
              {openIssues.length === 0 ? (
                timeline.incidents.some((i) => !i.resolvedAt) ? null : (
                  <p className="muted">No open issues.</p>
                )
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
              <Feed events={events.slice(-8).reverse()} words={feedWords} />
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
          <Feed events={[...events].reverse()} words={feedWords} paged />
        </section>
      ) : tab === "audit" ? (
        <AuditTrail
          projectId={project.id}
          events={events}
          words={feedWords}
          canVerify={session.can("audit:read")}
          canExport={session.can("projects:read")}
        />
      ) : (
        <>
          <ProjectTeam projectId={project.id} onChanged={() => void ws.reload()} />
          <TeamTab project={project} playbook={playbook} name={name} />
        </>
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
      <ReasonDialog
        open={dialog === "cancel"}
        title="Cancel the project?"
        label="Why is it cancelled?"
        hint="The onboarding stops for good: open steps, reminders and follow-ups end. It goes into the audit trail; CS operations can reopen it later."
        submit="Cancel the project"
        onClose={() => setDialog(null)}
        onSubmit={(reason) => act({ type: "cancel", reason }, "The project is cancelled.")}
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
                  <td>{playbook?.factLabels[k] ?? humanize(k)}</td>
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

/** "hubspot:4711" as people say it: HubSpot (account 4711). */
function crmName(source: string): string {
  const [crm = source, account] = source.split(":");
  const name = ({ hubspot: "HubSpot", pipedrive: "Pipedrive", salesforce: "Salesforce" } as Record<string, string>)[crm] ?? crm;
  return account ? `${name} (account ${account})` : name;
}
