// Bulk actions on the portfolio: with rows ticked, a bar offers "Reassign role…", "Put on hold…" and
// "Set health…"; each opens a dialog with what the change needs, calls POST /portfolio/bulk (one
// audited command per project) and shows, next to the bar, what changed per project in words.
import { type FormEvent, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { Dialog, DialogActions, Field } from "../../components/ui.tsx";
import { humanize, plural } from "../../lib/format.ts";
import type { PortfolioRow } from "../../lib/portfolio.ts";
import { useResource } from "../../lib/use-resource.ts";

type Action = "reassign" | "hold" | "set_health";
type Outcome = Schemas["BulkOutcome"];

const TITLES: Record<Action, string> = { reassign: "Reassign a role", hold: "Put on hold", set_health: "Set the health" };
const FIELD_LABELS: Record<string, string> = { person: "Person", role: "Role", reason: "Reason", health: "Health", projects: "Projects" };

export function BulkBar({
  selected,
  rows,
  onDone,
  onClear,
}: {
  selected: readonly string[];
  rows: readonly PortfolioRow[];
  onDone: () => void;
  onClear: () => void;
}) {
  const [action, setAction] = useState<Action | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  return (
    <section className="bulk" aria-label="Bulk actions">
      {selected.length > 0 ? (
        <div className="bulk-bar">
          <strong>{plural(selected.length, "onboarding")} selected</strong>
          <button type="button" onClick={() => setAction("reassign")}>
            Reassign role…
          </button>
          <button type="button" onClick={() => setAction("hold")}>
            Put on hold…
          </button>
          <button type="button" onClick={() => setAction("set_health")}>
            Set health…
          </button>
          <button type="button" className="link" onClick={onClear}>
            Clear selection
          </button>
        </div>
      ) : null}
      <div aria-live="polite">{outcome ? <BulkSummary outcome={outcome} onDismiss={() => setOutcome(null)} /> : null}</div>
      {action ? (
        <BulkDialog
          action={action}
          projects={selected}
          rows={rows}
          onClose={() => setAction(null)}
          onDone={(result) => {
            setAction(null);
            setOutcome(result);
            onClear();
            onDone();
          }}
        />
      ) : null}
    </section>
  );
}

function BulkSummary({ outcome, onDismiss }: { outcome: Outcome; onDismiss: () => void }) {
  const tone = outcome.failed === 0 ? "success" : outcome.changed === 0 ? "error" : "info";
  return (
    <div className={`notice ${tone} bulk-summary`}>
      <p>
        <strong>
          {plural(outcome.changed, "onboarding")} changed
          {outcome.failed > 0 ? `, ${outcome.failed} refused` : ""}.
        </strong>
      </p>
      <ul>
        {outcome.results.map((r) => (
          <li key={r.projectId}>
            {r.clientName ?? "An onboarding"}: {r.summary}
          </li>
        ))}
      </ul>
      <button type="button" className="link" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

function BulkDialog({
  action,
  projects,
  rows,
  onClose,
  onDone,
}: {
  action: Action;
  projects: readonly string[];
  rows: readonly PortfolioRow[];
  onClose: () => void;
  onDone: (outcome: Outcome) => void;
}) {
  const [person, setPerson] = useState("");
  const [role, setRole] = useState("");
  const [reason, setReason] = useState("");
  const [health, setHealth] = useState<"green" | "amber" | "red">("amber");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const people = useResource(
    async (signal) => (action === "reassign" ? (await api.get("/people", { query: { limit: 200 }, signal })).data.items : []),
    [action],
  );
  const active = (people.data ?? []).filter((p) => p.active);
  const roles = [...new Set(active.flatMap((p) => p.roles))].sort();
  const candidates = active.filter((p) => !role || p.roles.includes(role) || p.roles.length === 0);
  const names = projects.map((id) => rows.find((r) => r.projectId === id)?.clientName ?? "an onboarding");

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFormError(undefined);
    const local: Record<string, string> = {};
    if (action === "reassign" && !person) local.person = "Choose who takes the role";
    if (action !== "reassign" && !reason.trim()) local.reason = "Say why: it goes into each project's audit trail";
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return;
    }
    setBusy(true);
    try {
      const body =
        action === "reassign"
          ? { action, projects: [...projects], person, ...(role ? { role } : {}) }
          : action === "hold"
            ? { action, projects: [...projects], reason }
            : { action, projects: [...projects], health, reason };
      const { data } = await api.post("/portfolio/bulk", { body });
      onDone(data);
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        const known = Object.fromEntries(Object.entries(fields).filter(([k]) => k in FIELD_LABELS && k !== "projects"));
        setErrors(known);
        const rest = Object.entries(fields).filter(([k]) => !(k in known));
        setFormError(
          rest.length > 0
            ? rest.map(([k, v]) => `${FIELD_LABELS[k] ?? humanize(k)}: ${v}`).join("; ")
            : Object.keys(known).length > 0
              ? undefined
              : describeError(error),
        );
      } else setFormError(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={`${TITLES[action]}: ${plural(projects.length, "onboarding")}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted small">{names.join(", ")}</p>
        {action === "reassign" ? (
          <>
            <Field label="Role" hint="Each playbook's CSM role unless you choose another.">
              {(props) => (
                <select {...props} value={role} onChange={(e) => setRole(e.target.value)}>
                  <option value="">CSM (each playbook's)</option>
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {humanize(r)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Person" required error={errors.person} hint="With each person's current load.">
              {(props) => (
                <select {...props} value={person} onChange={(e) => setPerson(e.target.value)} disabled={people.loading && !people.data}>
                  <option value="">{people.loading && !people.data ? "Loading the team…" : "Choose a person"}</option>
                  {candidates.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({plural(p.activeProjects, "active project")}
                      {p.capacity !== null ? ` of ${p.capacity}` : ""})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </>
        ) : null}
        {action === "set_health" ? (
          <Field label="Health" required>
            {(props) => (
              <select {...props} value={health} onChange={(e) => setHealth(e.target.value as "green" | "amber" | "red")}>
                <option value="green">On track</option>
                <option value="amber">Watch</option>
                <option value="red">At risk</option>
              </select>
            )}
          </Field>
        ) : null}
        {action !== "reassign" ? (
          <Field label="Reason" required error={errors.reason} hint="Goes into each project's audit trail.">
            {(props) => <textarea {...props} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        ) : null}
        <DialogActions
          onCancel={onClose}
          busy={busy}
          error={formError}
          submit={action === "reassign" ? "Reassign" : action === "hold" ? "Put on hold" : "Set health"}
        />
      </form>
    </Dialog>
  );
}
