// KPIs: how the onboardings that started in a period went, measured from the event log (GET /kpis):
// headline figures, each playbook's own KPI targets in red/amber/green, and the charts people would
// rather look at than read. Filters (playbook, start period) live in the URL.
import { type FormEvent, lazy, Suspense, useState } from "react";
import { ApiError, all, api, describeError, type Schemas } from "../../api/client.ts";
import { dayStart, OnboardingFilters } from "../../components/onboarding-filters.tsx";
import { ErrorNotice, Field, Loading, PageHeader, RagBadge } from "../../components/ui.tsx";
import { useDownloads } from "../../lib/download.ts";
import { formatDate } from "../../lib/format.ts";
import { useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";

const ChartView = lazy(() => import("../../components/chart.tsx").then((m) => ({ default: m.ChartView })));

type Report = Schemas["KpiReport"];

const STATUS_LABEL: Record<string, string> = { green: "Met", amber: "Close", red: "Missed" };

const days = (n: number | null) => (n === null ? "–" : `${n} d`);
const percent = (n: number | null) => (n === null ? "–" : `${n}%`);

export function KpisPage() {
  useTitle("KPIs", "Onboard");
  const session = useSession();
  const { search } = useLocation();
  const playbook = search.get("playbook") ?? "";
  const from = search.get("from") ?? "";
  const to = search.get("to") ?? "";
  const report = useResource(
    async (signal) =>
      (
        await api.get("/kpis", {
          query: {
            ...(playbook ? { playbook } : {}),
            ...(dayStart(from) ? { from: dayStart(from) } : {}),
            ...(dayStart(to) ? { to: dayStart(to) } : {}),
          },
          signal,
        })
      ).data,
    [playbook, from, to],
  );
  const playbooks = useResource(
    (signal) => all((cursor) => api.get("/playbooks", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  const data = report.data;
  return (
    <>
      <PageHeader
        title="KPIs"
        subtitle={
          data
            ? `${data.projects.total} onboarding${data.projects.total === 1 ? "" : "s"} started in the period · measured ${formatDate(data.asOf)}`
            : "Measured from the audit trail"
        }
      />
      <OnboardingFilters
        idPrefix="k"
        playbooks={playbooks.data ?? []}
        playbook={playbook}
        from={from}
        to={to}
        anyPlaybook="All playbooks"
      />
      <ErrorNotice error={report.error} onRetry={() => void report.reload()} />
      {!data ? (
        report.loading ? (
          <Loading label="Loading KPIs" />
        ) : null
      ) : (
        <Figures
          report={data}
          playbookTitles={new Map((playbooks.data ?? []).map((p) => [p.id, p.title]))}
          onRecorded={() => void report.reload()}
        />
      )}
      {session.can("audit:read") ? <ProcessLogDownloads playbook={playbook} from={dayStart(from)} to={dayStart(to)} /> : null}
    </>
  );
}

const LOG_FORMATS = [
  ["xes", "XES", "IEEE 1849: ProM, PM4Py, Disco, Celonis, Apromore"],
  ["ocel", "OCEL 2.0", "object-centric: onboardings, clients, steps and people"],
] as const;

/**
 * The event log of the onboardings the filters select, for a process-mining tool. Fetched, not
 * linked, so a refusal shows as a notice rather than a saved file.
 */
function ProcessLogDownloads({ playbook, from, to }: { playbook: string; from: string | undefined; to: string | undefined }) {
  const { busy, error, note, download: fetchFile } = useDownloads<(typeof LOG_FORMATS)[number][0]>();
  const download = (format: (typeof LOG_FORMATS)[number][0]) => {
    const query = new URLSearchParams({ format, ...(playbook ? { playbook } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
    return fetchFile(format, `/process-log?${query}`, `onboard.${format === "ocel" ? "jsonocel" : "xes"}`);
  };
  return (
    <section aria-labelledby="process-log-title" className="card" style={{ marginTop: "1rem" }}>
      <h2 id="process-log-title" className="small" style={{ margin: 0 }}>
        Event log for process mining
      </h2>
      <p className="muted small" style={{ margin: "0.25rem 0 0.5rem" }}>
        Every step's opening, start, completion or skip, the sign-offs and the milestones of these onboardings, with who did them and when.
      </p>
      <div className="row" style={{ gap: "0.4rem", flexWrap: "wrap" }}>
        {LOG_FORMATS.map(([format, label, detail]) => (
          <button
            key={format}
            type="button"
            className="small"
            disabled={busy !== undefined}
            title={detail}
            onClick={() => void download(format)}
          >
            {busy === format ? "Preparing…" : `Download ${label}`}
          </button>
        ))}
      </div>
      <ErrorNotice error={error} />
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
    </section>
  );
}

function Figures({
  report,
  playbookTitles,
  onRecorded,
}: {
  report: Report;
  playbookTitles: ReadonlyMap<string, string>;
  onRecorded: () => void;
}) {
  const tiles: [string, string, string][] = [
    [
      "Time to go-live (median)",
      days(report.timeToGoLive.medianDays),
      `p90 ${days(report.timeToGoLive.p90Days)} · ${report.timeToGoLive.count} live`,
    ],
    [
      "Time to first value (median)",
      days(report.timeToFirstValue.medianDays),
      `p90 ${days(report.timeToFirstValue.p90Days)} · ${report.timeToFirstValue.count} projects`,
    ],
    ["SLA compliance", percent(report.slaCompliance.rate), `${report.slaCompliance.met} of ${report.slaCompliance.due} steps on time`],
    ["On-time milestones", percent(report.onTimeMilestones.rate), `${report.onTimeMilestones.met} of ${report.onTimeMilestones.due}`],
    ["First-pass UAT", percent(report.firstPassUat.rate), `${report.firstPassUat.met} of ${report.firstPassUat.due} decided`],
    [
      "Training completion",
      percent(report.trainingCompletion.rate),
      `${report.trainingCompletion.met} of ${report.trainingCompletion.due} tracks`,
    ],
    ["NPS", report.nps.score === null ? "–" : String(report.nps.score), `${report.nps.answers} answers`],
    ["CSAT", report.csat.average === null ? "–" : `${report.csat.average} / 5`, `${report.csat.answers} answers`],
    ["Adoption", percent(report.adoption.average), `${report.adoption.reviews} reviews`],
  ];
  return (
    <>
      <section aria-label="Headline figures" className="stats">
        {tiles.map(([label, value, detail]) => (
          <div key={label} className="stat">
            <div className="label">{label}</div>
            <div className="value">{value}</div>
            <div className="small muted">{detail}</div>
          </div>
        ))}
      </section>
      <section aria-labelledby="targets-title">
        <h2 id="targets-title">Targets</h2>
        {report.targets.length === 0 ? (
          <p className="muted">No playbook KPIs for these onboardings.</p>
        ) : (
          // Wraps instead of scrolling: it fits a phone, and a scrolling region would need the keyboard.
          <div className="table-wrap fit kpi-targets">
            <table>
              <thead>
                <tr>
                  <th scope="col">KPI</th>
                  <th scope="col">Target</th>
                  <th scope="col">Now</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {report.targets.map((t) => (
                  <tr key={`${t.playbook}/${t.kpi}`}>
                    <td>
                      {t.title}
                      <div className="small muted">{playbookTitles.get(t.playbook) ?? "Playbook"}</div>
                      {t.note ? <div className="small muted">{t.note}</div> : null}
                      {t.manual ? <ManualKpi playbook={t.playbook} kpi={t.kpi} title={t.title} onRecorded={onRecorded} /> : null}
                    </td>
                    <td>{t.target ?? "–"}</td>
                    <td>{t.value === null ? "–" : `${t.value} ${t.unit}`}</td>
                    <td>
                      {t.status ? (
                        <RagBadge tone={t.status} label={STATUS_LABEL[t.status] ?? t.status} />
                      ) : (
                        <span className="muted">Not measured</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Suspense fallback={<Loading label="Loading charts" />}>
        <section className="charts" aria-label="Charts">
          {report.series.timeToGoLiveByMonth.length > 0 ? (
            <ChartView
              type="line"
              title="Time to go-live (median, by month of go-live)"
              labels={report.series.timeToGoLiveByMonth.map((m) => m.month)}
              series={[{ label: "Median days", values: report.series.timeToGoLiveByMonth.map((m) => m.medianDays ?? 0), color: "#3949ab" }]}
              unit="days"
            />
          ) : null}
          {report.timeToGoLive.count > 0 ? (
            <ChartView
              type="bar"
              title="Days to go-live (distribution)"
              labels={report.timeToGoLive.buckets.map((b) => b.label)}
              series={[{ label: "Onboardings", values: report.timeToGoLive.buckets.map((b) => b.count), color: "#5c6bc0" }]}
            />
          ) : null}
          {report.series.daysPerPhase.length > 0 ? (
            <ChartView
              type="bar"
              title="Days spent per phase (median)"
              labels={report.series.daysPerPhase.map((p) => p.title)}
              series={[{ label: "Median days", values: report.series.daysPerPhase.map((p) => p.medianDays ?? 0), color: "#26a69a" }]}
              unit="days"
            />
          ) : null}
          {report.series.slaBreachesByStep.some((s) => s.breached > 0) ? (
            <ChartView
              type="bar"
              title="SLA breaches by step"
              labels={report.series.slaBreachesByStep
                .filter((s) => s.breached > 0)
                .slice(0, 10)
                .map((s) => s.title)}
              series={[
                {
                  label: "Breaches",
                  values: report.series.slaBreachesByStep
                    .filter((s) => s.breached > 0)
                    .slice(0, 10)
                    .map((s) => s.breached),
                  color: "#d32f2f",
                },
              ]}
            />
          ) : null}
        </section>
      </Suspense>
    </>
  );
}

type KpiValue = Schemas["KpiValue"];

/** The first and last day of the quarter before today's: what a quarterly figure usually covers. */
function lastQuarter(today = new Date()): { from: string; to: string } {
  const q = Math.floor(today.getUTCMonth() / 3);
  const start = new Date(Date.UTC(today.getUTCFullYear(), (q - 1) * 3, 1));
  const end = new Date(Date.UTC(today.getUTCFullYear(), q * 3, 0));
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

/**
 * A manual KPI: record a value for a period (every client of the playbook), and its history, each
 * value with who recorded it and when (POST and GET /kpis/{playbook}/{kpi}/values).
 */
function ManualKpi({ playbook, kpi, title, onRecorded }: { playbook: string; kpi: string; title: string; onRecorded: () => void }) {
  const [open, setOpen] = useState(false);
  const history = useResource(
    async (signal) =>
      open ? (await api.get("/kpis/{playbook}/{kpi}/values", { path: { playbook, kpi }, signal })).data.items : ([] as KpiValue[]),
    [open, playbook, kpi],
  );
  const quarter = lastQuarter();
  const [value, setValue] = useState("");
  const [from, setFrom] = useState(quarter.from);
  const [to, setTo] = useState(quarter.to);
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  async function record(event: FormEvent) {
    event.preventDefault();
    setMessage(undefined);
    const number = Number(value.trim().replace(",", "."));
    if (value.trim() === "" || !Number.isFinite(number)) {
      setErrors({ value: "Enter the measured value as a number" });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const { data } = await api.post("/kpis/{playbook}/{kpi}/values", {
        path: { playbook, kpi },
        body: { value: number, period: { from, to }, ...(note.trim() ? { note: note.trim() } : {}) },
      });
      setMessage({ tone: "success", text: `Recorded ${data.value} for ${from} to ${to}.` });
      setValue("");
      setNote("");
      await history.reload();
      onRecorded();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fieldErrors()).length > 0) setErrors(error.fieldErrors());
      else setMessage({ tone: "error", text: `Not recorded: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="manual-kpi" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Record a value</summary>
      <form onSubmit={(e) => void record(e)} noValidate aria-label={`Record a value of ${title}`}>
        <Field label="Value" required error={errors.value}>
          {(props) => <input {...props} inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} />}
        </Field>
        <Field label="Period from" required error={errors.from ?? errors.period}>
          {(props) => <input {...props} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}
        </Field>
        <Field label="Period to" required error={errors.to}>
          {(props) => <input {...props} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}
        </Field>
        <Field label="Source or note" error={errors.note}>
          {(props) => <input {...props} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Record value
        </button>
      </form>
      <div aria-live="polite">{message ? <p className={`notice ${message.tone} inline-notice`}>{message.text}</p> : null}</div>
      {history.error ? <p className="notice error inline-notice">The history could not be loaded: {describeError(history.error)}</p> : null}
      {(history.data ?? []).length > 0 ? (
        <ul className="small" aria-label={`History of ${title}`}>
          {(history.data ?? []).map((v) => (
            <li key={v.id}>
              {v.value} {v.period ? `for ${v.period.from} to ${v.period.to}` : `for project ${v.project ?? ""}`} · recorded by{" "}
              {v.recordedBy} on {formatDate(v.recordedAt)}
              {v.note ? ` · ${v.note}` : ""}
            </li>
          ))}
        </ul>
      ) : open && history.data ? (
        <p className="small muted">No value recorded yet.</p>
      ) : null}
    </details>
  );
}
