// Admin, CRM connections: each CRM account whose won deals start onboardings, with the address to
// give that CRM, which secrets are set, the last reconciliation and a button to run one now. Those
// made in the app are added, edited and deleted here; those the server's variables make are shown only.
import { useEffect, useRef, useState } from "react";
import { all, api, describeError, type Schemas } from "../../api/client.ts";
import { type ConnectionView, deleteConnection, listConnections, type ReconcileResult, reconcileConnection } from "../../api/crm.ts";
import { Dialog, Empty, ErrorNotice, Loading } from "../../components/ui.tsx";
import { KIND_NAME, SECRETS_OF } from "../../lib/crm-form.ts";
import { formatDateTime } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";
import { ConnectionForm } from "./admin-crm-form.tsx";

export function CrmConnections({ canWrite }: { canWrite: boolean }) {
  const connections = useResource((signal) => listConnections(signal), []);
  const playbooks = useResource(
    (signal) => all((cursor) => api.get("/playbooks", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  // The owner → person picker; without the right to read people, owner ids are typed instead.
  const people = useResource(
    (signal) =>
      all((cursor) => api.get("/people", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })).catch(
        (): Schemas["Person"][] => [],
      ),
    [],
  );
  const [editing, setEditing] = useState<ConnectionView | "new" | null>(null);
  const [saved, setSaved] = useState<ConnectionView>();
  const [deleting, setDeleting] = useState<ConnectionView | null>(null);
  const items = connections.data ?? [];
  // After a save the form is gone: the notice with the webhook address takes the focus (and the view).
  const savedNotice = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (saved) savedNotice.current?.focus();
  }, [saved]);
  return (
    <section className="card" aria-labelledby="crm-h">
      <div className="card-header">
        <h2 id="crm-h">CRM connections</h2>
        {canWrite && editing === null ? (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            Add connection
          </button>
        ) : null}
      </div>
      <p className="muted">
        Each connection is one CRM account: a deal won there starts an onboarding here, with the playbook, client, facts and CSM this
        connection maps. Give the CRM its webhook address and the secrets it asks for.
      </p>
      <ErrorNotice error={connections.error} onRetry={() => void connections.reload()} />
      {saved ? (
        <div ref={savedNotice} tabIndex={-1} className="notice success" role="status" style={{ marginBottom: "1rem" }}>
          Saved <strong>{saved.settings.name}</strong>. Give {KIND_NAME[saved.kind]} this webhook address:{" "}
          <code style={{ wordBreak: "break-all" }}>{saved.webhookUrl}</code>
        </div>
      ) : null}
      {connections.loading && !connections.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty title="No CRM connections yet">Add one to start onboardings from won deals in HubSpot, Pipedrive or Salesforce.</Empty>
      ) : (
        <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {items.map((c) => (
            <ConnectionItem
              key={c.id}
              connection={c}
              canWrite={canWrite}
              onEdit={() => {
                setSaved(undefined);
                setEditing(c);
              }}
              onDelete={() => setDeleting(c)}
              onReconciled={() => void connections.reload()}
            />
          ))}
        </ul>
      )}
      {canWrite && editing !== null ? (
        <ConnectionForm
          key={editing === "new" ? "new" : `${editing.id}@${editing.version}`}
          editing={editing === "new" ? undefined : editing}
          playbooks={playbooks.data ?? []}
          people={people.data ?? []}
          onCancel={() => setEditing(null)}
          onSaved={(view) => {
            setEditing(null);
            setSaved(view);
            void connections.reload();
          }}
        />
      ) : null}
      <DeleteDialog
        connection={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => {
          setDeleting(null);
          setSaved(undefined);
          void connections.reload();
        }}
      />
    </section>
  );
}

