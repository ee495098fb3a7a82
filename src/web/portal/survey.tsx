// The survey page a survey email links to: /portal/survey#token=... The token (in the fragment, out
// of logs and Referers) is the credential: no portal session is needed. GET /surveys/:token shows
// the playbook's questions, POST answers them once; an expired, used or altered link says so.
import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import { ApiError, client, describeError, type Schemas } from "../api/client.ts";
import { Loading } from "../components/ui.tsx";
import { formatDate } from "../lib/format.ts";
import { useTitle } from "../lib/router.tsx";
import { useResource } from "../lib/use-resource.ts";
import { applyBranding } from "./branding.ts";

const publicApi = client({ csrfCookie: "onboard_portal_csrf", notifySignedOut: false });
type Form = Schemas["SurveyForm"];
type Question = Form["questions"][number];
type Answer = string | number | boolean;

const SCORE_TYPES = new Set(["nps", "csat", "rating"]);
const CSAT_LABELS = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"];

function tokenOf(hash: string): string | undefined {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? undefined;
}

/** A sentence from a problem's detail: "this survey link has expired" → "This survey link has expired." */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export function SurveyPage() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  const token = tokenOf(hash);
  const branding = useResource(async (signal) => (await publicApi.get("/settings/branding", { signal })).data, []);
  useEffect(() => applyBranding(branding.data), [branding.data]);
  const survey = useResource(
    async (signal) => (token ? (await publicApi.get("/surveys/{token}", { path: { token }, signal })).data : undefined),
    [token],
  );
  const [sent, setSent] = useState(false);
  const vendor = branding.data?.vendorName ?? "Your onboarding";
  useTitle(sent ? "Thank you" : (survey.data?.title ?? "Survey"), vendor);

  let body: ReactNode;
  if (!token) {
    body = (
      <Problem title="This survey link is incomplete">
        Open the link from your email again: the address should end with <code>#token=…</code>.
      </Problem>
    );
  } else if (survey.error) {
    const status = survey.error instanceof ApiError ? survey.error.status : 0;
    body = (
      <Problem
        title={status === 409 ? "This survey link has expired" : status === 404 ? "This survey link is not valid" : "Something went wrong"}
      >
        {sentence(describeError(survey.error))}{" "}
        {status === 404 || status === 409 ? "Ask your team for a new link if you still want to answer." : null}
      </Problem>
    );
  } else if (!survey.data) {
    body = <Loading label="Loading the survey" />;
  } else if (sent) {
    body = (
      <div className="notice success" role="status">
        <h1 style={{ fontSize: "1.3rem", marginTop: 0 }}>Thank you!</h1>
        Your answers are with the {vendor} team. You can close this page, or go <a href="/portal/">back to your onboarding</a>.
      </div>
    );
  } else if (survey.data.answered) {
    body = (
      <div className="notice info" role="status">
        <h1 style={{ fontSize: "1.3rem", marginTop: 0 }}>Already answered</h1>
        This survey link was already used: it takes one answer. Thank you for your feedback.
      </div>
    );
  } else {
    body = <SurveyForm token={token} form={survey.data} onSent={() => setSent(true)} />;
  }

  return (
    <>
      <header className="portal-header">
        <div className="inner">
          <span className="vendor">
            {branding.data?.logoUrl ? <img src={branding.data.logoUrl} alt="" /> : null}
            <span>{branding.data?.vendorName ?? ""}</span>
          </span>
        </div>
      </header>
      <main id="main" className="portal-main survey" tabIndex={-1}>
        <div className="card">{body}</div>
        {branding.data?.supportEmail ? (
          <p className="muted small">
            Questions? Write to <a href={`mailto:${branding.data.supportEmail}`}>{branding.data.supportEmail}</a>.
          </p>
        ) : null}
      </main>
    </>
  );
}

function Problem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div role="alert">
      <h1 style={{ fontSize: "1.3rem" }}>{title}</h1>
      <p style={{ marginBottom: 0 }}>{children}</p>
    </div>
  );
}

