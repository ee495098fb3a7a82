// Data subjects' requests (GDPR), for those who handle data protection: the open requests with
// their deadlines (one month, Art. 12(3); overdue ones stand out), logging a new one for a client
// or one of its contacts, an erasure previewed (what would go, counted per place) before it is
// carried out, and an access request answered with the subject's export.
import { type FormEvent, useState } from "react";
import { all, api, describeError, type Schemas } from "../../api/client.ts";
import { Dialog, DialogActions, Empty, ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { formatDate } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";

type DataRequest = Schemas["DataRequest"];
type Plan = Schemas["ErasurePlan"];

function subjectLabel(r: DataRequest): string {
  const what = r.subject.kind === "client" ? "Client" : "Contact";
  return `${what}: ${r.subject.name ?? r.subject.id}`;
}

/** Where the subject's export is (built by the export endpoints). */
function exportHref(r: DataRequest, format: "json" | "csv"): string {
  if (r.subject.kind === "client") return `/clients/${encodeURIComponent(r.subject.id)}/export?format=${format}`;
  return `/contacts/${encodeURIComponent(r.subject.id)}/export?format=${format}`;
}

type Shown = "open" | "completed" | "refused" | "all";

const STATUS_WORDS: Record<DataRequest["status"], string> = { open: "Open", completed: "Answered", refused: "Refused" };

/** Today as the date input shows it (the browser's own day). */
function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

export function DataRequests({ canWrite }: { canWrite: boolean }) {
  const [shown, setShown] = useState<Shown>("open");
  const requests = useResource(
    async (signal) => (await api.get("/data-requests", { query: shown === "all" ? {} : { status: shown }, signal })).data,
    [shown],
  );
  const [logging, setLogging] = useState(false);
  const [erasing, setErasing] = useState<DataRequest | null>(null);
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();

  const complete = async (r: DataRequest) => {
    setError(undefined);
    try {
      await api.post("/data-requests/{id}/complete", { path: { id: r.id }, body: { outcome: "completed" } });
      setMessage(`The access request of ${r.subject.name ?? r.subject.id} is marked completed.`);
      await requests.reload();
    } catch (e) {
      setError(e);
    }
  };

  const items = requests.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="data-requests-h">
      <div className="card-header">
        <h2 id="data-requests-h">Data requests</h2>
        {canWrite ? (
          <button type="button" className="primary" onClick={() => setLogging(true)}>
            Log a request
          </button>
        ) : null}
      </div>
      <p className="muted small">
        Requests from clients and their contacts to see (access) or erase their personal data. Each must be answered within one month of
        receipt (GDPR Art. 12(3)); overdue ones are marked. Answered and refused requests stay on record.
      </p>
      <label className="row" style={{ gap: "0.5rem", alignItems: "center" }}>
        Show
        <select value={shown} onChange={(e) => setShown(e.target.value as Shown)}>
          <option value="open">Open requests</option>
          <option value="completed">Answered</option>
          <option value="refused">Refused</option>
          <option value="all">All requests</option>
        </select>
      </label>
      {message ? (
        <div className="notice success" role="status">
          {message}
        </div>
      ) : null}
      <ErrorNotice error={requests.error ?? error} onRetry={() => void requests.reload()} />
      {requests.loading && !requests.data ? (
        <Loading />
      ) : items.length === 0 ? (
        shown === "open" ? (
          <Empty title="No open requests">Requests you log appear here with their due dates until they are answered.</Empty>
        ) : (
          <Empty title="None">No {shown === "all" ? "" : `${STATUS_WORDS[shown].toLowerCase()} `}requests yet.</Empty>
        )
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Subject</th>
                <th scope="col">Received</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-request={r.id}>
                  <td>{r.kind === "erasure" ? "Erasure" : "Access"}</td>
                  <td>{subjectLabel(r)}</td>
                  <td>{formatDate(r.receivedAt)}</td>
                  <td>
                    {formatDate(r.dueAt)} {r.overdue ? <span className="badge red">Overdue</span> : null}
                    {r.extendedMonths > 0 ? <span className="small muted"> (extended {r.extendedMonths} mo.)</span> : null}
                  </td>
                  <td>
                    {STATUS_WORDS[r.status]}
                    {r.completedAt ? <span className="small muted"> {formatDate(r.completedAt)}</span> : null}
                  </td>
                  <td>
                    {canWrite && r.status === "open" && r.kind === "erasure" ? (
                      <button type="button" className="small" onClick={() => setErasing(r)}>
                        Preview erasure
                      </button>
                    ) : null}
                    {r.status === "open" && r.kind === "access" ? (
                      <span className="row" style={{ gap: "0.5rem", flexWrap: "wrap" }}>
                        <a href={exportHref(r, "json")} download>
                          Export JSON
                        </a>
                        <a href={exportHref(r, "csv")} download>
                          Export CSV
                        </a>
                        {canWrite ? (
                          <button type="button" className="small" onClick={() => void complete(r)}>
                            Mark completed
                          </button>
                        ) : null}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {logging ? (
        <LogRequest
          onClose={() => setLogging(false)}
          onLogged={async () => {
            setLogging(false);
            setMessage("The request is logged.");
            await requests.reload();
          }}
        />
      ) : null}
      <Erasure
        request={erasing}
        onClose={() => setErasing(null)}
        onErased={async (r) => {
          setErasing(null);
          setMessage(`The personal data of ${r.subject.kind === "client" ? "the client" : "the contact"} is erased.`);
          await requests.reload();
        }}
      />
    </section>
  );
}

function LogRequest({ onClose, onLogged }: { onClose: () => void; onLogged: () => Promise<void> }) {
  const clients = useResource(
    (signal) => all((cursor) => api.get("/clients", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  // No default: an erasure cannot be undone, so the kind is always chosen.
  const [kind, setKind] = useState<"" | "access" | "erasure">("");
  const [received, setReceived] = useState(today());
  const [clientId, setClientId] = useState("");
  const [contactId, setContactId] = useState("");
  const [channel, setChannel] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const contacts = useResource(
    async (signal) => (clientId ? (await api.get("/clients/{id}/contacts", { path: { id: clientId }, signal })).data : undefined),
    [clientId],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!kind) {
      setError("Choose what is asked: access or erasure.");
      return;
    }
    if (!clientId) {
      setError("Choose the client.");
      return;
    }
    if (!received || received > today()) {
      setError("Say when the request was received: today or earlier.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.post("/data-requests", {
        body: {
          kind,
          subject: contactId ? { kind: "contact", id: contactId } : { kind: "client", id: clientId },
          // Received today: now; earlier: the start of that day here, so the month counts from receipt.
          ...(received === today() ? {} : { receivedAt: new Date(`${received}T00:00:00`).toISOString() }),
          ...(channel.trim() ? { channel: channel.trim() } : {}),
        },
      });
      await onLogged();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const contactList = (contacts.data as { items?: { id: string; name: string; email: string }[] } | undefined)?.items ?? [];
  return (
    <Dialog open title="Log a data request" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Request" required>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as "" | "access" | "erasure")}>
              <option value="">Choose…</option>
              <option value="access">Access: a copy of their data (Art. 15)</option>
              <option value="erasure">Erasure (Art. 17)</option>
            </select>
          )}
        </Field>
        <Field label="Client" required>
          {(p) => (
            <select
              {...p}
              value={clientId}
              onChange={(e) => {
                setClientId(e.target.value);
                setContactId("");
              }}
            >
              <option value="">Choose a client…</option>
              {(clients.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Whose data" hint="The whole client (all its contacts and projects), or one of its contacts.">
          {(p) => (
            <select {...p} value={contactId} onChange={(e) => setContactId(e.target.value)} disabled={!clientId}>
              <option value="">The whole client</option>
              {contactList.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.email})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Received on" required hint="The one-month deadline counts from this day.">
          {(p) => <input {...p} type="date" value={received} max={today()} onChange={(e) => setReceived(e.target.value)} />}
        </Field>
        <Field label="Received by" hint="Email, letter, phone, the portal …">
          {(p) => <input {...p} value={channel} onChange={(e) => setChannel(e.target.value)} maxLength={200} />}
        </Field>
        <DialogActions onCancel={onClose} submit={busy ? "Logging…" : "Log the request"} busy={busy} error={error} />
      </form>
    </Dialog>
  );
}

function Erasure({
  request,
  onClose,
  onErased,
}: {
  request: DataRequest | null;
  onClose: () => void;
  onErased: (r: DataRequest) => Promise<void>;
}) {
  const preview = useResource(
    async () =>
      request
        ? (await api.post("/data-requests/{id}/erasure", { path: { id: request.id }, body: { dry_run: true } })).data.plan
        : undefined,
    [request?.id],
  );
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const plan: Plan | undefined = preview.data;

  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (!request) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post("/data-requests/{id}/erasure", { path: { id: request.id }, body: {} });
      setConfirming(false);
      await onErased(request);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={request !== null}
      title={request ? `Erase: ${subjectLabel(request)}` : "Erase"}
      onClose={() => {
        setConfirming(false);
        onClose();
      }}
    >
      <ErrorNotice error={preview.error} onRetry={() => void preview.reload()} />
      {!plan ? (
        preview.error ? null : (
          <Loading lines={3} label="Listing what would be erased" />
        )
      ) : (
        <form onSubmit={(e) => void erase(e)}>
          <p className="small">
            What the erasure would replace with “[redacted]”, in {plan.projects.length} project{plan.projects.length === 1 ? "" : "s"}. The
            audit trail records each erasure; steps, dates and the team's work stay.
          </p>
          {plan.places.length === 0 ? (
            <p>Nothing left to erase.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="What would be erased">
                <thead>
                  <tr>
                    <th scope="col">Where</th>
                    <th scope="col">Records</th>
                    <th scope="col">Fields</th>
                  </tr>
                </thead>
                <tbody>
                  {plan.places.map((p) => (
                    <tr key={p.place}>
                      <td>{p.place}</td>
                      <td>{p.records}</td>
                      <td>{p.fields}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <label className="row" style={{ gap: "0.5rem", margin: "0.75rem 0" }}>
            <input type="checkbox" checked={confirming} onChange={(e) => setConfirming(e.target.checked)} />
            <span>I understand this cannot be undone.</span>
          </label>
          {error ? (
            <div className="notice error" role="alert">
              {error}
            </div>
          ) : null}
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={!confirming || busy}>
              {busy ? "Erasing…" : "Erase"}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
