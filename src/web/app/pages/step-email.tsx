// An email step sent from Onboard: the draft rendered for the project (recipients, subject, text
// from the step's template), the subject and text editable, then sent; the server completes the
// step as it sends. One Idempotency-Key per opened draft, so sending again after a failure (a
// network error, a mail server that was down) never sends the mail twice.
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { Dialog, DialogActions, Field, Loading } from "../../components/ui.tsx";
import { humanize } from "../../lib/format.ts";
import { Link } from "../../lib/router.tsx";

/** Why the draft cannot be rendered, in words, with what fixes it. */
type Blocker =
  | { kind: "placeholder"; name: string; detail: string }
  | { kind: "contact"; detail: string }
  | { kind: "other"; text: string; detail: string };

function blockerOf(error: unknown): Blocker {
  if (error instanceof ApiError) {
    const detail = `${error.problem.title} (${error.status}): ${error.problem.detail}`;
    const placeholder = (error.problem.errors ?? [])
      .map((e) => (e as { placeholder?: unknown }).placeholder)
      .find((p) => typeof p === "string");
    if (typeof placeholder === "string") return { kind: "placeholder", name: placeholder, detail };
    if (/has no contact/.test(error.problem.detail)) return { kind: "contact", detail };
    return { kind: "other", text: "The email could not be prepared. Try again; if it keeps failing, open Details.", detail };
  }
  return { kind: "other", text: "The server could not be reached. Try again.", detail: describeError(error) };
}

type Draft = Schemas["StepEmailDraft"];

export function StepEmailDialog({
  open,
  projectId,
  clientId,
  clientName,
  canSetValues,
  step,
  version,
  onClose,
  onSent,
  onStale,
  explainError = describeError,
}: {
  /** The send's refusal in words a person reads (default: the server's own text). */
  explainError?: (error: unknown) => string;
  open: boolean;
  projectId: string;
  /** The client's page, where a missing contact is added. */
  clientId?: string;
  clientName?: string;
  /** An admin may fill a missing placeholder for the organisation right here. */
  canSetValues?: boolean;
  step: { id: string; title: string };
  /** The project version on screen: the mail is sent only if nobody changed the project since. */
  version: number;
  onClose: () => void;
  onSent: (message: string) => Promise<void>;
  onStale: () => Promise<void>;
}) {
  const [draft, setDraft] = useState<Draft>();
  const [loadError, setLoadError] = useState<Blocker>();
  const [fill, setFill] = useState("");
  const [fillError, setFillError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [sendError, setSendError] = useState<string>();
  const [sending, setSending] = useState(false);
  const [key, setKey] = useState("");

  useEffect(() => {
    // `attempt` renders the draft again after a missing value was saved.
    if (!open || attempt < 0) return;
    const controller = new AbortController();
    setDraft(undefined);
    setLoadError(undefined);
    setSendError(undefined);
    setErrors({});
    setKey(crypto.randomUUID());
    api
      .get("/projects/{id}/steps/{step}/email", { path: { id: projectId, step: step.id }, signal: controller.signal })
      .then(({ data }) => {
        setDraft(data);
        setSubject(data.subject);
        setText(data.text);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setLoadError(blockerOf(error));
      });
    return () => controller.abort();
  }, [open, projectId, step.id, attempt]);

  /** Save the missing value for the organisation, then render the draft again. */
  const saveValue = async (event: FormEvent) => {
    event.preventDefault();
    if (loadError?.kind !== "placeholder") return;
    if (!fill.trim()) return setFillError("Enter the value the email should show.");
    setFillError(undefined);
    try {
      await api.put("/settings/parameters", { body: { values: { [loadError.name]: fill.trim() } } });
      setFill("");
      setAttempt((n) => n + 1);
    } catch (error) {
      setFillError(error instanceof ApiError ? (Object.values(error.fieldErrors())[0] ?? describeError(error)) : describeError(error));
    }
  };

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    const problems: Record<string, string> = {};
    if (!subject.trim()) problems.subject = "The subject is empty.";
    if (!text.trim()) problems.text = "The text is empty.";
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setSending(true);
    setSendError(undefined);
    try {
      // Only what was edited is sent: an unedited text keeps the template's HTML part.
      const body = {
        ...(subject.trim() !== draft.subject ? { subject: subject.trim() } : {}),
        ...(text !== draft.text ? { text } : {}),
      };
      await api.post("/projects/{id}/steps/{step}/email", {
        path: { id: projectId, step: step.id },
        body,
        headers: { "if-match": `"${version}"`, "idempotency-key": key },
      });
      onClose();
      // The mail was queued with the step's completion; the outbox sends it a moment later.
      await onSent(`On its way to ${draft.to.map((r) => r.name).join(", ")}. Done: ${step.title}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        onClose();
        await onStale();
        return;
      }
      if (error instanceof ApiError) setErrors(error.fieldErrors());
      setSendError(explainError(error));
    } finally {
      setSending(false);
    }
  };

  return (
    <Dialog open={open} title={`Email: ${step.title}`} onClose={onClose}>
      {loadError ? (
        <>
          <div className="notice error" role="alert">
            {loadError.kind === "placeholder" ? (
              <>This email shows “{humanize(loadError.name)}”, which has no value yet.</>
            ) : loadError.kind === "contact" ? (
              <>
                {clientName ?? "The client"} has no contact to send this email to.{" "}
                {clientId ? <Link to={`/app/clients/${encodeURIComponent(clientId)}`}>Add a contact</Link> : null}
              </>
            ) : (
              loadError.text
            )}
            <details className="small" style={{ marginTop: "0.35rem" }}>
              <summary>Details</summary>
              <span className="muted" style={{ overflowWrap: "anywhere" }}>
                {loadError.detail}
              </span>
            </details>
          </div>
          {loadError.kind === "placeholder" && canSetValues ? (
            <form onSubmit={saveValue} noValidate aria-label="Missing value">
              <Field
                label={humanize(loadError.name)}
                hint="Saved for your organisation: every project's emails use it unless the project has its own."
                error={fillError}
                required
              >
                {(p) => <input {...p} value={fill} onChange={(e) => setFill(e.target.value)} />}
              </Field>
              <DialogActions onCancel={onClose} submit="Save and preview again" />
            </form>
          ) : (
            <>
              {loadError.kind === "placeholder" ? (
                <p className="small">An administrator sets it under Admin → Portal branding (“Values in emails”).</p>
              ) : null}
              <div className="dialog-actions">
                <button type="button" onClick={onClose}>
                  Close
                </button>
              </div>
            </>
          )}
        </>
      ) : !draft ? (
        <Loading lines={4} label="Rendering the email" />
      ) : (
        <form onSubmit={send} noValidate aria-label="Email draft">
          <dl className="raci">
            <dt>To</dt>
            <dd data-testid="step-email-to">{draft.to.map((r) => `${r.name} <${r.address}>`).join(", ")}</dd>
            <dt>Template</dt>
            <dd>{draft.template}</dd>
          </dl>
          <Field label="Subject" error={errors.subject} required>
            {(p) => <input {...p} type="text" value={subject} onChange={(e) => setSubject(e.target.value)} />}
          </Field>
          <Field
            label="Text"
            hint="Sent as written; an edited text replaces the template's formatting with plain paragraphs."
            error={errors.text}
            required
          >
            {(p) => <textarea {...p} rows={14} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
          <DialogActions onCancel={onClose} submit={sending ? "Sending…" : "Send and mark done"} busy={sending} error={sendError} />
        </form>
      )}
    </Dialog>
  );
}
