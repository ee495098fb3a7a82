// The project page's dialogs: a reason for what goes into the audit trail (hold, resume, skip,
// reopen, cancel), the health, a deadline extension, and a confirmation before anything that
// cannot be taken back (go-live, completing the project).
import { type FormEvent, type ReactNode, useState } from "react";
import type { Schemas } from "../../../api/client.ts";
import { Dialog, DialogActions, Field } from "../../../components/ui.tsx";
import type { Command } from "../../../lib/commands.ts";
import { formatDate } from "../../../lib/format.ts";

type Step = Schemas["TimelineStep"];

/** Ask "are you sure?" before an action that cannot be undone; says what will happen. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirm,
  danger,
  onClose,
  onConfirm,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirm: string;
  danger?: boolean;
  onClose: () => void;
  onConfirm: () => Promise<unknown>;
}) {
  const [busy, setBusy] = useState(false);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      onClose();
    }
  };
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form onSubmit={send} noValidate>
        <div style={{ marginBottom: "1rem" }}>{children}</div>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={danger ? "danger" : "primary"} disabled={busy}>
            {confirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ReasonDialog({
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

export function HealthDialog({
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

export function ExtendDialog({
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
