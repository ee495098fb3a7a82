// One step of a project's plan, completable from the page whatever its kind: tick the checklist,
// save the form, sign off, record the decision (by its branch's label), record a training result,
// finish each item of a repeated step, send the email, mark it done, skip it (with a reason and a
// confirmation), reopen it (with a reason), start an on-demand step. The outcome shows right here,
// under the buttons that caused it.
import { type FormEvent, useMemo, useState } from "react";
import { fieldValueProblem } from "../../../../engine/form-values.ts";
import type { Schemas } from "../../../api/client.ts";
import { FormInput } from "../../../components/form-input.tsx";
import { Prose, ProseLine, prosePlainText } from "../../../components/prose.tsx";
import { Field, StatusBadge } from "../../../components/ui.tsx";
import type { Command } from "../../../lib/commands.ts";
import { dueLabel, formatDate, formatDateTime, humanize, viewerZone } from "../../../lib/format.ts";
import type { PlaybookDetail, StepDetail } from "../../../lib/playbook.ts";
import { StepEmailDialog } from "../step-email.tsx";
import { ConfirmDialog, ReasonDialog } from "./dialogs.tsx";
import { type Outcome, OutcomeNotice } from "./feedback.tsx";

type Step = Schemas["TimelineStep"];
type Event = Schemas["Event"];

/** Run a command from the page; `where` is where its outcome shows. Returns the fields at fault. */
export type Act = (command: Command, done?: string, where?: string) => Promise<Record<string, string> | undefined>;
/** The same, bound to one step. */
export type StepAct = (command: Command, done?: string) => Promise<Record<string, string> | undefined>;

/** What the events say about checklists, forms and training (the timeline carries status and dates only). */
export function progressOf(events: readonly Event[]) {
  const ticked = new Map<string, boolean>();
  const forms = new Map<string, Record<string, unknown>>();
  const training: { track: string; person: string; score: number; passed: boolean }[] = [];
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    // A repeated step's item has its own ticks and answers (the timeline's itemWork), not the step's.
    if (e.type === "checklist.ticked" && d.for === undefined) ticked.set(`${d.step}/${d.item}`, d.checked === true);
    if (e.type === "form.submitted" && d.item === undefined)
      forms.set(String(d.form), { ...forms.get(String(d.form)), ...(d.values as Record<string, unknown>) });
    if (e.type === "step.reopened") for (const key of [...ticked.keys()]) if (key.startsWith(`${d.step}/`)) ticked.delete(key);
    if (e.type === "training.recorded") {
      const r = d.record as { track: string; person: string; score: number; passed: boolean } | undefined;
      if (r) training.push(r);
    }
  }
  return { ticked, forms, training };
}

