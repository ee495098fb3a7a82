// Four-eyes publishing on the Playbooks page: the uploaded versions awaiting a second person's
// approval, each with what changed against the published version it would follow, and Approve /
// Reject for those who may decide (admins and CS operations, never the version's uploader).
import { type FormEvent, useState } from "react";
import { api, describeError, type Schemas } from "../../api/client.ts";
import { ErrorNotice } from "../../components/ui.tsx";
import { formatDate } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";
import { DiffView } from "./playbooks.tsx";

type Submission = Schemas["PlaybookSubmission"];

export function PendingVersions({ refreshKey, onDecided }: { refreshKey: number; onDecided: () => void }) {
  const pending = useResource(async (signal) => (await api.get("/playbooks/pending", { signal })).data.items, [refreshKey]);
  if (pending.error) return <ErrorNotice error={pending.error} onRetry={() => void pending.reload()} />;
  const items = pending.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="pending-h" style={{ marginBottom: "1rem" }}>
      <h2 id="pending-h">Awaiting approval</h2>
      <p className="muted small">
        Publishing a version needs a second person's approval (four-eyes): until then no project can start on it and CRM intake does not
        pick it. Built-in playbooks are exempt.
      </p>
      <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {items.map((s) => (
          <PendingVersion
            key={s.submissionId}
            submission={s}
            onDecided={() => {
              void pending.reload();
              onDecided();
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function PendingVersion({ submission: s, onDecided }: { submission: Submission; onDecided: () => void }) {
  const session = useSession();
  const [showDiff, setShowDiff] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const diff = useResource(
    async (signal) =>
      showDiff && s.previousVersion
        ? (await api.get("/playbooks/{id}/diff", { path: { id: s.id }, query: { from: s.previousVersion, to: s.version }, signal })).data
        : null,
    [showDiff, s.id, s.previousVersion, s.version],
  );
  const own = s.submittedBy === session.user.id;
  const mayDecide = session.can("playbooks:write") && !own;
  const decide = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (rejecting) {
        await api.post("/playbooks/pending/{submissionId}/reject", { path: { submissionId: s.submissionId }, body: { reason } });
      } else {
        await api.post("/playbooks/pending/{submissionId}/approve", { path: { submissionId: s.submissionId }, body: {} });
      }
      onDecided();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const label = `${s.title} ${s.version}`;
  return (
    <li aria-label={`Pending: ${label}`}>
      <div className="spread">
        <div>
          <strong>{s.title}</strong> <span className="mono">{s.version}</span>{" "}
          <span className="muted small">
            ({s.id}) uploaded by {s.submittedBy} on {formatDate(s.submittedAt)}
          </span>
        </div>
        <div className="row">
          {s.previousVersion ? (
            <button type="button" className="small" aria-expanded={showDiff} onClick={() => setShowDiff(!showDiff)}>
              {showDiff ? "Hide changes" : `Changes since ${s.previousVersion}`}
            </button>
          ) : (
            <span className="muted small">A new playbook</span>
          )}
          {mayDecide && !rejecting ? (
            <>
              <button type="button" className="primary small" disabled={busy} onClick={() => void decide()}>
                Approve and publish
              </button>
              <button type="button" className="small" disabled={busy} onClick={() => setRejecting(true)}>
                Reject
              </button>
            </>
          ) : null}
          {own ? <span className="badge">Your upload: another person approves it</span> : null}
        </div>
      </div>
      {rejecting ? (
        <form onSubmit={decide} aria-label={`Reject ${label}`} className="row" style={{ marginTop: "0.5rem" }}>
          <div className="field" style={{ flex: 1, margin: 0 }}>
            <label htmlFor={`reject-${s.submissionId}`}>Reason for rejecting</label>
            <input id={`reject-${s.submissionId}`} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="danger small" disabled={busy || !reason.trim()}>
            Reject the version
          </button>
          <button type="button" className="small" onClick={() => setRejecting(false)}>
            Cancel
          </button>
        </form>
      ) : null}
      {error ? (
        <div className="notice error" role="alert" style={{ marginTop: "0.5rem" }}>
          {error}
        </div>
      ) : null}
      {showDiff ? (
        <div style={{ marginTop: "0.5rem" }}>
          <ErrorNotice error={diff.error} />
          {diff.data ? <DiffView diff={diff.data} /> : null}
        </div>
      ) : null}
    </li>
  );
}
