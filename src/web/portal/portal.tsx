// The client portal: the vendor's name and colour, the client's plan and progress, what they owe
// and by when, sign-offs with a comment, forms, checklists, and a conversation with the team.
// Signed in by magic link: the emailed link opens a confirmation page, and only pressing "Sign in"
// spends the token (mail scanners follow links; they do not press buttons). It shows only what
// the portal API returns for the signed-in contact's own company.
import { createContext, type FormEvent, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { fieldValueProblem } from "../../engine/form-values.ts";
import { ApiError, client, describeError, type Schemas } from "../api/client.ts";
import { FormInput } from "../components/form-input.tsx";
import { Prose, ProseLine, prosePlainText } from "../components/prose.tsx";
import { Empty, ErrorNotice, Field, Loading } from "../components/ui.tsx";
import { dueLabel, formatDate, formatDateTime, humanize, plural, viewerZone } from "../lib/format.ts";
import { Link, match, navigate, useLocation, useTitle } from "../lib/router.tsx";
import { useResource } from "../lib/use-resource.ts";
import { applyBranding } from "./branding.ts";
import { Files } from "./files.tsx";
import { SurveyPage } from "./survey.tsx";

const portal = client({ csrfCookie: "onboard_portal_csrf", notifySignedOut: false });
type Session = Schemas["PortalSession"];
type Step = Schemas["PortalStep"];
type Command = Schemas["PortalCommand"];
type PortalSurvey = Schemas["PortalSurvey"];
/** What a command did, shown next to the control that sent it; `fields` maps refusals to form fields. */
type Outcome = { tone: "success" | "error" | "info"; text: string; fields?: Record<string, string> };
type Act = (command: Command, done: string) => Promise<Outcome>;

/** The contact's surveys still to answer, each linking to the survey page its email opens. */
function OpenSurveys({ projectId }: { projectId?: string }) {
  const surveys = useResource(async (signal) => (await portal.get("/portal/api/surveys", { signal })).data, []);
  const items = (surveys.data?.items ?? []).filter((s: PortalSurvey) => !projectId || s.projectId === projectId);
  if (items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="surveys-h">
      <h2 id="surveys-h">Surveys for you</h2>
      <p className="muted small">A minute of your time helps us improve your onboarding.</p>
      <ul className="portal-surveys">
        {items.map((s) => (
          <li key={s.token}>
            <a href={`/portal/survey#token=${encodeURIComponent(s.token)}`}>Answer “{s.title}”</a>{" "}
            <span className="small muted">· open until {formatDate(s.expiresAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

const SessionContext = createContext<{ session: Session; signOut: () => Promise<void> } | null>(null);
function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error("no portal session");
  return value;
}

export function Portal() {
  const { pathname } = useLocation();
  // The survey page is public: its link's token is the credential, no portal session needed.
  if (pathname.replace(/\/+$/, "") === "/portal/survey") return <SurveyPage />;
  return <SignedInPortal />;
}

function SignedInPortal() {
  const { pathname } = useLocation();
  const [state, setState] = useState<{ session: Session | null; error?: unknown } | undefined>();
  const refresh = useCallback(async () => {
    try {
      const { data } = await portal.get("/portal/api/session");
      applyBranding(data.branding);
      setState({ session: data });
    } catch (error) {
      setState({ session: null, ...(error instanceof ApiError && error.status === 401 ? {} : { error }) });
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  if (pathname.replace(/\/+$/, "") === "/portal/sign-in")
    return <SignIn onSignedIn={() => void refresh().then(() => navigate("/portal/"))} />;
  if (!state) return <main className="portal-signin" aria-busy="true" />;
  if (!state.session) {
    if (state.error)
      return (
        <main className="portal-main">
          <ErrorNotice error={state.error} onRetry={() => void refresh()} />
        </main>
      );
    return <SignIn onSignedIn={() => void refresh()} />;
  }
  const signOut = async () => {
    await portal.delete("/portal/api/session").catch(() => undefined);
    setState({ session: null });
    navigate("/portal/sign-in");
  };
  return (
    <SessionContext.Provider value={{ session: state.session, signOut }}>
      <Frame>
        <Route />
      </Frame>
    </SessionContext.Provider>
  );
}

function Route() {
  const { pathname } = useLocation();
  const path = pathname.replace(/\/+$/, "");
  const project = match("/portal/projects/:id", path);
  if (project) return <ProjectPage id={project.id ?? ""} />;
  return <Home />;
}

function Frame({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const { branding } = session;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="portal-header">
        <div className="inner">
          <Link to="/portal/" className="vendor" style={{ color: "inherit", textDecoration: "none" }}>
            {branding.logoUrl ? <img src={branding.logoUrl} alt="" /> : null}
            <span>{branding.vendorName}</span>
          </Link>
          <div className="row">
            <span className="hide-phone">
              {session.contact.name} · {session.client.name}
            </span>
            <button type="button" className="small" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="portal-main" tabIndex={-1}>
        {children}
      </main>
      {branding.supportEmail ? (
        <footer className="portal-main muted small" style={{ paddingTop: 0 }}>
          Questions? Write to <a href={`mailto:${branding.supportEmail}`}>{branding.supportEmail}</a>.
        </footer>
      ) : null}
    </>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  const token = new URLSearchParams(hash.slice(1)).get("token");
  useTitle(token ? "Confirm sign-in" : "Sign in", "Client portal");
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const request = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await portal.post("/portal/api/magic-links", { body: { email } });
      setSent(true);
    } catch (e) {
      setError(e instanceof ApiError ? (e.fieldErrors().email ?? describeError(e)) : describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    if (!token) return;
    setError(undefined);
    setBusy(true);
    try {
      await portal.post("/portal/api/sessions", { body: { token } });
      // The token is spent: keep it out of the history and the address bar.
      window.history.replaceState(null, "", "/portal/");
      setHash("");
      onSignedIn();
    } catch (e) {
      setError(
        e instanceof ApiError && (e.status === 401 || e.status === 404 || e.status === 410)
          ? "This sign-in link has expired or was already used. Ask for a new one below."
          : describeError(e),
      );
      window.history.replaceState(null, "", "/portal/sign-in");
      setHash("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="portal-signin">
      <div className="card">
        <h1>{token ? "Sign in to your onboarding" : "Your onboarding portal"}</h1>
        {token && !error ? (
          <>
            <p>You opened a sign-in link. Press the button to sign in on this device.</p>
            <button type="button" className="primary" style={{ width: "100%" }} onClick={() => void confirm()} disabled={busy}>
              {busy ? "Signing in…" : "Sign in"}
            </button>
          </>
        ) : sent ? (
          <div className="notice success" role="status">
            If <strong>{email}</strong> belongs to a contact of an onboarding, a sign-in link is on its way. It works once and for a short
            time.
          </div>
        ) : (
          <form onSubmit={request} noValidate>
            <p className="muted">Enter your work email: we send you a link to sign in, no password needed.</p>
            {error ? (
              <div className="notice error" role="alert" style={{ marginBottom: "1rem" }}>
                {error}
              </div>
            ) : null}
            <Field label="Work email" required>
              {(p) => <input {...p} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
            <button type="submit" className="primary" style={{ width: "100%" }} disabled={busy || !email.trim()}>
              {busy ? "Sending…" : "Email me a sign-in link"}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}

function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = total ? Math.round((done / total) * 100) : 0;
  return (
    <div>
      <div className="spread small" style={{ marginBottom: "0.3rem" }}>
        <span>{label}</span>
        <strong>{percent}%</strong>
      </div>
      <div className="portal-progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

function Home() {
  const { session } = useSession();
  useTitle(session.client.name, session.branding.vendorName);
  const projects = useResource(async (signal) => (await portal.get("/portal/api/projects", { signal })).data, []);
  const items = projects.data?.items ?? [];
  useEffect(() => {
    const only = items[0];
    if (items.length === 1 && only) navigate(`/portal/projects/${encodeURIComponent(only.id)}`, { replace: true });
  }, [items]);
  return (
    <>
      <h1>Welcome, {session.contact.name.split(" ")[0]}</h1>
      <p className="muted">Your onboarding with {session.branding.vendorName}.</p>
      <ErrorNotice error={projects.error} onRetry={() => void projects.reload()} />
      <OpenSurveys />
      {projects.loading && !projects.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <div className="card">
          <Empty title="No onboarding to show yet">Your team will invite you as soon as your plan is ready.</Empty>
        </div>
      ) : (
        <div className="stack">
          {items.map((p) => (
            <Link
              key={p.id}
              to={`/portal/projects/${encodeURIComponent(p.id)}`}
              className="card"
              style={{ color: "inherit", textDecoration: "none", display: "block" }}
            >
              <h2>{p.title}</h2>
              <p className="small muted" style={{ marginTop: 0 }}>
                Started {formatDate(p.startedAt)}
                {p.status === "closed" ? " · Completed" : p.status === "on_hold" ? " · On hold" : ""}
              </p>
              <Progress done={p.progress.done} total={p.progress.total} label={`${p.progress.done} of ${p.progress.total} steps done`} />
              <p className="small" style={{ marginTop: "0.5rem" }}>
                {p.owed ? <strong>{plural(p.owed, "item")} waiting for you</strong> : "Nothing waiting for you"}
                {p.overdue ? <span style={{ color: "var(--red)" }}> · {p.overdue} overdue</span> : null}
              </p>
            </Link>
          ))}
        </div>
      )}
    </>
  );
}

function ProjectPage({ id }: { id: string }) {
  const { session } = useSession();
  const project = useResource(
    async (signal) => {
      const reply = await portal.get("/portal/api/projects/{id}", { path: { id }, signal });
      return { ...reply.data, etag: reply.etag };
    },
    [id],
  );
  useTitle(project.data?.title ?? "Your plan", session.branding.vendorName);

  // The outcome goes back to the step that sent the command and is shown there, next to its control.
  const act: Act = async (command, done) => {
    const p = project.data;
    if (!p) return { tone: "info", text: "The plan is still loading: try again in a moment." };
    try {
      await portal.post("/portal/api/projects/{id}/commands", {
        path: { id },
        body: command,
        headers: { "if-match": p.etag ?? `"${p.version}"`, "idempotency-key": crypto.randomUUID() },
      });
      await project.reload();
      return { tone: "success", text: done };
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        await project.reload();
        return { tone: "info", text: "The plan changed a moment ago. You now see the latest version: check it and try again." };
      }
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      return {
        tone: "error",
        text: Object.keys(fields).length ? "Some answers need a fix: see the fields marked below." : describeError(e),
        fields,
      };
    }
  };

  if (project.error && !project.data)
    return (
      <>
        <ErrorNotice error={project.error} />
        <p>
          <Link to="/portal/">Back to your onboarding</Link>
        </p>
      </>
    );
  const p = project.data;
  if (!p) return <Loading lines={6} />;
  const zone = p.timeZone || viewerZone;
  return (
    <div className="stack">
      <section aria-labelledby="plan-h">
        <h1 id="plan-h">{p.title}</h1>
        <p className="muted">
          Started {formatDate(p.startedAt, zone)}
          {p.currentPhase ? ` · now in ${/^[a-z0-9_]+$/.test(p.currentPhase) ? humanize(p.currentPhase) : p.currentPhase}` : ""}
          {p.goLiveAt ? ` · live since ${formatDate(p.goLiveAt, zone)}` : ""}
        </p>
        <div className="card">
          <Progress done={p.progress.done} total={p.progress.total} label={`${p.progress.done} of ${p.progress.total} steps done`} />
        </div>
      </section>
      <OpenSurveys projectId={p.id} />
      <section className="card owe" aria-labelledby="owe-h">
        <h2 id="owe-h">What we need from you</h2>
        {p.owed.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            Nothing right now: we will let you know when something needs you.
          </p>
        ) : (
          <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
            {p.owed.map((o) => (
              <li key={o.step}>
                <a href={`#step-${o.step}`}>{o.title}</a>{" "}
                <span className="small" style={o.overdue ? { color: "var(--red)", fontWeight: 600 } : { color: "var(--muted)" }}>
                  {o.dueAt ? `by ${formatDateTime(o.dueAt, zone)} · ${dueLabel(o.dueAt)}` : "no deadline"}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="steps-h">
        <h2 id="steps-h">Your plan</h2>
        {p.phases.map((phase) => (
          <div key={phase.id} style={{ marginBottom: "1rem" }}>
            <h3 className="phase-chip">{phase.title}</h3>
            <ol className="portal-steps">
              {phase.steps.map((step) => (
                <PortalStepItem key={step.id} step={step} zone={zone} act={act} />
              ))}
            </ol>
          </div>
        ))}
      </section>
      <Files projectId={p.id} />
      <Comments projectId={p.id} />
    </div>
  );
}

/** Why a form value cannot be sent, checked in the browser by its declared type (the server checks again). */
function localProblem(f: NonNullable<Step["form"]>["fields"][number], value: unknown) {
  const empty = value === undefined || value === null || (typeof value === "string" && value.trim() === "");
  if (empty) return f.required ? `${f.label} is required` : undefined;
  if (typeof value === "number" && Number.isNaN(value)) return `${f.label} must be a number`;
  const problem = fieldValueProblem(f.spec, value);
  return problem ? `${f.label} ${problem}` : undefined;
}

function StepOutcome({ outcome }: { outcome: Outcome | undefined }) {
  return (
    <div aria-live="polite">
      {outcome ? (
        <div className={`notice ${outcome.tone}`} role={outcome.tone === "error" ? "alert" : "status"} style={{ marginTop: "0.6rem" }}>
          {outcome.text}
        </div>
      ) : null}
    </div>
  );
}

/**
 * One step, or (with `item`) one item of a repeated step: the same parts, with its own checklist,
 * form and sign-off, and commands that name the item.
 */
function PortalStepItem({ step, zone, act, item }: { step: Step; zone: string; act: Act; item?: string }) {
  const forItem = item === undefined ? {} : { item };
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState<string>();
  const [conditions, setConditions] = useState("");
  const [conditionsError, setConditionsError] = useState<string>();
  const [values, setValues] = useState<Record<string, unknown>>(() =>
    Object.fromEntries((step.form?.fields ?? []).map((f) => [f.id, f.value ?? ""])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Each part of the step shows what its own control did, right under it.
  const [outcomes, setOutcomes] = useState<{ checklist?: Outcome; form?: Outcome; gate?: Outcome; complete?: Outcome }>({});
  const [ticking, setTicking] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [busy, setBusy] = useState<string>();
  const done = step.status === "done" || step.status === "skipped";
  const run = async (part: keyof typeof outcomes, command: Command, text: string): Promise<Outcome> => {
    setBusy(part);
    setOutcomes((o) => ({ ...o, [part]: undefined }));
    const outcome = await act(command, text);
    setBusy(undefined);
    setOutcomes((o) => ({ ...o, [part]: outcome }));
    return outcome;
  };
  const decide = async (type: "approve" | "reject" | "approve_with_conditions", role: string) => {
    if (type === "reject" && !comment.trim()) {
      setCommentError("Tell us what to change: a rejection needs a comment.");
      return;
    }
    if (type === "approve_with_conditions" && !conditions.trim()) {
      setConditionsError("Write the conditions you approve under.");
      return;
    }
    setCommentError(undefined);
    setConditionsError(undefined);
    const outcome = await run(
      "gate",
      type === "reject"
        ? { type, step: step.id, role, comment: comment.trim(), ...forItem }
        : {
            type: "approve",
            step: step.id,
            role,
            ...(comment.trim() ? { comment: comment.trim() } : {}),
            ...(type === "approve_with_conditions" ? { conditions: conditions.trim() } : {}),
            ...forItem,
          },
      type === "approve"
        ? `Thank you: “${step.title}” is approved.`
        : type === "reject"
          ? "Sent back to the team with your comment."
          : `Thank you: “${step.title}” is approved with your conditions.`,
    );
    if (outcome.fields?.comment) setCommentError(outcome.fields.comment);
    else if (outcome.fields?.conditions) setConditionsError(outcome.fields.conditions);
    else if (outcome.tone === "success") {
      setComment("");
      setConditions("");
    }
  };
  const submitForm = async (event: FormEvent) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const focusFirstError = () => requestAnimationFrame(() => formElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    const local: Record<string, string> = {};
    for (const f of step.form?.fields ?? []) {
      const problem = localProblem(f, values[f.id]);
      if (problem) local[f.id] = problem;
    }
    setErrors(local);
    if (Object.keys(local).length) {
      setOutcomes((o) => ({ ...o, form: { tone: "error", text: "Some answers need a fix: see the fields marked above." } }));
      focusFirstError();
      return;
    }
    // Empty optional answers are not sent: "not answered" rather than an empty value.
    const sent = Object.fromEntries(Object.entries(values).filter(([, v]) => !(v === "" || v === undefined || v === null)));
    const outcome = await run(
      "form",
      { type: "submit_form", step: step.id, values: sent, ...forItem },
      "Thank you: your answers are saved.",
    );
    setErrors(outcome.fields ?? {});
    if (outcome.fields && Object.keys(outcome.fields).length) focusFirstError();
  };
  // The box shows the contact's click at once; the plan reloaded after the command confirms it.
  const tick = (key: string, checked: boolean, text: string) => {
    setTicking((p) => new Map(p).set(key, checked));
    void run(
      "checklist",
      { type: "tick_checklist", step: step.id, item: key, checked, ...(item === undefined ? {} : { for: item }) },
      checked ? `Ticked: “${text}”.` : `Unticked: “${text}”.`,
    ).finally(() =>
      setTicking((p) => {
        const next = new Map(p);
        next.delete(key);
        return next;
      }),
    );
  };
  return (
    <li id={item === undefined ? `step-${step.id}` : `step-${step.id}-item-${item}`}>
      <div className="spread">
        <div>
          <strong>{step.title}</strong>
          <div className="small muted">
            {step.owner.side === "client" ? "You" : step.owner.title}
            {step.dueAt && !done ? ` · due ${formatDateTime(step.dueAt, zone)}` : ""}
            {step.completedAt ? ` · done ${formatDate(step.completedAt, zone)}` : ""}
          </div>
        </div>
        <span className={`badge ${done ? "green" : step.overdue ? "red" : step.actionNeeded ? "amber" : ""}`}>
          {done
            ? "Done"
            : step.overdue
              ? "Overdue"
              : step.actionNeeded
                ? "Needs you"
                : step.status === "open" || step.status === "in_progress"
                  ? "In progress"
                  : "Coming up"}
        </span>
      </div>
      {step.description ? <Prose className="small step-description" text={step.description} /> : null}
      {step.checklist.length > 0 ? (
        <>
          <ul className="checklist portal-checklist">
            {step.checklist.map((item) => {
              const id = `${step.id}${forItem.item === undefined ? "" : `-i-${forItem.item}`}-c-${item.key}`;
              return (
                <li key={item.key} className={item.canTick ? "can-tick" : "read-only"}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={ticking.get(item.key) ?? item.checked}
                    disabled={!item.canTick || busy === "checklist"}
                    aria-describedby={item.readOnlyReason ? `${id}-why` : undefined}
                    onChange={(e) => tick(item.key, e.target.checked, prosePlainText(item.text))}
                  />
                  <span>
                    <label htmlFor={id} style={{ fontWeight: 400 }}>
                      <ProseLine text={item.text} />
                    </label>
                    {item.readOnlyReason ? (
                      <span id={`${id}-why`} className="small muted read-only-why">
                        {item.checked ? "Done. " : ""}
                        {item.readOnlyReason}
                      </span>
                    ) : null}
                  </span>
                </li>
              );
            })}
          </ul>
          <StepOutcome outcome={outcomes.checklist} />
        </>
      ) : null}
      {step.form ? (
        <form
          onSubmit={submitForm}
          noValidate
          className="card"
          style={{ boxShadow: "none", marginTop: "0.75rem" }}
          aria-label={step.form.title}
        >
          <h4>{step.form.title}</h4>
          {step.form.fields.map((f) => (
            <FormInput
              key={f.id}
              field={{
                id: f.id,
                label: f.label,
                type: f.type,
                required: f.required,
                ...(f.options ? { options: f.options } : {}),
                ...(f.help ? { help: f.help } : {}),
                ...(f.requiredWhen ? { requiredWhen: f.requiredWhen } : {}),
                spec: f.spec,
              }}
              value={values[f.id]}
              error={errors[f.id]}
              disabled={!step.form?.canSubmit}
              onChange={(v) => {
                setValues({ ...values, [f.id]: v });
                if (errors[f.id]) setErrors(({ [f.id]: _, ...rest }) => rest);
              }}
            />
          ))}
          {step.form.canSubmit ? (
            <button type="submit" className="primary" disabled={busy === "form"}>
              {busy === "form" ? "Sending…" : "Send answers"}
            </button>
          ) : (
            <p className="small muted">
              {step.owner.side !== "client"
                ? "Your onboarding team fills this in."
                : done
                  ? "These answers were sent."
                  : "You can fill this in when the step opens."}
            </p>
          )}
          <StepOutcome outcome={outcomes.form} />
        </form>
      ) : null}
      {step.gate ? (
        <div className="notice" style={{ marginTop: "0.75rem" }}>
          <strong>Sign-off: {step.gate.signOff}</strong>
          <ul style={{ margin: "0.4rem 0", paddingLeft: "1.1rem" }}>
            {step.gate.approvers.map((a) => (
              <li key={a.role}>
                {a.title}:{" "}
                {a.decision ? (
                  <>
                    <span className={`badge ${a.decision === "approved" ? (a.conditions ? "amber" : "green") : "red"}`}>
                      {a.decision === "approved" ? (a.conditions ? "Approved with conditions" : "Approved") : "Rejected"}
                      {a.at ? ` ${formatDate(a.at, zone)}` : ""}
                    </span>
                    {a.conditions ? <span className="small"> Conditions: {a.conditions}</span> : null}
                  </>
                ) : (
                  <span className="muted">waiting</span>
                )}
              </li>
            ))}
          </ul>
          {step.gate.canSignAs.length > 0 ? (
            <>
              <Field label="Comment" hint="Optional when you approve; tell us what to change when you reject." error={commentError}>
                {(props) => <textarea {...props} value={comment} onChange={(e) => setComment(e.target.value)} />}
              </Field>
              <Field label="Conditions" hint="Only to approve with conditions: what must be true or done." error={conditionsError}>
                {(props) => <textarea {...props} value={conditions} onChange={(e) => setConditions(e.target.value)} />}
              </Field>
              <div className="row">
                {step.gate.canSignAs.map((role) => (
                  <span className="row" key={role}>
                    <button type="button" className="primary" disabled={busy === "gate"} onClick={() => void decide("approve", role)}>
                      Approve
                    </button>
                    <button type="button" disabled={busy === "gate"} onClick={() => void decide("approve_with_conditions", role)}>
                      Approve with conditions
                    </button>
                    <button type="button" className="danger" disabled={busy === "gate"} onClick={() => void decide("reject", role)}>
                      Request changes
                    </button>
                  </span>
                ))}
              </div>
            </>
          ) : null}
          <StepOutcome outcome={outcomes.gate} />
        </div>
      ) : null}
      {step.canComplete ? (
        <button
          type="button"
          className="primary"
          style={{ marginTop: "0.75rem" }}
          disabled={busy === "complete"}
          onClick={() => void run("complete", { type: "complete_step", step: step.id, ...forItem }, `Thank you: “${step.title}” is done.`)}
        >
          Mark as done
        </button>
      ) : null}
      <StepOutcome outcome={outcomes.complete} />
      {step.items ? (
        <ul className="portal-items">
          {step.items.map((i) => (
            <PortalStepItem
              key={i.id}
              zone={zone}
              act={act}
              item={i.id}
              step={{
                ...step,
                title: i.label,
                description: null,
                status: i.doneAt ? "done" : step.status,
                completedAt: i.doneAt,
                checklist: i.checklist,
                form: i.form,
                gate: i.gate,
                items: null,
                canComplete: i.canComplete,
                actionNeeded: i.actionNeeded,
              }}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Comments({ projectId }: { projectId: string }) {
  const comments = useResource(
    async (signal) => (await portal.get("/portal/api/projects/{id}/comments", { path: { id: projectId }, signal })).data,
    [projectId],
  );
  const [body, setBody] = useState("");
  const [error, setError] = useState<string>();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return setError("Write a message first.");
    setError(undefined);
    try {
      await portal.post("/portal/api/projects/{id}/comments", { path: { id: projectId }, body: { body: body.trim() } });
      setBody("");
      await comments.reload();
    } catch (e) {
      setError(e instanceof ApiError ? (e.fieldErrors().body ?? describeError(e)) : describeError(e));
    }
  };
  const items = comments.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="comments-h">
      <h2 id="comments-h">Messages</h2>
      {items.length === 0 ? <p className="muted">No messages yet.</p> : null}
      {items.map((c) => (
        <div key={c.id} className="comment">
          <div className="small">
            <strong>{c.author}</strong> <span className="muted">· {formatDateTime(c.createdAt)}</span>
          </div>
          <div style={{ whiteSpace: "pre-wrap" }}>{c.body}</div>
        </div>
      ))}
      <form onSubmit={send} noValidate style={{ marginTop: "0.75rem" }}>
        <Field label="Write to the team" error={error}>
          {(p) => <textarea {...p} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <button type="submit" className="primary">
          Send
        </button>
      </form>
    </section>
  );
}