function ConnectionItem({
  connection: c,
  canWrite,
  onEdit,
  onDelete,
  onReconciled,
}: {
  connection: ConnectionView;
  canWrite: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onReconciled: () => void;
}) {
  const headingId = `crm-${c.id}-h`;
  const editable = canWrite && c.managedBy === "database";
  return (
    <li className="field-group" aria-labelledby={headingId} style={{ padding: "0.75rem 1rem" }}>
      <div className="spread">
        <div>
          <h3 id={headingId} style={{ margin: 0 }}>
            {c.settings.name}
          </h3>
          <div className="small muted">
            {KIND_NAME[c.kind]} · id <code>{c.id}</code>
            {c.settings.tenant ? <> · account {c.settings.tenant}</> : null}
          </div>
        </div>
        <div className="row" style={{ gap: "0.4rem", alignItems: "flex-start" }}>
          {c.settings.enabled ? <span className="badge green">Enabled</span> : <span className="badge red">Turned off</span>}
          {c.managedBy === "environment" ? <span className="badge">Set by the server's environment (read-only)</span> : null}
        </div>
      </div>
      <dl className="facts small" style={{ margin: "0.6rem 0 0" }}>
        <div style={{ gridColumn: "1 / -1" }}>
          <dt>Webhook address</dt>
          <dd>
            <WebhookAddress url={c.webhookUrl} name={c.settings.name} />
          </dd>
        </div>
        <div style={{ gridColumn: "1 / -1" }}>
          <dt>Runs</dt>
          <dd>
            {c.settings.playbooks
              .map((p) => (p.when ? `${p.playbook} when ${p.when.field} is ${p.when.equals.join(" or ")}` : p.playbook))
              .join("; otherwise ")}
            <div className="muted">
              Won when{" "}
              {c.settings.won
                ? c.settings.won
                    .map((r) =>
                      r.kind === "message"
                        ? "every message (the CRM's rule decides)"
                        : r.kind === "stages"
                          ? `the stage is ${r.stages.join(" or ")}`
                          : `${r.field} is ${r.equals.join(" or ")}`,
                    )
                    .join(", or ")
                : `the ${KIND_NAME[c.kind]} default`}
              {Object.keys(c.settings.facts).length > 0
                ? ` · facts from ${Object.entries(c.settings.facts)
                    .map(([f, field]) => `${field} → ${f}`)
                    .join(", ")}`
                : ""}
              {Object.keys(c.settings.owners.people).length > 0
                ? ` · ${Object.keys(c.settings.owners.people).length} deal owners mapped to people`
                : ""}
            </div>
          </dd>
        </div>
        <div>
          <dt>Secrets</dt>
          <dd style={{ display: "flex", flexWrap: "wrap", gap: "0.3rem" }}>
            {SECRETS_OF[c.kind].map((s) => (
              <span key={s.name} className={`badge ${c.secretsSet[s.name] ? "green" : ""}`}>
                {s.label}: {c.secretsSet[s.name] ? "set" : "not set"}
              </span>
            ))}
          </dd>
        </div>
        <div>
          <dt>Reconciliation</dt>
          <dd>
            {c.settings.reconcile.enabled
              ? `every ${c.settings.reconcile.everyMinutes} minutes, looking back ${c.settings.reconcile.lookbackHours} hours`
              : "not scheduled"}
            {c.reconciledAt ? <>; last run {formatDateTime(c.reconciledAt)}</> : "; never run"}
            {c.reconcileError ? (
              <div className="error" role="note">
                Last reconciliation failed: {c.reconcileError}
              </div>
            ) : null}
          </dd>
        </div>
        {c.refused ? (
          <div style={{ gridColumn: "1 / -1" }}>
            <dt>Refused deliveries</dt>
            <dd className="error" role="note">
              {c.refused.count} refused at the door, the last {formatDateTime(c.refused.at)}: {c.refused.reason}. Check the credentials set
              in {KIND_NAME[c.kind]} against this connection's.
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="row" style={{ gap: "0.4rem", marginTop: "0.6rem", flexWrap: "wrap" }}>
        {canWrite ? <ReconcileButton connection={c} onDone={onReconciled} /> : null}
        {editable ? (
          <>
            <button type="button" className="small" onClick={onEdit} aria-label={`Edit ${c.settings.name}`}>
              Edit
            </button>
            <button type="button" className="small danger" onClick={onDelete} aria-label={`Delete ${c.settings.name}`}>
              Delete
            </button>
          </>
        ) : null}
      </div>
    </li>
  );
}

function WebhookAddress({ url, name }: { url: string; name: string }) {
  const [copied, setCopied] = useState<"yes" | "failed">();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <span className="row" style={{ gap: "0.4rem", flexWrap: "wrap" }}>
      <code className="webhook-url" style={{ wordBreak: "break-all", userSelect: "all" }}>
        {url}
      </code>
      <button type="button" className="small" onClick={() => void copy()} aria-label={`Copy the webhook address of ${name}`}>
        Copy
      </button>
      <span aria-live="polite" className="small muted">
        {copied === "yes" ? "Copied" : copied === "failed" ? "The browser refused: select the address and copy it" : ""}
      </span>
    </span>
  );
}

function ReconcileButton({ connection, onDone }: { connection: ConnectionView; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReconcileResult>();
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await reconcileConnection(connection.id));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="small" disabled={busy} onClick={() => void run()}>
        {busy ? "Reconciling…" : "Reconcile now"}
        <span className="visually-hidden"> {connection.settings.name}</span>
      </button>
      <span role="status" className="small" style={{ flexBasis: "100%" }}>
        {result ? (
          <span className={`notice ${result.error ? "error" : "success"}`} style={{ display: "block" }}>
            {result.error ? `Reconciliation failed: ${result.error}. ` : ""}
            {result.error && result.checked === 0
              ? null
              : `Checked ${result.checked} won ${result.checked === 1 ? "deal" : "deals"}: ${result.started} started, ${result.duplicates} already started, ${result.ignored} ignored, ${result.rejected} rejected.`}
            {result.through ? ` Read up to ${formatDateTime(result.through)}.` : ""}
          </span>
        ) : null}
        {error ? <span className="error">Reconciliation failed: {describeError(error)}</span> : null}
      </span>
    </>
  );
}

function DeleteDialog({
  connection,
  onClose,
  onDeleted,
}: {
  connection: ConnectionView | null;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    if (!connection) return;
    setBusy(true);
    setError(undefined);
    try {
      await deleteConnection(connection.id);
      onDeleted();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={connection !== null} title={`Delete ${connection?.settings.name ?? ""}?`} onClose={onClose}>
      <p>
        Its webhook address stops answering: deliveries the CRM still sends there are refused. Projects it started and the deliveries
        received stay.
      </p>
      {error ? (
        <div className="notice error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          Delete connection
        </button>
      </div>
    </Dialog>
  );
}
