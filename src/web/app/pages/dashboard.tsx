// The portfolio: every active onboarding in one look (what is late, what is next, who is blocked),
// counts that filter the list behind them, filters and sorting kept in the URL, and charts. Each
// row says when the onboarding will go live by comparable onboardings of its playbook (the median
// and the 80% range, against its target) and how often it departed from the procedure.
import { lazy, Suspense, useMemo, useState } from "react";
import { api, type Schemas } from "../../api/client.ts";
import { FilterSelect } from "../../components/onboarding-filters.tsx";
import { Empty, ErrorNotice, HealthSummary, Loading, PageHeader, StatusBadge } from "../../components/ui.tsx";
import { dueLabel, formatDate, formatDateRange, humanize, plural, shortDate } from "../../lib/format.ts";
import { shownVersion } from "../../lib/playbook.ts";
import { filterChoices, loadPortfolio, type PortfolioRow } from "../../lib/portfolio.ts";
import { Link, setSearch, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { LateSteps } from "./late-steps.tsx";
import { BulkBar } from "./portfolio-bulk.tsx";
import { SavedViews } from "./saved-views.tsx";

// chart.js loads after the list: the portfolio is on screen first.
const ChartView = lazy(() => import("../../components/chart.tsx").then((m) => ({ default: m.ChartView })));

const PAGE = 25;
const HEALTH_ORDER: Record<string, number> = { red: 0, amber: 1, green: 2 };
type SortKey = "client" | "health" | "days" | "next" | "forecast" | "phase" | "csm";

const SORTS: Record<SortKey, (a: PortfolioRow, b: PortfolioRow) => number> = {
  client: (a, b) => a.clientName.localeCompare(b.clientName),
  health: (a, b) => (HEALTH_ORDER[a.health] ?? 3) - (HEALTH_ORDER[b.health] ?? 3) || b.overdueSteps - a.overdueSteps,
  days: (a, b) => b.daysSinceStart - a.daysSinceStart,
  next: (a, b) => (a.nextMilestone?.dueAt ?? "9").localeCompare(b.nextMilestone?.dueAt ?? "9"),
  // Soonest forecast go-live first; those without one last.
  forecast: (a, b) => (a.forecast?.p50 ?? "9").localeCompare(b.forecast?.p50 ?? "9"),
  phase: (a, b) => (a.phase ?? "").localeCompare(b.phase ?? ""),
  csm: (a, b) => (a.csm?.name ?? "").localeCompare(b.csm?.name ?? ""),
};

function unique(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))].sort();
}

