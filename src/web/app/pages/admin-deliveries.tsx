// Admin, deliveries received from the CRMs: each with its outcome and why, filtered by outcome and
// connection; what did not start a project (rejected, failed, ignored) can be replayed once its
// cause is fixed, and the replay's outcome shows on the row.
import { useState } from "react";
import { describeError } from "../../api/client.ts";
import {
  type ConnectionView,
  type DeliveryOutcome,
  type InboundDelivery,
  listConnections,
  listDeliveries,
  type ReplayResult,
  replayDelivery,
} from "../../api/crm.ts";
import { Empty, ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { formatDateTime, humanize } from "../../lib/format.ts";
import { Link } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";

const OUTCOMES: readonly DeliveryOutcome[] = ["accepted", "duplicate", "ignored", "rejected", "failed"];

const tone = (outcome: string) =>
  outcome === "accepted" ? "green" : outcome === "failed" || outcome === "rejected" ? "red" : outcome === "ignored" ? "amber" : "";

export function InboundDeliveries({ canWrite }: { canWrite: boolean }) {
  const [outcome, setOutcome] = useState<DeliveryOutcome | "">("");
  const [connection, setConnection] = useState("");
  // The connections come with each load, so a connection made since the page opened names its rows after a refresh.
  const deliveries = useResource(
    async (signal) => {
      const [items, connections] = await Promise.all([
        listDeliveries({ outcome: outcome || undefined, connection, limit: 50 }, signal),
        // A server (or a role) without connections still lists deliveries.
        listConnections(signal).catch((): ConnectionView[] => []),
      ]);
      return { items, connections };
    },
    [outcome, connection],
  );
  const connections = deliveries.data?.connections ?? [];
  const nameOf = (id: string) => connections.find((c) => c.id === id)?.settings.name ?? id;
  const items = deliveries.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="inbound-h">
      <h2 id="inbound-h">Received from the CRMs</h2>
      <div className="filters">
        <Field label="Outcome">
          {(p) => (
            <select {...p} value={outcome} onChange={(e) => setOutcome(e.target.value as DeliveryOutcome | "")}>
              <option value="">All outcomes</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {humanize(o)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Connection">
          {(p) => (
            <select {...p} value={connection} onChange={(e) => setConnection(e.target.value)}>
              <option value="">All connections</option>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.settings.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="small" onClick={() => void deliveries.reload()}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={deliveries.error} onRetry={() => void deliveries.reload()} />
      {deliveries.loading && !deliveries.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty title={outcome || connection ? "No deliveries match" : "No deliveries received yet"}>
          Won deals from HubSpot, Salesforce, Pipedrive or the generic webhook appear here with their outcome.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">Deal</th>
                <th scope="col">Outcome</th>
                {canWrite ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <DeliveryRow
                  key={d.id}
                  delivery={d}
                  from={d.connectionId ? nameOf(d.connectionId) : d.source ? humanize(d.source) : d.endpoint}
                  canWrite={canWrite}
                  onReplayed={() => void deliveries.reload()}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DeliveryRow({
  delivery: d,
  from,
  canWrite,
  onReplayed,
}: {
  delivery: InboundDelivery;
  from: string;
  canWrite: boolean;
  onReplayed: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReplayResult>();
  const [error, setError] = useState<unknown>();
  const replay = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await replayDelivery(d.id));
      onReplayed();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td className="nowrap">{formatDateTime(d.receivedAt)}</td>
      <td>
        {from}
        {d.connectionId ? <div className="small muted mono">{d.connectionId}</div> : null}
        {d.endpoint === "reconcile" ? <div className="small muted">found by reconciliation</div> : null}
      </td>
      <td className="mono small">{d.dealId ?? "—"}</td>
      <td>
        <span className={`badge ${tone(d.outcome)}`}>{humanize(d.outcome)}</span>
        {d.resolved ? <span className="badge green">Resolved since</span> : null}
        {d.reason ? <div className="small muted">{d.reason}</div> : null}
        {d.projectId ? (
          <div className="small">
            <Link to={`/app/projects/${encodeURIComponent(d.projectId)}`}>
              {d.resolved ? "Its deal's project, started since: " : "Project "}
              {d.projectId}
            </Link>
          </div>
        ) : null}
        {d.replayOf ? <div className="small muted">Replay of delivery {d.replayOf}</div> : null}
      </td>
      {canWrite ? (
        <td>
          {d.replayable && !result ? (
            <button type="button" className="small" disabled={busy} onClick={() => void replay()}>
              {busy ? "Replaying…" : "Replay"}
              <span className="visually-hidden"> the delivery of deal {d.dealId ?? d.id}</span>
            </button>
          ) : null}
          <div aria-live="polite" className="small">
            {result ? (
              <div className="replay-result">
                Replayed: <span className={`badge ${tone(result.outcome)}`}>{humanize(result.outcome)}</span>
                {result.reason ? <div className="muted">{result.reason}</div> : null}
                {result.projectId ? (
                  <div>
                    <Link to={`/app/projects/${encodeURIComponent(result.projectId)}`}>Open project {result.projectId}</Link>
                  </div>
                ) : null}
              </div>
            ) : null}
            {error ? <span className="error">Replay refused: {describeError(error)}</span> : null}
          </div>
        </td>
      ) : null}
    </tr>
  );
}
