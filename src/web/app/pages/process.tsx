// Process: where one playbook's onboardings spend their days and the paths they really took, from
// the event log (GET /process-insights): the bottlenecks by their share of the delay, waiting vs
// working and client vs internal time, each step's actual vs planned days, the map of what happened,
// the variants, and the projects that deviate from the procedure. Filters (playbook, the client's
// segment, the CSM, the start period) live in the URL; the segments and CSMs to choose from are those
// of the playbook's onboardings, ended ones included (the portfolio's rows, as the insights read them).
import { lazy, Suspense } from "react";
import { all, api, type Schemas } from "../../api/client.ts";
import { dayStart, OnboardingFilters } from "../../components/onboarding-filters.tsx";
import { Empty, ErrorNotice, Loading, PageHeader } from "../../components/ui.tsx";
import { formatDate, humanize } from "../../lib/format.ts";
import { Link, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";

const ChartView = lazy(() => import("../../components/chart.tsx").then((m) => ({ default: m.ChartView })));

type Insights = Schemas["ProcessInsights"];

const days = (n: number | null) => (n === null ? "–" : `${n} d`);
const DEVIATION: Record<string, string> = {
  skipped: "skipped by a person",
  out_of_order: "done before a step it waits for",
  repeated: "reopened by a person",
  missing: "never done",
};

export function ProcessPage() {
  useTitle("Process", "Onboard");
  const { search } = useLocation();
  const playbooks = useResource(
    (signal) => all((cursor) => api.get("/playbooks", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  const playbook = search.get("playbook") || playbooks.data?.[0]?.id || "";
  const segment = search.get("segment") ?? "";
  const csm = search.get("csm") ?? "";
  const from = search.get("from") ?? "";
  const to = search.get("to") ?? "";
  const insights = useResource(
    async (signal) =>
      playbook
        ? (
            await api.get("/process-insights", {
              query: {
                playbook,
                ...(segment ? { segment } : {}),
                ...(csm ? { csm } : {}),
                ...(dayStart(from) ? { from: dayStart(from) } : {}),
                ...(dayStart(to) ? { to: dayStart(to) } : {}),
              },
              signal,
            })
          ).data
        : undefined,
    [playbook, segment, csm, from, to],
  );
  const data = insights.data;
  // The insights name their playbook's segments and CSMs whatever the filter: the filters' choices.
  const choices = data
    ? {
        segments: data.choices.segments.map((s) => [s, humanize(s)] as const).sort((a, b) => a[1].localeCompare(b[1])),
        csms: data.choices.csms.map((c) => [c.id, c.name] as const),
      }
    : undefined;
  return (
    <>
      <PageHeader
        title="Process"
        subtitle={
          data
            ? `${data.projects} onboarding${data.projects === 1 ? "" : "s"}, ${data.ended} ended · replayed against the playbook ${formatDate(data.asOf)}`
            : "Where the days go, and the paths the onboardings really took"
        }
      />
      <OnboardingFilters
        idPrefix="p"
        playbooks={playbooks.data ?? []}
        playbook={playbook}
        from={from}
        to={to}
        people={{ segment, csm, choices }}
      />
      <ErrorNotice
        error={insights.error ?? playbooks.error}
        onRetry={() => {
          for (const r of [playbooks, insights]) if (r.error) void r.reload();
        }}
      />
      {!data ? (
        insights.loading || playbooks.loading ? (
          <Loading label="Replaying the onboardings" />
        ) : null
      ) : data.projects === 0 ? (
        <Empty
          title={segment || csm ? "No onboardings of this playbook match these filters" : "No onboardings of this playbook in the period"}
        />
      ) : (
        // The figures of the previous filters stay on screen while the new ones load: said, not silent.
        <div aria-busy={insights.loading}>
          <Report insights={data} />
        </div>
      )}
      <Capacity />
    </>
  );
}

/** Every CSM's forecast load by week against their capacity, across playbooks. */
function Capacity() {
  const capacity = useResource(async (signal) => (await api.get("/capacity-forecast", { query: { weeks: 8 }, signal })).data, []);
  const data = capacity.data;
  return (
    <section aria-labelledby="capacity-title">
      <h2 id="capacity-title">Who can take the next client</h2>
      <p className="small muted">
        Each CSM's onboardings still running at the start of each week, by their forecast go-live (every playbook), against the onboardings
        they can hold. The most room next week first.
      </p>
      <ErrorNotice error={capacity.error} onRetry={() => void capacity.reload()} />
      {!data ? (
        capacity.loading ? (
          <Loading lines={3} label="Forecasting the weeks ahead" />
        ) : null
      ) : data.people.length === 0 ? (
        <p className="muted">No CSM has an onboarding running.</p>
      ) : (
        <>
          {data.people.every((p) => p.capacity === null) ? (
            <p className="small">
              No one has a capacity set, so nobody is ever full: set how many onboardings each person can hold in{" "}
              <Link to="/app/admin/people">Admin → People and capacity</Link>.
            </p>
          ) : null}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: eight weeks scroll sideways on a phone, so the keyboard must reach them (WCAG 2.1.1) */}
          <section className="table-wrap" tabIndex={0} aria-label="Load by week">
            <table>
              <caption className="visually-hidden">Onboardings running per CSM at the start of each week, against capacity</caption>
              <thead>
                <tr>
                  <th scope="col">CSM</th>
                  <th scope="col">Can hold</th>
                  {data.weeks.map((w, i) => (
                    <th key={w} scope="col">
                      {i === 0 ? "Now" : formatDate(w)}
                    </th>
                  ))}
                  <th scope="col">Room from</th>
                </tr>
              </thead>
              <tbody>
                {data.people.map((p) => (
                  <tr key={p.person}>
                    <td>
                      {p.name}
                      {p.unforecast > 0 ? <div className="small muted">{p.unforecast} with no forecast</div> : null}
                    </td>
                    <td>{p.capacity ?? "no limit"}</td>
                    {p.running.map((n, i) => (
                      <td key={data.weeks[i]} className={p.capacity !== null && n >= p.capacity ? "over-capacity" : undefined}>
                        {n}
                        {p.capacity !== null && n >= p.capacity ? <span className="visually-hidden"> (full)</span> : null}
                      </td>
                    ))}
                    <td>{p.capacity === null ? "–" : p.roomFrom ? formatDate(p.roomFrom) : "not in 8 weeks"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}

function Report({ insights }: { insights: Insights }) {
  const title = new Map(insights.steps.map((s) => [s.step, s.title]));
  const fitness = insights.conformance.medianFitness;
  const tiles: [string, string, string][] = [
    ["Onboardings", String(insights.projects), `${insights.ended} ended`],
    ["Kept to the procedure", fitness === null ? "–" : `${Math.round(fitness * 100)}%`, "median fitness"],
    ["Deviating", String(insights.conformance.deviating), "onboardings with a deviation"],
    ["Paths", String(insights.variants.distinct), "distinct orders of steps"],
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

      <section aria-labelledby="days-title">
        <h2 id="days-title">Where the days go</h2>
        <div className="charts">
          <Suspense fallback={<Loading lines={3} label="Loading charts" />}>
            {insights.bottlenecks.length > 0 ? (
              <ChartView
                type="bar"
                title="Bottlenecks: days past deadlines by step"
                labels={insights.bottlenecks.map((b) => b.title)}
                series={[{ label: "Days late", values: insights.bottlenecks.map((b) => b.delayDays), color: "#c62828" }]}
                unit="days"
              />
            ) : null}
            <ChartView
              type="doughnut"
              title="Waiting to be started vs being worked"
              labels={["Waiting", "Working"]}
              series={[{ label: "Days", values: [insights.time.waitingDays, insights.time.workingDays], color: ["#f9a825", "#3949ab"] }]}
              unit="days"
            />
            <ChartView
              type="doughnut"
              title="Whose ball: client vs internal"
              labels={["Client", "Internal"]}
              series={[{ label: "Days", values: [insights.time.clientDays, insights.time.internalDays], color: ["#26a69a", "#5c6bc0"] }]}
              unit="days"
            />
          </Suspense>
        </div>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: six columns scroll sideways on a phone, so the keyboard must reach them (WCAG 2.1.1, axe scrollable-region-focusable) */}
        <section className="table-wrap" tabIndex={0} aria-label="Days per step">
          <table>
            <caption className="visually-hidden">Each step: actual and planned days, waiting and working, breaches and rework</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Actual (median · p90)</th>
                <th scope="col">Planned</th>
                <th scope="col">Waiting · working</th>
                <th scope="col">Late</th>
                <th scope="col">Rework</th>
              </tr>
            </thead>
            <tbody>
              {insights.steps.map((s) => (
                <tr key={s.step}>
                  <td>
                    {s.title}
                    <div className="small muted">{s.side === "client" ? "client's step" : "internal step"}</div>
                  </td>
                  <td>
                    {days(s.actual.medianDays)} · {days(s.actual.p90Days)}
                  </td>
                  <td>{days(s.planned.medianDays)}</td>
                  <td>
                    {days(s.waiting.medianDays)} · {days(s.working.medianDays)}
                  </td>
                  <td>{s.breaches > 0 ? `${s.breaches}× · ${Math.round(s.delayShare * 100)}% of the delay` : "–"}</td>
                  <td>{s.rework > 0 ? `${s.rework}×` : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </section>

      <section aria-labelledby="paths-title">
        <h2 id="paths-title">What really happened</h2>
        <p className="small muted">
          An arrow wherever one step was completed right after another, with how often and the median days between. Solid arrows are the
          playbook's, dashed ones are not; the steps with the most delay are red.
        </p>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the map, at a readable size, scrolls sideways, so the keyboard must reach it (WCAG 2.1.1) */}
        <section className="table-wrap card" tabIndex={0} aria-label="Process map" style={{ overflowX: "auto", padding: "0.5rem" }}>
          <img
            // Wider than a phone: start with its middle in view, where the flow runs, not its empty left edge.
            onLoad={(event) => {
              const box = event.currentTarget.parentElement;
              if (box) box.scrollLeft = Math.max(0, (box.scrollWidth - box.clientWidth) / 2);
            }}
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(insights.map)}`}
            alt={`Process map of ${insights.projects} onboardings: ${insights.edges.length} different step-to-step transitions`}
            style={{ maxWidth: "none", display: "block" }}
          />
        </section>
        <h3 id="variants-title">Paths of the onboardings that ended, most common first</h3>
        {insights.variants.top.length === 0 ? (
          <p className="muted">No onboarding has ended yet.</p>
        ) : (
          // A list, not a table: a path is a sequence of steps that wraps under its figures on a phone
          // and beside them on a wider screen, instead of a column squeezed to a word per line.
          <ol className="paths" aria-labelledby="variants-title">
            {insights.variants.top.slice(0, 10).map((v, i) => (
              <li key={v.steps.join(">")} className="path">
                <p className="path-figures">
                  <strong>
                    {v.count} onboarding{v.count === 1 ? "" : "s"}
                  </strong>{" "}
                  <span className="muted">
                    {Math.round(v.share * 100)}% · median {days(v.medianDays)}
                  </span>
                </p>
                {v.steps.length === 0 ? (
                  <p className="muted small path-steps">Nothing done yet</p>
                ) : (
                  <ol className="path-steps" aria-label={`Path ${i + 1}: ${v.steps.length} steps in the order they were done`}>
                    {v.steps.map((s, n) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: a step can come back (rework), and a path's order never changes
                      <li key={`${n}-${s}`}>
                        {/* Drawn, not read: the list already says the order. */}
                        {n > 0 ? (
                          <span className="path-arrow" aria-hidden="true">
                            →
                          </span>
                        ) : null}
                        <span className="path-step">{title.get(s) ?? s}</span>
                      </li>
                    ))}
                  </ol>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="forecast-title">
        <h2 id="forecast-title">When they will go live</h2>
        <p className="small muted">
          Forecast from how long the rest took in comparable onboardings that went live: those that had got as far and spent at least as
          long there. Four in five clients go live between the two dates.
          {insights.waiting.wentLive >= insights.waiting.needed && insights.waiting.unforecast > 0
            ? ` ${insights.waiting.unforecast} of ${insights.waiting.total} ${insights.waiting.unforecast === 1 ? "has" : "have"} been stuck longer than nearly every comparable onboarding: no forecast.`
            : ""}
        </p>
        {insights.forecasts.length === 0 ? (
          <p className="muted">
            {!insights.waiting.goLiveStep
              ? "This playbook marks no step as the go-live, so there is no go-live to forecast (its milestones are forecast on each onboarding's timeline)."
              : insights.waiting.total === 0
                ? "No onboarding is waiting to go live."
                : insights.waiting.wentLive < insights.waiting.needed
                  ? `Only ${insights.waiting.wentLive} onboarding${insights.waiting.wentLive === 1 ? " has" : "s have"} gone live: a forecast needs ${insights.waiting.needed} comparable ones.`
                  : "Every onboarding waiting to go live has been stuck longer than nearly every comparable one."}
          </p>
        ) : (
          <div className="table-wrap fit">
            <table>
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Forecast go-live</th>
                  <th scope="col">80% between</th>
                  <th scope="col">Target go-live</th>
                </tr>
              </thead>
              <tbody>
                {insights.forecasts.slice(0, 25).map((f) => (
                  <tr key={f.projectId}>
                    <td>
                      <Link to={`/app/projects/${encodeURIComponent(f.projectId)}`}>{f.clientName}</Link>
                      <div className="small muted">
                        from {f.anchor === "(start)" ? "the start" : (title.get(f.anchor) ?? f.anchor)}, {f.basis} comparable
                      </div>
                    </td>
                    <td>{formatDate(f.p50)}</td>
                    <td>
                      {formatDate(f.p10)} – {formatDate(f.p90)}
                    </td>
                    <td>{f.plannedGoLiveAt ? formatDate(f.plannedGoLiveAt) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="deviations-title">
        <h2 id="deviations-title">Who deviates from the procedure</h2>
        {insights.conformance.worst.length === 0 ? (
          <p className="muted">Every onboarding kept to the procedure.</p>
        ) : (
          <ul>
            {insights.conformance.worst.map((w) => (
              <li key={w.projectId}>
                <Link to={`/app/projects/${encodeURIComponent(w.projectId)}`}>{w.clientName}</Link>{" "}
                <span className="muted small">fitness {Math.round(w.fitness * 100)}%</span>
                <div className="small">
                  {w.deviations.map((d) => `${title.get(d.step) ?? d.step}: ${DEVIATION[d.kind] ?? d.kind}`).join("; ")}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