export function StepItem({
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
  act: actOn,
  outcome,
  version,
  onEmailSent,
  onStale,
  canSetValues = false,
  explainError,
}: {
  canSetValues?: boolean;
  /** A refusal in a CSM's words (the page's explanation of the server's problem). */
  explainError?: (error: unknown) => string;
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
  act: Act;
  outcome: Outcome | undefined;
  version: number;
  onEmailSent: (message: string, where: string) => Promise<void>;
  onStale: () => Promise<void>;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [emailOpen, setEmailOpen] = useState(false);
  const [ask, setAsk] = useState<"skip" | "reopen" | "activate" | "finish" | null>(null);
  // A ticked box shows ticked at once; the server's answer (or its refusal) settles it.
  const [pending, setPending] = useState<ReadonlyMap<string, boolean>>(new Map());
  const act: StepAct = (command, done) => actOn(command, done, step.id);
  // An email step with a template: its owner previews and sends the mail from here.
  const sendsEmail = detail?.kind === "email" && detail.template !== undefined;
  const active = step.status === "open" || step.status === "in_progress";
  const closed = step.status === "done" || step.status === "skipped";
  const { ticked, forms, training } = useMemo(() => progressOf(events), [events]);
  const roleTitle = (role: string) => playbook?.roles[role]?.title ?? humanize(role);
  const holder = (role: string) =>
    playbook?.roles[role]?.side === "client"
      ? "client contact"
      : playbook?.roles[role]?.side === "system" && project.assignments[role] === undefined
        ? "automatic"
        : name(project.assignments[role]);
  const icon = step.status === "done" ? "✓" : step.overdue ? "!" : step.status === "skipped" ? "–" : active ? "●" : "";
  const iconClass = step.status === "done" ? "done" : step.overdue ? "late" : active ? "open" : "";
  const bodyId = `step-${step.id}`;
  const items = step.items ? Object.entries(step.items) : [];
  const openItems = items.filter(([, at]) => at === null);
  // A repeated step's checklist, form and sign-off are each item's own.
  const perItemWork = [
    detail?.form ? "form" : undefined,
    detail && detail.checklist.length > 0 ? "checklist" : undefined,
    step.gate ? "sign-off" : undefined,
  ]
    .filter((w): w is string => w !== undefined)
    .join(", ");
  const perItem = items.length > 0 && perItemWork !== "";
  // A milestone that takes the client live or ends the project cannot be taken back: confirm it first.
  const final = detail?.goLive || detail?.completesProject;
  const doneLabel = detail?.goLive ? "Confirm go-live" : detail?.completesProject ? "Complete the project" : "Mark step done";
  const markDone = () => (final ? setAsk("finish") : void act({ type: "complete_step", step: step.id }, `Done: ${step.title}`));
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
          <StatusBadge status={step.status === "dormant" ? "on_demand" : step.status} overdue={step.overdue} />
        </span>
      </button>
      {open ? (
        <div className="step-body" id={bodyId}>
          {detail?.description ? <Prose text={detail.description} /> : null}
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
                <dd>
                  <ProseLine text={detail.expectedResult} />
                </dd>
              </>
            ) : null}
          </dl>
          {step.returned ? (
            <div className="notice" role="note" style={{ margin: "0.5rem 0", background: "var(--amber-soft)", borderColor: "#f2d59b" }}>
              <strong>Returned by {roleTitle(step.returned.role)}:</strong> {step.returned.comment}
            </div>
          ) : null}
          {detail && detail.instructions.length > 0 ? (
            <ol className="small">
              {detail.instructions.map((text) => (
                <li key={text}>
                  <ProseLine text={text} />
                </li>
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
                  const checked = pending.get(item.key) ?? ticked.get(`${step.id}/${item.key}`) ?? false;
                  const inputId = `${step.id}-${item.key}`;
                  return (
                    <li key={item.key}>
                      <input
                        id={inputId}
                        type="checkbox"
                        checked={checked}
                        disabled={!canCommand || !active}
                        onChange={(e) => {
                          const want = e.target.checked;
                          setPending((p) => new Map(p).set(item.key, want));
                          void act(
                            { type: "tick_checklist", step: step.id, item: item.key, checked: want },
                            `${want ? "Ticked" : "Unticked"}: ${prosePlainText(item.text)}`,
                          ).finally(() =>
                            setPending((p) => {
                              const next = new Map(p);
                              next.delete(item.key);
                              return next;
                            }),
                          );
                        }}
                      />
                      <label htmlFor={inputId} style={{ fontWeight: 400 }}>
                        <ProseLine text={item.text} />
                        {!item.required ? <span className="muted"> (optional)</span> : null}
                        {item.owner && playbook?.roles[item.owner]?.side === "client" ? (
                          <span className="muted"> (the client ticks this in the portal)</span>
                        ) : null}
                      </label>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          ) : null}
          {items.length > 0 ? (
            <div style={{ margin: "0.5rem 0" }}>
              <h4 className="small" style={{ fontWeight: 650 }}>
                For each ({items.length - openItems.length} of {items.length} done)
              </h4>
              {perItem ? (
                <p className="small muted">
                  Each has its own {perItemWork}; what is recorded above for the whole step counts for every one.
                </p>
              ) : null}
              <ul className="feed">
                {items.map(([item, at]) => {
                  const label = step.itemLabels?.[item] ?? item;
                  return (
                    <li key={item}>
                      <div className="spread">
                        <span>
                          {label} {at ? <span className="muted small">· done {formatDate(at)}</span> : null}
                        </span>
                        {at === null && active && canCommand ? (
                          <button
                            type="button"
                            className="small"
                            onClick={() => void act({ type: "complete_step", step: step.id, item }, `Done: ${label}`)}
                          >
                            Done: {label}
                          </button>
                        ) : null}
                      </div>
                      {perItem && at === null && active ? (
                        <ItemWorkBox
                          step={step}
                          detail={detail}
                          item={item}
                          label={label}
                          stepTicked={(key) => ticked.get(`${step.id}/${key}`) ?? false}
                          stepAnswers={detail?.form ? (forms.get(detail.form.id) ?? {}) : {}}
                          roleTitle={roleTitle}
                          myRoles={myRoles}
                          canCommand={canCommand}
                          act={act}
                        />
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            </div>
          ) : null}
          {detail?.form ? (
            <StepForm step={step} form={detail.form} values={forms.get(detail.form.id) ?? {}} disabled={!canCommand || !active} act={act} />
          ) : null}
          {detail && detail.training.length > 0 ? (
            <TrainingBox
              tracks={detail.training}
              titles={playbook?.trainingTracks ?? {}}
              passMark={playbook?.passMark ?? 0}
              records={training}
              canRecord={canCommand && active}
              act={act}
            />
          ) : null}
          {step.gate ? (
            <GateBox step={step} detail={detail} roleTitle={roleTitle} myRoles={myRoles} canCommand={canCommand && active} act={act} />
          ) : null}
          {detail?.survey && active ? (
            <p className="small muted">Marking it done sends the {playbook?.surveys[detail.survey] ?? "survey"} to the client.</p>
          ) : null}
          {detail?.decision && active && canCommand ? (
            <div className="notice" style={{ margin: "0.75rem 0" }}>
              <strong>{detail.decision.question}</strong>
              <p className="small muted" style={{ margin: "0.25rem 0" }}>
                Record the answer that applies. The playbook checks it against what is recorded (checklist, form, training).
              </p>
              <div className="row" style={{ marginTop: "0.5rem" }}>
                {detail.decision.branches.map((b) => (
                  <button
                    key={b.label}
                    type="button"
                    className="small"
                    onClick={() => void act({ type: "record_decision", step: step.id, branch: b.label }, `Decision recorded: ${b.label}`)}
                  >
                    Record: {b.label}
                  </button>
                ))}
              </div>
            </div>
          ) : null}
          {canCommand ? (
            <div className="row" style={{ marginTop: "0.75rem" }}>
              {active && sendsEmail ? (
                <button type="button" className="primary" onClick={() => setEmailOpen(true)}>
                  Preview and send email
                </button>
              ) : null}
              {active && !detail?.decision && (items.length === 0 || openItems.length === 0) ? (
                <button type="button" className={sendsEmail ? undefined : "primary"} onClick={markDone}>
                  {doneLabel}
                </button>
              ) : null}
              {step.status === "open" ? (
                <button type="button" onClick={() => void act({ type: "start_step", step: step.id }, `Started: ${step.title}`)}>
                  Start
                </button>
              ) : null}
              {step.status === "dormant" ? (
                <button type="button" className="primary" onClick={() => setAsk("activate")}>
                  Start this step
                </button>
              ) : null}
              {active || step.status === "blocked" || step.status === "scheduled" ? (
                <button type="button" onClick={() => setAsk("skip")}>
                  Skip…
                </button>
              ) : null}
              {closed ? (
                <button type="button" onClick={() => setAsk("reopen")}>
                  Reopen…
                </button>
              ) : null}
            </div>
          ) : null}
          <OutcomeNotice outcome={outcome} />
        </div>
      ) : outcome ? (
        <OutcomeNotice outcome={outcome} />
      ) : null}
      {sendsEmail ? (
        <StepEmailDialog
          open={emailOpen}
          projectId={project.id}
          clientId={project.clientId}
          clientName={project.clientName}
          canSetValues={canSetValues}
          step={step}
          version={version}
          onClose={() => setEmailOpen(false)}
          onSent={(message) => onEmailSent(message, step.id)}
          onStale={onStale}
          {...(explainError ? { explainError } : {})}
        />
      ) : null}
      <ReasonDialog
        open={ask === "skip"}
        title={`Skip “${step.title}”?`}
        label="Why is it skipped?"
        hint="The step counts as settled and the plan moves on. It goes into the audit trail; you can reopen the step later."
        submit="Skip the step"
        onClose={() => setAsk(null)}
        onSubmit={(reason) => act({ type: "skip_step", step: step.id, reason }, `Skipped: ${step.title}`)}
      />
      <ReasonDialog
        open={ask === "reopen"}
        title={`Reopen “${step.title}”?`}
        label="Why does it need doing again?"
        hint="The step opens again and the steps after it wait for it. It goes into the audit trail."
        submit="Reopen the step"
        onClose={() => setAsk(null)}
        onSubmit={(reason) => act({ type: "reopen_step", step: step.id, reason }, `Reopened: ${step.title}`)}
      />
      <ReasonDialog
        open={ask === "activate"}
        title={`Start “${step.title}”?`}
        label="Why is it needed?"
        hint="This step only runs on demand. It goes into the audit trail."
        submit="Start the step"
        onClose={() => setAsk(null)}
        onSubmit={(reason) => act({ type: "activate_step", step: step.id, reason }, `Started: ${step.title}`)}
      />
      <ConfirmDialog
        open={ask === "finish"}
        title={detail?.goLive ? "Confirm go-live?" : "Complete the project?"}
        confirm={doneLabel}
        onClose={() => setAsk(null)}
        onConfirm={() => act({ type: "complete_step", step: step.id }, detail?.goLive ? "The client is live." : "The project is complete.")}
      >
        <p>
          {detail?.goLive
            ? `This records that ${project.clientName} works in production: the go-live date is set, post-go-live steps and surveys are scheduled, and the team and client are told. It cannot be undone.`
            : `This closes the onboarding of ${project.clientName}: the last step is done and the project counts as completed. It cannot be undone.`}
        </p>
      </ConfirmDialog>
    </li>
  );
}

function TrainingBox({
  tracks,
  titles,
  passMark,
  records,
  canRecord,
  act,
}: {
  tracks: readonly string[];
  titles: Readonly<Record<string, string>>;
  passMark: number;
  records: readonly { track: string; person: string; score: number; passed: boolean }[];
  canRecord: boolean;
  act: StepAct;
}) {
  const [track, setTrack] = useState(tracks[0] ?? "");
  const [person, setPerson] = useState("");
  const [score, setScore] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const title = (t: string) => titles[t] ?? humanize(t);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    const n = Number(score);
    if (!person.trim()) local.person = "Say who took the training.";
    if (score.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) local.score = "Enter a score from 0 to 100.";
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const fields = await act(
      { type: "record_training", track, person: person.trim(), score: n },
      `${title(track)} training recorded for ${person.trim()}: ${n}%.`,
    );
    if (fields) setErrors(fields);
    else {
      setPerson("");
      setScore("");
    }
  };
  return (
    <form onSubmit={send} noValidate className="card" style={{ boxShadow: "none", margin: "0.75rem 0" }} aria-label="Training results">
      <h4>Training (pass mark {passMark}%)</h4>
      <ul className="feed">
        {tracks.map((t) => {
          const mine = records.filter((r) => r.track === t);
          const passed = mine.some((r) => r.passed);
          return (
            <li key={t}>
              {title(t)}:{" "}
              {passed ? (
                <span className="badge green">Passed</span>
              ) : mine.length ? (
                <span className="badge red">Not passed yet</span>
              ) : (
                <span className="muted">no result yet</span>
              )}
              {mine.length ? <span className="muted small"> · {mine.map((r) => `${r.person} ${r.score}%`).join(", ")}</span> : null}
            </li>
          );
        })}
      </ul>
      {canRecord ? (
        <>
          {tracks.length > 1 ? (
            <Field label="Track">
              {(p) => (
                <select {...p} value={track} onChange={(e) => setTrack(e.target.value)}>
                  {tracks.map((t) => (
                    <option key={t} value={t}>
                      {title(t)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : null}
          <Field label="Trainee" error={errors.person} required>
            {(p) => <input {...p} value={person} onChange={(e) => setPerson(e.target.value)} />}
          </Field>
          <Field label="Score (%)" error={errors.score} required>
            {(p) => <input {...p} type="number" min={0} max={100} value={score} onChange={(e) => setScore(e.target.value)} />}
          </Field>
          <button type="submit">Record the result</button>
        </>
      ) : null}
    </form>
  );
}

export function GateBox({
  step,
  detail,
  roleTitle,
  myRoles,
  canCommand,
  act,
  item,
}: {
  step: Step;
  detail: StepDetail | undefined;
  roleTitle: (r: string) => string;
  myRoles: string[];
  canCommand: boolean;
  act: StepAct;
  /** A repeated step's item whose own sign-offs these are. */
  item?: string;
}) {
  const [comment, setComment] = useState("");
  const [conditions, setConditions] = useState("");
  const [error, setError] = useState<string>();
  const [conditionsError, setConditionsError] = useState<string>();
  const [withdrawing, setWithdrawing] = useState<string | null>(null);
  const forItem = item === undefined ? {} : { item };
  const gate =
    step.gate && item !== undefined
      ? { ...step.gate, approvals: { ...step.gate.approvals, ...(step.itemWork?.[item]?.approvals ?? {}) } }
      : step.gate;
  if (!gate) return null;
  const mine = gate.approvers.filter((r) => myRoles.includes(r) && !gate.approvals[r]);
  // A sign-off given by mistake is taken back while the step is still open.
  const given = gate.approvers.filter((r) => myRoles.includes(r) && gate.approvals[r]);
  const decide = async (type: "approve" | "reject" | "approve_with_conditions", role: string) => {
    if (type === "reject" && !comment.trim()) {
      setError("Say what has to change: a rejection needs a comment.");
      return;
    }
    if (type === "approve_with_conditions" && !conditions.trim()) {
      setConditionsError("Write the conditions you approve under.");
      return;
    }
    setError(undefined);
    setConditionsError(undefined);
    const fields = await act(
      {
        type: type === "reject" ? "reject" : "approve",
        step: step.id,
        role,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(type === "approve_with_conditions" ? { conditions: conditions.trim() } : {}),
        ...forItem,
      },
      type === "approve" ? "Signed off." : type === "reject" ? "Rejected, with your comment." : "Approved with your conditions.",
    );
    if (fields?.comment) setError(fields.comment);
    else if (fields?.conditions) setConditionsError(fields.conditions);
    else if (!fields) {
      setComment("");
      setConditions("");
    }
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
                <>
                  <span className={`badge ${a.decision === "approved" ? (a.conditions ? "amber" : "green") : "red"}`}>
                    {a.conditions ? "Approved with conditions" : humanize(a.decision)} {formatDate(a.at)}
                  </span>
                  {a.conditions ? <span className="small"> Conditions: {a.conditions}</span> : null}
                  {a.comment ? <span className="small muted"> “{a.comment}”</span> : null}
                </>
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
          <Field label="Conditions" hint="Required to approve with conditions: what must be true or done." error={conditionsError}>
            {(p) => <textarea {...p} value={conditions} onChange={(e) => setConditions(e.target.value)} />}
          </Field>
          <div className="row">
            {mine.map((role) => (
              <span key={role} className="row">
                <button type="button" className="primary" onClick={() => void decide("approve", role)}>
                  Approve as {roleTitle(role)}
                </button>
                <button type="button" onClick={() => void decide("approve_with_conditions", role)}>
                  Approve with conditions
                </button>
                <button type="button" className="danger" onClick={() => void decide("reject", role)}>
                  Reject
                </button>
              </span>
            ))}
          </div>
        </div>
      ) : null}
      {canCommand && given.length > 0 ? (
        <div className="row">
          {given.map((role) => (
            <button key={role} type="button" className="small" onClick={() => setWithdrawing(role)}>
              Withdraw my sign-off as {roleTitle(role)}…
            </button>
          ))}
        </div>
      ) : null}
      <ReasonDialog
        open={withdrawing !== null}
        title="Withdraw your sign-off?"
        label="Why do you take it back?"
        hint="The step waits for your sign-off again. It goes into the audit trail."
        submit="Withdraw sign-off"
        onClose={() => setWithdrawing(null)}
        onSubmit={(reason) =>
          act(
            { type: "withdraw_approval", step: step.id, role: withdrawing ?? "", reason, ...forItem },
            "Your sign-off is withdrawn: the step waits for it again.",
          )
        }
      />
    </div>
  );
}
export function StepForm({
  step,
  form,
  values,
  disabled,
  act,
  item,
  itemLabel,
}: {
  step: Step;
  form: NonNullable<StepDetail["form"]>;
  values: Record<string, unknown>;
  disabled: boolean;
  act: StepAct;
  /** A repeated step's item whose own answers these are. */
  item?: string;
  itemLabel?: string;
}) {
  const title = itemLabel === undefined ? form.title : `${form.title}: ${itemLabel}`;
  const [draft, setDraft] = useState<Record<string, unknown>>(values);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    for (const f of form.fields) {
      const value = draft[f.id];
      const problem = f.spec ? fieldValueProblem(f.spec, value) : undefined;
      if (f.required && (value === undefined || value === null || value === "")) local[f.id] = `${f.label} is required`;
      else if (problem) local[f.id] = `${f.label} ${problem}`;
    }
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const fields = await act(
      { type: "submit_form", step: step.id, values: draft, ...(item === undefined ? {} : { item }) },
      `${title} saved.`,
    );
    if (fields) setErrors(fields);
  };
  return (
    <form onSubmit={submit} noValidate className="card" style={{ boxShadow: "none", margin: "0.75rem 0" }} aria-label={title}>
      <h4>{title}</h4>
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

/** One item of a repeated step: its own checklist ticks, form answers and sign-offs. */
function ItemWorkBox({
  step,
  detail,
  item,
  label,
  stepTicked,
  stepAnswers,
  roleTitle,
  myRoles,
  canCommand,
  act,
}: {
  step: Step;
  detail: StepDetail | undefined;
  item: string;
  label: string;
  stepTicked: (key: string) => boolean;
  stepAnswers: Record<string, unknown>;
  roleTitle: (r: string) => string;
  myRoles: string[];
  canCommand: boolean;
  act: StepAct;
}) {
  const work = step.itemWork?.[item];
  const [pending, setPending] = useState<ReadonlyMap<string, boolean>>(new Map());
  return (
    <div style={{ margin: "0.25rem 0 0.75rem 1rem" }}>
      {detail && detail.checklist.length > 0 ? (
        <fieldset style={{ border: 0, padding: 0, margin: "0.5rem 0" }}>
          <legend className="small" style={{ fontWeight: 650 }}>
            Checklist: {label}
          </legend>
          <ul className="checklist">
            {detail.checklist.map((entry) => {
              const checked = pending.get(entry.key) ?? work?.checklist[entry.key] ?? stepTicked(entry.key);
              const inputId = `${step.id}-${item}-${entry.key}`;
              return (
                <li key={entry.key}>
                  <input
                    id={inputId}
                    type="checkbox"
                    checked={checked}
                    disabled={!canCommand}
                    onChange={(e) => {
                      const want = e.target.checked;
                      setPending((p) => new Map(p).set(entry.key, want));
                      void act(
                        { type: "tick_checklist", step: step.id, item: entry.key, checked: want, for: item },
                        `${want ? "Ticked" : "Unticked"} for ${label}: ${prosePlainText(entry.text)}`,
                      ).finally(() =>
                        setPending((p) => {
                          const next = new Map(p);
                          next.delete(entry.key);
                          return next;
                        }),
                      );
                    }}
                  />
                  <label htmlFor={inputId} style={{ fontWeight: 400 }}>
                    <ProseLine text={entry.text} />
                    {!entry.required ? <span className="muted"> (optional)</span> : null}
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
      ) : null}
      {detail?.form ? (
        <StepForm
          step={step}
          form={detail.form}
          values={{ ...stepAnswers, ...work?.values }}
          disabled={!canCommand}
          act={act}
          item={item}
          itemLabel={label}
        />
      ) : null}
      {step.gate ? (
        <GateBox step={step} detail={detail} roleTitle={roleTitle} myRoles={myRoles} canCommand={canCommand} act={act} item={item} />
      ) : null}
    </div>
  );
}
