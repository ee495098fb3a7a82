// Admin → Controls: four-eyes publishing (a second person approves each uploaded playbook version)
// and the period report of access and change control an auditor samples (SOC 2 CC6.1, CC8.1),
// downloaded as a signed ZIP package.
import { useState } from "react";
import { api, describeError } from "../../api/client.ts";
import { ErrorNotice, Loading } from "../../components/ui.tsx";
import { formatDate } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";

export function FourEyesSettings() {
  const setting = useResource(async (signal) => (await api.get("/settings/four-eyes", { signal })).data, []);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (setting.error) return <ErrorNotice error={setting.error} onRetry={() => void setting.reload()} />;
  if (!setting.data) return <Loading label="Loading the four-eyes setting" />;
  const { required, changedAt, changedBy } = setting.data;
  const toggle = async (next: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.put("/settings/four-eyes", { body: { required: next } });
      await setting.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="four-eyes-h">
      <h2 id="four-eyes-h">Four-eyes publishing</h2>
      <label className="row">
        <input type="checkbox" checked={required} disabled={busy} onChange={(e) => void toggle(e.target.checked)} />
        Publishing a playbook version needs a second person's approval
      </label>
      <p className="muted small">
        When on, an uploaded version waits on the Playbooks page until an admin or CS operations member other than its uploader approves it;
        until then no project starts on it. Built-in playbooks, published when the server starts, are exempt.
        {changedAt ? ` Last changed ${formatDate(changedAt)} by ${changedBy}.` : ""}
      </p>
      {error ? (
        <div className="notice error" role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
}

function today(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function ControlsReport() {
  const [from, setFrom] = useState(today(-90));
  const [to, setTo] = useState(today());
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const href = `/reports/controls?${new URLSearchParams({ from, to }).toString()}`;
  return (
    <section className="card" aria-labelledby="controls-report-h">
      <h2 id="controls-report-h">Controls report</h2>
      <p className="muted small">
        For auditors (SOC 2 CC6.1 and CC8.1): who held which access role when, every access change, and every playbook version published
        with its changes, author, approver and the projects it affected. A ZIP signed with the audit key: JSON, CSV and a readable summary.
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor="controls-from">From</label>
          <input id="controls-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="controls-to">To</label>
          <input id="controls-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      {valid ? (
        <a className="button primary" href={href} download={`controls-report-${from}-to-${to}.zip`}>
          Download
        </a>
      ) : (
        <p className="muted small" role="status">
          Choose a first day on or before the last.
        </p>
      )}
    </section>
  );
}