function SurveyForm({ token, form, onSent }: { token: string; form: Form; onSent: () => void }) {
  const [values, setValues] = useState<Record<string, Answer | undefined>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const scoreQuestion = form.questions.find((q) => SCORE_TYPES.has(q.type));
  const set = (id: string, value: Answer | undefined) => {
    setValues((v) => ({ ...v, [id]: value }));
    setErrors(({ [id]: _answered, ...rest }) => rest);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    for (const q of form.questions) {
      const value = values[q.id];
      if (q.required && (value === undefined || value === "")) missing[q.id] = "Please answer this question.";
    }
    setErrors(missing);
    setError(undefined);
    if (Object.keys(missing).length) {
      setError("Some questions need an answer.");
      return;
    }
    const answers: Record<string, Answer> = {};
    let comment: string | undefined;
    for (const q of form.questions) {
      const value = values[q.id];
      if (q === scoreQuestion || value === undefined || value === "") continue;
      answers[q.id] = typeof value === "string" ? value.trim() : value;
      if (q.type === "text" && comment === undefined && typeof value === "string" && value.trim()) comment = value.trim();
    }
    const score = scoreQuestion ? Number(values[scoreQuestion.id]) : 0;
    setBusy(true);
    try {
      await publicApi.post("/surveys/{token}", {
        path: { token },
        body: { score, ...(comment ? { comment } : {}), ...(Object.keys(answers).length ? { answers } : {}) },
      });
      onSent();
    } catch (e) {
      if (e instanceof ApiError) {
        const fields = e.fieldErrors();
        const byQuestion: Record<string, string> = {};
        for (const [key, text] of Object.entries(fields)) {
          const id = key.replace(/^answers\./, "");
          if (key === "score" && scoreQuestion) byQuestion[scoreQuestion.id] = text;
          else if (form.questions.some((q) => q.id === id)) byQuestion[id] = text;
        }
        setErrors(byQuestion);
      }
      setError(sentence(describeError(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="survey-h">
      <h1 id="survey-h" style={{ fontSize: "1.4rem" }}>
        {form.title}
      </h1>
      <p className="muted">
        For {form.contactName} at {form.clientName}. This link works once, until {formatDate(form.expiresAt)}.
      </p>
      {form.questions.map((q) => (
        <QuestionInput key={q.id} question={q} kind={form.kind} value={values[q.id]} error={errors[q.id]} onChange={(v) => set(q.id, v)} />
      ))}
      {error ? (
        <div className="notice error" role="alert" style={{ marginBottom: "1rem" }}>
          {error}
        </div>
      ) : null}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Sending…" : "Send my answers"}
      </button>
    </form>
  );
}

function scale(question: Question, kind: string): { values: number[]; low: string; high: string; labels?: string[] } {
  if (question.type === "nps" || (kind === "nps" && question.type === "rating"))
    return { values: Array.from({ length: 11 }, (_, i) => i), low: "Not at all likely", high: "Extremely likely" };
  if (question.type === "csat") return { values: [1, 2, 3, 4, 5], low: "Very dissatisfied", high: "Very satisfied", labels: CSAT_LABELS };
  return { values: [1, 2, 3, 4, 5], low: "Poor", high: "Excellent" };
}

function QuestionInput({
  question,
  kind,
  value,
  error,
  onChange,
}: {
  question: Question;
  kind: string;
  value: Answer | undefined;
  error: string | undefined;
  onChange: (value: Answer | undefined) => void;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const legend = (
    <legend>
      {question.text}
      {question.required ? (
        <span className="required" aria-hidden="true">
          {" "}
          *
        </span>
      ) : (
        <span className="muted small"> (optional)</span>
      )}
    </legend>
  );
  const errorText = error ? (
    <span id={errorId} className="error" role="alert">
      {error}
    </span>
  ) : null;
  const invalid = error ? { "aria-invalid": true as const } : {};

  if (question.type === "text")
    return (
      <div className="field">
        <label htmlFor={id}>
          {question.text}
          {question.required ? null : <span className="muted small"> (optional)</span>}
        </label>
        <textarea
          id={id}
          value={typeof value === "string" ? value : ""}
          maxLength={5000}
          onChange={(e) => onChange(e.target.value)}
          {...invalid}
          {...(error ? { "aria-describedby": errorId } : {})}
        />
        {errorText}
      </div>
    );

  if (SCORE_TYPES.has(question.type)) {
    const s = scale(question, kind);
    const ends = `${id}-ends`;
    return (
      <fieldset className="field survey-scale" aria-describedby={[ends, error ? errorId : ""].filter(Boolean).join(" ")}>
        {legend}
        <div className="survey-options">
          {s.values.map((n, i) => (
            <label key={n} className="survey-option" title={s.labels?.[i]}>
              <input
                type="radio"
                name={id}
                value={n}
                checked={value === n}
                onChange={() => onChange(n)}
                {...(s.labels?.[i] ? { "aria-label": `${n}: ${s.labels[i]}` } : {})}
              />
              <span>{n}</span>
            </label>
          ))}
        </div>
        <div id={ends} className="survey-ends small muted">
          <span>
            {s.values[0]}: {s.low}
          </span>
          <span>
            {s.values.at(-1)}: {s.high}
          </span>
        </div>
        {errorText}
      </fieldset>
    );
  }

  const options: { label: string; value: Answer }[] =
    question.type === "bool"
      ? [
          { label: "Yes", value: true },
          { label: "No", value: false },
        ]
      : (question.options ?? []).map((o) => ({ label: o, value: o }));
  return (
    <fieldset className="field" {...(error ? { "aria-describedby": errorId } : {})}>
      {legend}
      <div className={question.type === "bool" ? "row" : "stack"} style={{ gap: "0.4rem" }}>
        {options.map((o) => (
          <label key={String(o.value)} className="survey-choice">
            <input type="radio" name={id} checked={value === o.value} onChange={() => onChange(o.value)} /> {o.label}
          </label>
        ))}
      </div>
      {errorText}
    </fieldset>
  );
}
