// The small pieces every page uses: badges, notices, empty and loading states, fields that show
// their server-side error, and a modal dialog built on <dialog> (focus trap and Escape for free).
import { type ReactNode, useEffect, useId, useRef } from "react";
import { ApiError, describeError } from "../api/client.ts";
import { humanize } from "../lib/format.ts";

/** A red/amber/green badge with its dot and words (colour is never the only signal). */
export function RagBadge({ tone, label }: { tone: string; label: string }) {
  return (
    <span className={`badge ${tone}`}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function HealthBadge({ health }: { health: string }) {
  const tone = health === "red" ? "red" : health === "amber" ? "amber" : health === "green" ? "green" : "";
  const label = health === "red" ? "At risk" : health === "amber" ? "Watch" : health === "green" ? "On track" : humanize(health);
  return <RagBadge tone={tone} label={label} />;
}

/**
 * Health as the portfolio judges it, with its reasons: the same words on every page that shows it.
 * `inline` for a line of text (a page header's subtitle), else a list under the badge.
 */
export function HealthSummary({ health, reasons, inline }: { health: string; reasons: readonly string[]; inline?: boolean }) {
  if (inline)
    return (
      <span className="health-summary">
        <HealthBadge health={health} />
        {reasons.length > 0 ? <span className="health-reasons-inline"> {reasons.join("; ")}</span> : null}
      </span>
    );
  return (
    <>
      <HealthBadge health={health} />
      {reasons.length > 0 ? (
        <ul className="reasons">
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

/** The outcome of the last action on a page, in a live region so screen readers hear it. */
export function ActionMessage({ message }: { message: { tone: "error" | "success"; text: string } | undefined }) {
  return (
    <div aria-live="polite">
      {message ? (
        <div className={`notice ${message.tone}`} style={{ marginBottom: "1rem" }}>
          {message.text}
        </div>
      ) : null}
    </div>
  );
}

const STATUS_TONE: Record<string, string> = {
  done: "green",
  completed: "green",
  approved: "green",
  active: "blue",
  open: "blue",
  in_progress: "blue",
  on_hold: "amber",
  waiting: "",
  pending: "",
  skipped: "",
  cancelled: "",
  closed: "green",
  rejected: "red",
};

export function StatusBadge({ status, overdue }: { status: string; overdue?: boolean }) {
  if (overdue) return <span className="badge red">Overdue</span>;
  return <span className={`badge ${STATUS_TONE[status] ?? ""}`}>{humanize(status)}</span>;
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <div className="notice error" role="alert">
      <strong>{status === 403 ? "Not allowed. " : status === 404 ? "Not found. " : "Something went wrong. "}</strong>
      {describeError(error)}
      {onRetry ? (
        <>
          {" "}
          <button type="button" className="link" onClick={onRetry}>
            Try again
          </button>
        </>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

export function Loading({ lines = 4, label = "Loading" }: { lines?: number; label?: string }) {
  return (
    <div className="stack" aria-busy="true">
      <span className="visually-hidden" role="status">
        {label}…
      </span>
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder lines, all alike and never reordered
        <div key={i} className="skeleton" style={{ width: `${90 - ((i * 17) % 40)}%`, height: "1.1rem" }} />
      ))}
    </div>
  );
}

/** A labelled field; `error` (from the server's problem+json) is shown at the field and announced. */
export function Field({
  label,
  hint,
  error,
  required,
  children,
}: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean | undefined;
  children: (props: { id: string; "aria-invalid"?: true; "aria-describedby"?: string; required?: boolean }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? (
          <span className="required" aria-hidden="true">
            {" "}
            *
          </span>
        ) : null}
      </label>
      {children({
        id,
        ...(error ? { "aria-invalid": true as const } : {}),
        ...(described ? { "aria-describedby": described } : {}),
        ...(required ? { required: true } : {}),
      })}
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      {open ? (
        <div className="dialog-body">
          <h2 id={titleId}>{title}</h2>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

/** A dialog form's footer: the form's error (if any), then Cancel and the submit button. */
export function DialogActions({
  onCancel,
  submit,
  busy,
  error,
}: {
  onCancel: () => void;
  submit: ReactNode;
  busy?: boolean;
  error?: string | undefined;
}) {
  return (
    <>
      {error ? (
        <div className="notice error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {submit}
        </button>
      </div>
    </>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
  crumb,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
  crumb?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        {crumb ? <div className="breadcrumb">{crumb}</div> : null}
        <h1>{title}</h1>
        {subtitle ? <p>{subtitle}</p> : null}
      </div>
      {actions ? <div className="row">{actions}</div> : null}
    </header>
  );
}