export function Dashboard() {
  useTitle("Portfolio", "Onboard");
  const { search } = useLocation();
  const portfolio = useResource((signal) => loadPortfolio(signal), []);
  const kpis = useResource(async (signal) => (await api.get("/kpis", { signal })).data, []);
  const filter = {
    health: search.get("health") ?? "",
    csm: search.get("csm") ?? "",
    segment: search.get("segment") ?? "",
    playbook: search.get("playbook") ?? "",
    phase: search.get("phase") ?? "",
    q: search.get("q") ?? "",
    late: search.get("late") ?? "",
    // "true": only those that departed from their playbook; "false": only those that kept to it (as GET /portfolio?deviates=).
    deviates: search.get("deviates") ?? "",
  };
  const sort = (search.get("sort") as SortKey | null) ?? "health";
  // Paging: a page of rows at a time (the number shown is in the URL, so a shared link shows as much).
  const shown = Math.max(PAGE, Number(search.get("shown") ?? PAGE) || PAGE);
  const within = search.get("within") === "0" ? 0 : 7;
  const rows = portfolio.data ?? [];
  const choices = useMemo(() => filterChoices(rows), [rows]);
  const visible = useMemo(() => {
    const q = filter.q.toLowerCase();
    return rows
      .filter(
        (r) =>
          (!filter.health || r.health === filter.health) &&
          (!filter.csm || r.csm?.id === filter.csm) &&
          (!filter.segment || r.segment === filter.segment) &&
          (!filter.playbook || r.playbook.id === filter.playbook) &&
          (!filter.phase || r.phase === filter.phase) &&
          (!q || r.clientName.toLowerCase().includes(q)) &&
          (!filter.late || r.overdueSteps > 0) &&
          (filter.deviates !== "true" || r.deviations > 0) &&
          (filter.deviates !== "false" || r.deviations === 0),
      )
      .sort(SORTS[sort] ?? SORTS.health);
  }, [rows, filter.health, filter.csm, filter.segment, filter.playbook, filter.phase, filter.q, filter.late, filter.deviates, sort]);

  const counts = { red: 0, amber: 0, green: 0 } as Record<string, number>;
  for (const r of rows) counts[r.health] = (counts[r.health] ?? 0) + 1;
  const late = rows.filter((r) => r.overdueSteps > 0).length;
  const deviating = rows.filter((r) => r.deviations > 0).length;
  const phases = unique(rows.map((r) => r.phase));
  const filtered = Object.values(filter).some(Boolean);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const shownRows = visible.slice(0, shown);
  const selected = rows.filter((r) => picked.has(r.projectId)).map((r) => r.projectId);
  const allShown = shownRows.length > 0 && shownRows.every((r) => picked.has(r.projectId));
  const toggle = (id: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <>
      <PageHeader
        title="Portfolio"
        subtitle={portfolio.data ? `${rows.length} active onboarding${rows.length === 1 ? "" : "s"}` : "Active onboardings"}
        actions={
          <button type="button" onClick={() => void portfolio.reload()} disabled={portfolio.loading}>
            Refresh
          </button>
        }
      />
      <ErrorNotice error={portfolio.error} onRetry={() => void portfolio.reload()} />
      <section aria-label="Counts" className="stats">
        <CountCard label="Active" value={rows.length} tone="" active={!filtered} onSelect={() => setSearch({ ...blank(), q: undefined })} />
        <CountCard
          label="At risk"
          value={counts.red ?? 0}
          tone="red"
          active={filter.health === "red"}
          onSelect={() => setSearch({ ...blank(), health: "red" })}
        />
        <CountCard
          label="Watch"
          value={counts.amber ?? 0}
          tone="amber"
          active={filter.health === "amber"}
          onSelect={() => setSearch({ ...blank(), health: "amber" })}
        />
        <CountCard
          label="On track"
          value={counts.green ?? 0}
          tone="green"
          active={filter.health === "green"}
          onSelect={() => setSearch({ ...blank(), health: "green" })}
        />
        <CountCard
          label="With late steps"
          value={late}
          tone="red"
          active={filter.late === "1"}
          onSelect={() => setSearch({ ...blank(), late: "1" })}
        />
      </section>

      <LateSteps within={within} onWithin={(days) => setSearch({ within: days === 7 ? undefined : String(days) })} />

      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-q">Client</label>
          <input id="f-q" type="search" placeholder="Search clients" value={filter.q} onChange={(e) => setSearch({ q: e.target.value })} />
        </div>
        <FilterSelect id="f-csm" label="CSM" value={filter.csm} onChange={(v) => setSearch({ csm: v })} options={choices.csms} />
        <FilterSelect
          id="f-segment"
          label="Segment"
          value={filter.segment}
          onChange={(v) => setSearch({ segment: v })}
          options={choices.segments}
        />
        <FilterSelect
          id="f-playbook"
          label="Playbook"
          value={filter.playbook}
          onChange={(v) => setSearch({ playbook: v })}
          options={unique(rows.map((r) => r.playbook.id)).map((p) => [p, p])}
        />
        <FilterSelect
          id="f-phase"
          label="Phase"
          value={filter.phase}
          onChange={(v) => setSearch({ phase: v })}
          options={phases.map((p) => [p, p])}
        />
        <FilterSelect
          id="f-health"
          label="Health"
          value={filter.health}
          onChange={(v) => setSearch({ health: v })}
          options={[
            ["red", "At risk"],
            ["amber", "Watch"],
            ["green", "On track"],
          ]}
        />
        <div className="field filter-check">
          <label className="check" htmlFor="f-deviates">
            <input
              id="f-deviates"
              type="checkbox"
              checked={filter.deviates === "true"}
              onChange={(e) => setSearch({ deviates: e.target.checked ? "true" : undefined })}
            />
            <span>Deviates from the procedure{portfolio.data ? <span className="muted"> ({deviating})</span> : null}</span>
          </label>
        </div>
        {filtered ? (
          <button type="button" onClick={() => setSearch(blank())}>
            Clear filters
          </button>
        ) : null}
      </form>

      <SavedViews />

      <BulkBar selected={selected} rows={rows} onClear={() => setPicked(new Set())} onDone={() => void portfolio.reload()} />

      {portfolio.loading && !portfolio.data ? (
        <div className="card">
          <Loading lines={6} label="Loading the portfolio" />
        </div>
      ) : rows.length === 0 ? (
        <div className="card">
          <Empty title="No active onboardings yet">
            <p>Projects start from a won deal in your CRM or with POST /projects; they appear here as soon as they run.</p>
          </Empty>
        </div>
      ) : (
        <div className="table-wrap">
          <table aria-describedby="portfolio-caption">
            <caption id="portfolio-caption" className="visually-hidden">
              Active onboardings, {Math.min(shown, visible.length)} of {visible.length} shown, sorted by {sort}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="select-cell">
                  <input
                    type="checkbox"
                    aria-label="Select all shown"
                    checked={allShown}
                    onChange={(e) => {
                      const on = e.target.checked;
                      setPicked((prev) => {
                        const next = new Set(prev);
                        for (const r of shownRows) {
                          if (on) next.add(r.projectId);
                          else next.delete(r.projectId);
                        }
                        return next;
                      });
                    }}
                  />
                </th>
                <SortHeader label="Client" k="client" sort={sort} />
                <SortHeader label="CSM" k="csm" sort={sort} className="hide-phone" />
                <SortHeader label="Phase" k="phase" sort={sort} className="hide-phone" />
                <SortHeader label="Health" k="health" sort={sort} />
                <SortHeader label="Days vs plan" k="days" sort={sort} className="hide-phone" />
                <SortHeader label="Forecast go-live" k="forecast" sort={sort} className="hide-phone" />
                <SortHeader label="Next milestone" k="next" sort={sort} />
              </tr>
            </thead>
            <tbody>
              {shownRows.map((r) => (
                <tr key={r.projectId}>
                  <td className="select-cell">
                    <input
                      type="checkbox"
                      aria-label={`Select ${r.clientName}`}
                      checked={picked.has(r.projectId)}
                      onChange={(e) => toggle(r.projectId, e.target.checked)}
                    />
                  </td>
                  <td className="client-cell">
                    <Link to={`/app/projects/${encodeURIComponent(r.projectId)}`}>{r.clientName}</Link>
                    {r.status !== "active" ? (
                      <>
                        {" "}
                        <StatusBadge status={r.status} />
                      </>
                    ) : null}
                    <div className="muted small">
                      {r.playbook.id}
                      {shownVersion(r.playbook.version) ? ` v${r.playbook.version}` : ""}
                      {r.segment ? ` · ${humanize(r.segment)}` : ""}
                    </div>
                    <Deviations row={r} />
                    <div className="show-phone small">
                      <ForecastGoLive row={r} compact />
                    </div>
                  </td>
                  <td className="hide-phone">{r.csm?.name ?? <span className="muted">Unassigned</span>}</td>
                  <td className="hide-phone">{r.phase ?? "—"}</td>
                  <td>
                    <HealthSummary health={r.health} reasons={r.reasons} />
                  </td>
                  <td className="hide-phone">
                    <DaysVsPlan row={r} />
                  </td>
                  <td className="hide-phone forecast-cell">
                    <ForecastGoLive row={r} />
                  </td>
                  <td>
                    {r.nextMilestone ? (
                      <>
                        <div>{r.nextMilestone.title}</div>
                        <MilestoneDue dueAt={r.nextMilestone.dueAt} />
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
              {visible.length === 0 ? (
                <tr>
                  <td colSpan={8}>
                    <Empty title="No onboarding matches these filters">
                      <button type="button" className="link" onClick={() => setSearch(blank())}>
                        Clear filters
                      </button>
                    </Empty>
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {visible.length > shown ? (
            <div className="table-more">
              <span className="muted small">
                Showing {shown} of {visible.length}
              </span>
              <button type="button" onClick={() => setSearch({ shown: String(shown + PAGE) })}>
                Show {Math.min(PAGE, visible.length - shown)} more
              </button>
            </div>
          ) : null}
        </div>
      )}
      {rows.length > 0 ? (
        <Suspense fallback={<div className="charts" aria-busy="true" />}>
          <PortfolioCharts rows={rows} kpis={kpis.data} />
        </Suspense>
      ) : null}
    </>
  );
}

function blank(): Record<string, undefined> {
  return {
    health: undefined,
    csm: undefined,
    segment: undefined,
    playbook: undefined,
    phase: undefined,
    q: undefined,
    late: undefined,
    deviates: undefined,
  };
}

/** How often it departed from its playbook, linking to the playbook's Process page (where the deviations are listed). */
function Deviations({ row }: { row: PortfolioRow }) {
  if (row.deviations === 0) return null;
  return (
    <Link className="badge amber deviations" to={`/app/process?playbook=${encodeURIComponent(row.playbook.id)}`}>
      {plural(row.deviations, "deviation")}
      <span className="visually-hidden"> from the procedure: see the {row.playbook.id} process</span>
    </Link>
  );
}

/**
 * When it will go live by comparable onboardings: the median, the 80% range under it, and whether
 * the median is later than the target. `compact`: one line (the phone's client cell).
 */
function ForecastGoLive({ row, compact = false }: { row: PortfolioRow; compact?: boolean }) {
  const f = row.forecast;
  if (row.goLiveAt) return <span className="muted">Went live {formatDate(row.goLiveAt)}</span>;
  if (!f) return <span className="muted">{compact ? "No go-live forecast" : "No forecast"}</span>;
  const later = row.targetGoLiveAt !== null && Date.parse(f.p50) > Date.parse(row.targetGoLiveAt);
  const range = formatDateRange(f.p10, f.p90);
  // The target's date too where there is room (on a phone the row says only that it is later).
  const behind = later ? (
    <span className="forecast-late">later than target{row.targetGoLiveAt && !compact ? ` (${formatDate(row.targetGoLiveAt)})` : ""}</span>
  ) : null;
  if (compact)
    return (
      <>
        Forecast go-live <strong>{formatDate(f.p50)}</strong> <span className="muted">(80%: {range})</span>
        {behind ? <> · {behind}</> : null}
      </>
    );
  return (
    <>
      <div className="nowrap forecast-median">{formatDate(f.p50)}</div>
      <div className="small muted forecast-range">80%: {range}</div>
      {behind ? <div className="small">{behind}</div> : null}
    </>
  );
}

function MilestoneDue({ dueAt }: { dueAt: string | null }) {
  if (!dueAt) return <div className="small muted">Date set when it opens</div>;
  const late = dueAt < new Date().toISOString();
  return (
    <div className={late ? "small" : "small muted"} style={late ? { color: "var(--red)", fontWeight: 600 } : undefined}>
      {shortDate(dueAt)} · {dueLabel(dueAt)}
    </div>
  );
}

function DaysVsPlan({ row }: { row: PortfolioRow }) {
  const target = row.targetDays;
  const ratio = target ? Math.min(1, row.daysSinceStart / Math.max(target, 1)) : 0;
  const over = target !== null && row.daysSinceStart > target;
  return (
    <div>
      <div className="nowrap">
        <strong>{row.daysSinceStart}</strong>
        <span className="muted">{target === null ? " days · no target" : ` / ${target} days`}</span>
      </div>
      <div
        className={`progress${over || row.overdueSteps > 0 ? " late" : ""}`}
        role="progressbar"
        aria-label={`${row.daysSinceStart} of ${target ?? "unknown"} planned days`}
        aria-valuemin={0}
        aria-valuemax={target ?? 0}
        aria-valuenow={Math.min(row.daysSinceStart, target ?? 0)}
      >
        <span style={{ width: `${Math.round(ratio * 100)}%` }} />
      </div>
    </div>
  );
}

function CountCard({
  label,
  value,
  tone,
  active,
  onSelect,
}: {
  label: string;
  value: number;
  tone: string;
  active: boolean;
  onSelect: () => void;
}) {
  return (
    <button
      type="button"
      className={`stat ${tone}`}
      aria-pressed={active}
      onClick={onSelect}
      style={{ textAlign: "left", display: "block", height: "auto" }}
    >
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </button>
  );
}

function SortHeader({ label, k, sort, className }: { label: string; k: SortKey; sort: SortKey; className?: string }) {
  return (
    <th scope="col" className={className} aria-sort={sort === k ? "ascending" : "none"}>
      <button type="button" className="sort" onClick={() => setSearch({ sort: k })}>
        {label}
        {sort === k ? " ↓" : ""}
      </button>
    </th>
  );
}

function PortfolioCharts({ rows, kpis }: { rows: readonly PortfolioRow[]; kpis: Schemas["KpiReport"] | undefined }) {
  const byPhase = useMemo(() => {
    const phases = new Map<string, { red: number; amber: number; green: number }>();
    for (const r of rows) {
      const key = r.phase ?? "Not started";
      const entry = phases.get(key) ?? { red: 0, amber: 0, green: 0 };
      if (r.health === "red" || r.health === "amber" || r.health === "green") entry[r.health]++;
      phases.set(key, entry);
    }
    return phases;
  }, [rows]);
  const labels = useMemo(() => [...byPhase.keys()], [byPhase]);
  const series = useMemo(
    () => [
      { label: "At risk", values: labels.map((l) => byPhase.get(l)?.red ?? 0), color: "#d32f2f" },
      { label: "Watch", values: labels.map((l) => byPhase.get(l)?.amber ?? 0), color: "#f0a202" },
      { label: "On track", values: labels.map((l) => byPhase.get(l)?.green ?? 0), color: "#43a047" },
    ],
    [labels, byPhase],
  );
  const trend = useMemo(() => kpis?.series.timeToGoLiveByMonth ?? [], [kpis]);
  const trendLabels = useMemo(() => trend.map((m) => m.month), [trend]);
  const trendSeries = useMemo(
    () => [{ label: "Median days to go-live", values: trend.map((m) => m.medianDays ?? 0), color: "#3949ab" }],
    [trend],
  );
  const phases = useMemo(() => kpis?.series.daysPerPhase ?? [], [kpis]);
  const phaseLabels = useMemo(() => phases.map((p) => p.title), [phases]);
  const phaseSeries = useMemo(() => [{ label: "Median days", values: phases.map((p) => p.medianDays ?? 0), color: "#5c6bc0" }], [phases]);
  const breaches = useMemo(
    () =>
      [...(kpis?.series.slaBreachesByStep ?? [])]
        .filter((b) => b.breached > 0)
        .sort((a, b) => b.breached - a.breached)
        .slice(0, 8),
    [kpis],
  );
  const breachLabels = useMemo(() => breaches.map((b) => b.title), [breaches]);
  const breachSeries = useMemo(() => [{ label: "SLA breaches", values: breaches.map((b) => b.breached), color: "#d32f2f" }], [breaches]);
  return (
    <section className="charts" aria-label="Charts">
      <ChartView type="bar" title="Onboardings by phase and health" labels={labels} series={series} />
      {trend.length > 0 ? (
        <ChartView
          type="line"
          title="Time to go-live (median, by month of go-live)"
          labels={trendLabels}
          series={trendSeries}
          unit="days"
        />
      ) : null}
      {phases.length > 0 ? (
        <ChartView type="bar" title="Days spent per phase (median)" labels={phaseLabels} series={phaseSeries} unit="days" />
      ) : null}
      {breaches.length > 0 ? <ChartView type="bar" title="SLA breaches by step" labels={breachLabels} series={breachSeries} /> : null}
    </section>
  );
}
