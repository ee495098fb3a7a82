// The plan as a timeline: phases as bands over their day windows, one row per step with a bar from
// opening to completion (or to the deadline while open), the deadline marked, slips drawn in red
// from the deadline to when the step finished (or to today), and today's line. What is still to do
// is drawn at its forecast (src/engine/forecast.ts: re-planned from today on the client's business
// calendar, never in the past), with arrows from each step to the steps that wait for it, the
// critical path outlined and the forecast go-live marked. On a narrow screen the same plan is a
// list. Under it, "Move a date": extend an open step's deadline, seeing first what moves with it.
// Beside the plan, the forecast from history (src/mining/forecast.ts: what comparable onboardings
// of the same playbook took from the same progress): the go-live's 80% range shaded across the
// chart with its median, each remaining milestone's on its row, and the same in words above the
// chart (or why there is none).
import { type FormEvent, type RefObject, useEffect, useRef, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { Field } from "../../components/ui.tsx";
import type { Command } from "../../lib/commands.ts";
import { formatDate, formatDateRange, humanize, plural, shortDate } from "../../lib/format.ts";

type Phase = { id: string; title: string; steps: Schemas["TimelineStep"][] };
const DAY = 86_400_000;
const ROW = 26;
const TOP = 30;
/** Below this width the plan is a list (a phone). */
const NARROW = 640;

/** "Days 11-45", "Week 1-2", "Day 70+" → the window in days from the start. */
export function windowDays(window: string | undefined): { from: number; to: number | null } | undefined {
  if (!window) return undefined;
  const days = /days?\s+(\d+)\s*[-–]\s*(\d+)/i.exec(window);
  if (days) return { from: Number(days[1]) - 1, to: Number(days[2]) };
  const weeks = /weeks?\s+(\d+)\s*[-–]\s*(\d+)/i.exec(window);
  if (weeks) return { from: (Number(weeks[1]) - 1) * 7, to: Number(weeks[2]) * 7 };
  const open = /days?\s+(\d+)\s*\+/i.exec(window);
  if (open) return { from: Number(open[1]) - 1, to: null };
  return undefined;
}

function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  // First guess from the window (a phone starts with the list), then measured.
  const [width, setWidth] = useState(() => Math.min(900, Math.max(0, window.innerWidth - 48)));
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.round(entry?.contentRect.width ?? 900)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

type Band = Schemas["ForecastBand"];

/** GET /projects/{id}/timeline's forecast.history: null unless active and not live yet. */
export interface HistoryForecast {
  readonly goLive: Band | null;
  readonly milestones: readonly { readonly step: string; readonly title: string; readonly forecast: Band | null }[];
  readonly wentLive: number;
  readonly needed: number;
}

export interface ForecastSummary {
  readonly goLiveAt: string | null;
  readonly goLiveStep: string | null;
  readonly criticalPath: readonly string[];
  readonly history?: HistoryForecast | null | undefined;
}

/** "20 Mar 2026 (80%: 2–25 Mar 2026)": a band's median and range, in words. */
function bandWords(band: Band, zone: string | undefined): string {
  return `${formatDate(band.p50, zone)} (80%: ${formatDateRange(band.p10, band.p90, zone)})`;
}

const STATUS_NAMES: Record<string, string> = { on_hold: "on hold", cancelled: "cancelled", closed: "closed" };

type Act = (command: Command, done?: string) => Promise<Record<string, string> | undefined>;

const STATUS_WORDS: Record<string, string> = {
  done: "Done",
  skipped: "Skipped",
  open: "Open",
  in_progress: "In progress",
  blocked: "Waiting",
  scheduled: "Scheduled",
};

export function Gantt({
  phases,
  windows,
  startedAt,
  now = Date.now(),
  zone,
  forecast,
  status,
  move,
}: {
  phases: readonly Phase[];
  windows: ReadonlyMap<string, string | undefined>;
  startedAt: string;
  now?: number;
  zone?: string | undefined;
  forecast?: ForecastSummary | undefined;
  /** The project's status (says why there is no forecast from history). */
  status?: string | undefined;
  /** Moving dates from the timeline (for people who may extend deadlines on an active project). */
  move?: { readonly projectId: string; readonly act: Act } | undefined;
}) {
  const [ref, measured] = useWidth<HTMLDivElement>();
  const [moving, setMoving] = useState("");
  const steps = phases.flatMap((p) => p.steps);
  const titles = new Map(steps.map((s) => [s.id, s.title]));
  const critical = new Set(forecast?.criticalPath ?? []);
  const goLive = forecast?.goLiveAt ?? null;
  const goLiveDone = forecast?.goLiveStep ? steps.find((s) => s.id === forecast.goLiveStep)?.status === "done" : false;
  const movable = steps.filter((s) => s.status === "open" || s.status === "in_progress");
  const history = forecast?.history ?? null;
  // Each remaining milestone's forecast from history, by step (the go-live step's is the go-live's).
  const bands = new Map((history?.milestones ?? []).flatMap((m) => (m.forecast ? [[m.step, m.forecast] as const] : [])));
  const drawn = history?.goLive != null || bands.size > 0;
  return (
    <figure style={{ margin: 0 }}>
      {goLive ? (
        <p className="forecast-line">
          <strong>{goLiveDone ? "Went live" : "Forecast go-live"}:</strong> {formatDate(goLive, zone)}
          {critical.size > 0 ? (
            <span className="muted">
              {" "}
              · critical path: {critical.size} step{critical.size === 1 ? "" : "s"} decide it
            </span>
          ) : null}
        </p>
      ) : null}
      {forecast?.history !== undefined ? (
        <HistoryWords
          history={history}
          plan={goLiveDone ? null : goLive}
          goLiveDone={goLiveDone}
          goLiveStep={forecast.goLiveStep}
          status={status}
          titles={titles}
          zone={zone}
          // On a phone the plan list gives each milestone's forecast on its own step.
          milestonesListed={measured < NARROW}
        />
      ) : null}
      <div className="gantt-wrap" ref={ref}>
        {measured < NARROW ? (
          <PlanList
            phases={phases}
            titles={titles}
            critical={critical}
            now={now}
            zone={zone}
            onMove={move ? (id) => setMoving(id) : undefined}
            bands={bands}
          />
        ) : (
          <Chart
            phases={phases}
            windows={windows}
            startedAt={startedAt}
            now={now}
            zone={zone}
            width={measured}
            critical={critical}
            goLive={goLive}
            goLiveDone={goLiveDone}
            history={history?.goLive ?? null}
            bands={bands}
          />
        )}
      </div>
      {measured < NARROW ? null : (
        <figcaption className="gantt-legend">
          <span style={{ ["--swatch" as string]: "#81c784" }}>Done</span>
          <span style={{ ["--swatch" as string]: "#7986cb" }}>Open</span>
          <span style={{ ["--swatch" as string]: "#e57373" }}>Overdue</span>
          <span style={{ ["--swatch" as string]: "#c5cae9" }}>Forecast (plan)</span>
          <span style={{ ["--swatch" as string]: "#fff", ["--swatch-border" as string]: "#e65100" }}>Critical path</span>
          <span style={{ ["--swatch" as string]: "repeating-linear-gradient(90deg,#c62828 0 4px,transparent 4px 7px)" }}>
            Slipped past deadline
          </span>
          <span style={{ ["--swatch" as string]: "#1b2430" }}>Deadline</span>
          <span style={{ ["--swatch" as string]: "#2e7d32" }}>Go-live (plan)</span>
          {drawn ? (
            <>
              <span style={{ ["--swatch" as string]: "rgb(106 27 154 / 18%)", ["--swatch-border" as string]: "#6a1b9a" }}>
                From history: 80% range
              </span>
              <span style={{ ["--swatch" as string]: "#6a1b9a" }}>From history: median</span>
            </>
          ) : null}
          <span style={{ ["--swatch" as string]: "#9aa3af" }}>Arrow: waits for</span>
        </figcaption>
      )}
      {move && movable.length > 0 ? (
        <MoveDate projectId={move.projectId} act={move.act} steps={movable} step={moving} setStep={setMoving} zone={zone} />
      ) : null}
    </figure>
  );
}

/** The plan as a list, for narrow screens: each step with its status, its date and what it waits for. */
function PlanList({
  phases,
  titles,
  critical,
  now,
  zone,
  onMove,
  bands,
}: {
  phases: readonly Phase[];
  titles: ReadonlyMap<string, string>;
  critical: ReadonlySet<string>;
  now: number;
  zone: string | undefined;
  onMove: ((step: string) => void) | undefined;
  bands: ReadonlyMap<string, Band>;
}) {
  return (
    <div className="plan-list">
      {phases.map((phase) => (
        <section key={phase.id} aria-label={phase.title}>
          <h3 className="plan-phase">{phase.title}</h3>
          <ol>
            {phase.steps.map((s) => {
              const done = s.status === "done" || s.status === "skipped";
              const date = done ? s.completedAt : (s.forecastFinishAt ?? s.dueAt);
              const late = s.overdue || (s.dueAt !== null && !done && Date.parse(s.dueAt) < now);
              const waits = s.dependsOn.map((d) => titles.get(d) ?? humanize(d));
              const band = done ? undefined : bands.get(s.id);
              return (
                <li key={s.id} className={critical.has(s.id) ? "critical" : undefined}>
                  <div className="plan-title">{s.title}</div>
                  <div className="small">
                    <span className={`plan-status ${late ? "late" : done ? "done" : ""}`}>
                      {late ? "Late" : (STATUS_WORDS[s.status] ?? humanize(s.status))}
                    </span>
                    {date ? (
                      <>
                        {" · "}
                        {done ? "finished" : "forecast"} {formatDate(date, zone)}
                      </>
                    ) : null}
                    {critical.has(s.id) ? " · on the critical path" : ""}
                  </div>
                  {band ? <div className="small plan-history">From history: {bandWords(band, zone)}</div> : null}
                  {waits.length > 0 && !done ? <div className="muted small">Waits for: {waits.join(", ")}</div> : null}
                  {onMove && (s.status === "open" || s.status === "in_progress") ? (
                    <button type="button" className="link-button small" onClick={() => onMove(s.id)}>
                      Move the date of {s.title}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ol>
        </section>
      ))}
    </div>
  );
}

function Chart({
  phases,
  windows,
  startedAt,
  now,
  zone,
  width: measured,
  critical,
  goLive,
  goLiveDone,
  history,
  bands,
}: {
  phases: readonly Phase[];
  windows: ReadonlyMap<string, string | undefined>;
  startedAt: string;
  now: number;
  zone: string | undefined;
  width: number;
  critical: ReadonlySet<string>;
  goLive: string | null;
  goLiveDone: boolean;
  /** The go-live's forecast from history. */
  history: Band | null;
  /** Remaining milestones' forecasts from history, by step. */
  bands: ReadonlyMap<string, Band>;
}) {
  const width = Math.max(NARROW - 40, measured);
  const label = Math.min(240, Math.round(width * 0.3));
  const start0 = Date.parse(startedAt);
  const steps = phases.flatMap((p) => p.steps);
  const windowBands = new Map(phases.map((p) => [p.id, windowDays(windows.get(p.id))]));
  const times = steps.flatMap((s) =>
    [s.openedAt, s.opensAt, s.dueAt, s.completedAt, s.forecastStartAt, s.forecastFinishAt]
      .filter((t): t is string => !!t)
      .map((t) => Date.parse(t)),
  );
  const bandEnds = [...windowBands.values()].flatMap((b) => (b?.to ? [start0 + b.to * DAY] : []));
  const historyTimes = [...(history ? [history] : []), ...bands.values()].flatMap((b) => [Date.parse(b.p10), Date.parse(b.p90)]);
  const start = Math.min(start0, ...times, ...historyTimes, now) - DAY;
  const end = Math.max(start + 14 * DAY, now + 3 * DAY, ...times, ...bandEnds, ...historyTimes, goLive ? Date.parse(goLive) : 0) + 2 * DAY;
  const plot = width - label - 12;
  const x = (t: number) => label + ((t - start) / (end - start)) * plot;
  const rows: ({ kind: "phase"; phase: Phase } | { kind: "step"; step: Schemas["TimelineStep"]; phase: Phase })[] = [];
  for (const phase of phases) {
    rows.push({ kind: "phase", phase });
    for (const step of phase.steps) rows.push({ kind: "step", step, phase });
  }
  const rowOf = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.kind === "step" && !rowOf.has(r.step.id)) rowOf.set(r.step.id, i);
  });
  // Room under the rows for the history median's label.
  const height = TOP + rows.length * ROW + 6 + (history ? 16 : 0);
  const spanDays = (end - start) / DAY;
  const tickEvery = spanDays > 120 ? 28 : spanDays > 50 ? 14 : 7;
  const ticks: number[] = [];
  const first = new Date(start);
  first.setUTCHours(0, 0, 0, 0);
  for (let t = first.getTime() + DAY; t <= end; t += tickEvery * DAY) ticks.push(t);
  // Remaining milestones with a forecast from history, on their rows.
  const historyRows = rows.flatMap((row, i) => {
    if (row.kind !== "step" || row.step.status === "done" || row.step.status === "skipped") return [];
    const band = bands.get(row.step.id);
    return band ? [{ step: row.step, band, y: TOP + i * ROW }] : [];
  });
  const slipped = steps.filter((s) => s.overdue || (s.completedAt && s.dueAt && s.completedAt > s.dueAt)).length;
  const chars = Math.max(12, Math.floor((label - 20) / 6.6));
  const path = [...critical];
  const criticalLink = (from: string, to: string) => path.indexOf(to) > 0 && path[path.indexOf(to) - 1] === from;
  // Where each step's bar starts and ends (for the dependency arrows).
  const span = (s: Schemas["TimelineStep"]): [number, number] | undefined => {
    const from = s.openedAt ?? s.forecastStartAt ?? s.opensAt;
    const to = s.completedAt ?? s.forecastFinishAt ?? s.dueAt;
    return from && to ? [Date.parse(from), Date.parse(to)] : undefined;
  };
  const arrows = steps.flatMap((s) => {
    const target = span(s);
    const row = rowOf.get(s.id);
    if (!target || row === undefined || s.status === "done" || s.status === "skipped") return [];
    return s.dependsOn.flatMap((dep) => {
      const d = steps.find((t) => t.id === dep);
      const depRow = rowOf.get(dep);
      const source = d ? span(d) : undefined;
      if (!source || depRow === undefined) return [];
      return [
        {
          key: `${dep}>${s.id}`,
          x1: x(source[1]),
          y1: TOP + depRow * ROW + 13,
          x2: x(target[0]),
          y2: TOP + row * ROW + 13,
          critical: criticalLink(dep, s.id),
        },
      ];
    });
  });
  return (
    <svg
      className="gantt"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Timeline of ${steps.length} steps; ${slipped} slipped past their deadline${goLive ? `; go-live ${goLiveDone ? "on" : "forecast for"} ${formatDate(goLive, zone)}` : ""}${history ? `; from history, go-live ${bandWords(history, zone)}` : ""}. The step list has the same information.`}
    >
      <defs>
        <marker id="gantt-arrow" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M0,0 L6,3 L0,6 z" fill="#9aa3af" />
        </marker>
        <marker id="gantt-arrow-critical" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M0,0 L6,3 L0,6 z" fill="#e65100" />
        </marker>
      </defs>
      {ticks.map((t) => (
        <g key={t}>
          <line className="grid" x1={x(t)} x2={x(t)} y1={18} y2={height} />
          <text x={x(t) + 3} y={12} fontSize="11" fill="#525c6b">
            {shortDate(new Date(t).toISOString(), zone)}
          </text>
        </g>
      ))}
      {history ? (
        <g className="history-go-live" data-p10={history.p10} data-p50={history.p50} data-p90={history.p90}>
          <rect
            className="history-band"
            x={x(Date.parse(history.p10))}
            y={16}
            width={Math.max(2, x(Date.parse(history.p90)) - x(Date.parse(history.p10)))}
            height={height - 16}
          >
            <title>Go-live from history: {bandWords(history, zone)}</title>
          </rect>
          <line className="history-median" x1={x(Date.parse(history.p50))} x2={x(Date.parse(history.p50))} y1={16} y2={height - 14} />
          <text
            className="history-label"
            x={Math.max(label + 4, Math.min(x(Date.parse(history.p50)), width - 4))}
            y={height - 3}
            textAnchor={x(Date.parse(history.p50)) > width - 120 ? "end" : "middle"}
          >
            History {shortDate(history.p50, zone)}
          </text>
        </g>
      ) : null}
      {historyRows.map(({ step, band, y }) => (
        <rect
          key={`hb-${step.id}`}
          className="history-row-band"
          x={x(Date.parse(band.p10))}
          y={y + 3}
          width={Math.max(2, x(Date.parse(band.p90)) - x(Date.parse(band.p10)))}
          height={20}
          rx={3}
        >
          <title>
            {step.title} from history: {bandWords(band, zone)}
          </title>
        </rect>
      ))}
      {rows.map((row, i) => {
        const y = TOP + i * ROW;
        const band = windowBands.get(row.phase.id);
        const bandFrom = band ? start0 + band.from * DAY : undefined;
        const bandTo = band ? (band.to === null ? end : start0 + band.to * DAY) : undefined;
        if (row.kind === "phase")
          return (
            <g key={`p-${row.phase.id}`}>
              {bandFrom !== undefined && bandTo !== undefined ? (
                <rect x={x(bandFrom)} y={y + 6} width={Math.max(2, x(bandTo) - x(bandFrom))} height={ROW - 10} rx={4} fill="#e8eaf6" />
              ) : null}
              <text className="phase-label" x={4} y={y + 17}>
                {row.phase.title.length > chars ? `${row.phase.title.slice(0, chars - 1).toUpperCase()}…` : row.phase.title.toUpperCase()}
                <title>{row.phase.title}</title>
              </text>
              {band ? (
                <text x={Math.max(label + 4, bandFrom !== undefined ? x(bandFrom) + 6 : label)} y={y + 17} fontSize="11" fill="#283593">
                  {windows.get(row.phase.id)}
                </text>
              ) : null}
            </g>
          );
        const s = row.step;
        const due = s.dueAt ? Date.parse(s.dueAt) : undefined;
        const finished = s.completedAt ? Date.parse(s.completedAt) : undefined;
        const title = s.title.length > chars ? `${s.title.slice(0, chars - 1)}…` : s.title;
        const onPath = critical.has(s.id);
        const forecastTip = s.forecastFinishAt && !finished ? `, forecast ${shortDate(s.forecastFinishAt, zone)}` : "";
        const tip = `${s.title}: ${STATUS_WORDS[s.status] ?? humanize(s.status)}${s.dueAt ? `, due ${shortDate(s.dueAt, zone)}` : ""}${s.completedAt ? `, done ${shortDate(s.completedAt, zone)}` : ""}${forecastTip}${onPath ? ", on the critical path" : ""}`;
        const opened = s.openedAt;
        if (!opened) {
          // Not open yet: drawn at its forecast (from today on, never in the past).
          const fFrom = s.forecastStartAt ? Date.parse(s.forecastStartAt) : undefined;
          const fTo = s.forecastFinishAt ? Date.parse(s.forecastFinishAt) : undefined;
          return (
            <g key={s.id}>
              <text x={14} y={y + 17}>
                {title}
              </text>
              {fFrom !== undefined && fTo !== undefined ? (
                <rect
                  className={`bar-forecast${onPath ? " critical" : ""}`}
                  x={x(fFrom)}
                  y={y + 7}
                  width={Math.max(6, x(fTo) - x(fFrom))}
                  height={12}
                  rx={3}
                >
                  <title>{tip}</title>
                </rect>
              ) : bandFrom !== undefined && bandTo !== undefined ? (
                <rect className="bar-planned" x={x(bandFrom)} y={y + 7} width={Math.max(4, x(bandTo) - x(bandFrom))} height={12} rx={3}>
                  <title>{tip}</title>
                </rect>
              ) : null}
            </g>
          );
        }
        const from = Date.parse(opened);
        const to = finished ?? Math.max(now, due ?? now);
        const cls =
          s.status === "skipped"
            ? "bar-skipped"
            : s.status === "done"
              ? "bar-done"
              : s.overdue
                ? "bar-late"
                : s.status === "open" || s.status === "in_progress"
                  ? "bar-open"
                  : "bar-waiting";
        const slipEnd = finished ?? now;
        const late = due !== undefined && slipEnd > due && s.status !== "skipped";
        const barEnd = late && due !== undefined ? due : to;
        const fTo = !finished && s.forecastFinishAt ? Date.parse(s.forecastFinishAt) : undefined;
        return (
          <g key={s.id}>
            <text x={14} y={y + 17}>
              {title}
            </text>
            <rect
              className={`${cls}${onPath ? " critical" : ""}`}
              x={x(from)}
              y={y + 7}
              width={Math.max(4, x(barEnd) - x(from))}
              height={12}
              rx={3}
            >
              <title>{tip}</title>
            </rect>
            {late && due !== undefined ? <line className="slip" x1={x(due)} x2={x(slipEnd)} y1={y + 13} y2={y + 13} /> : null}
            {fTo !== undefined && fTo > slipEnd ? (
              <rect
                className={`bar-forecast${onPath ? " critical" : ""}`}
                x={x(slipEnd)}
                y={y + 7}
                width={Math.max(4, x(fTo) - x(slipEnd))}
                height={12}
                rx={3}
              >
                <title>{tip}</title>
              </rect>
            ) : null}
            {due !== undefined ? <rect className="due-mark" x={x(due) - 1} y={y + 4} width={2} height={18} /> : null}
          </g>
        );
      })}
      {arrows.map((a) => {
        const midX = Math.max(a.x1 + 4, a.x2 - 6);
        return (
          <path
            key={a.key}
            className={a.critical ? "dep critical" : "dep"}
            d={`M${a.x1},${a.y1} H${midX} V${a.y2} H${a.x2}`}
            markerEnd={a.critical ? "url(#gantt-arrow-critical)" : "url(#gantt-arrow)"}
          />
        );
      })}
      {historyRows.map(({ step, band, y }) => {
        const mid = x(Date.parse(band.p50));
        return (
          <g key={`h-${step.id}`} className="history-row" data-step={step.id} data-p10={band.p10} data-p50={band.p50} data-p90={band.p90}>
            <path className="history-mark" d={`M${mid},${y + 4} l6,9 l-6,9 l-6,-9 z`}>
              <title>
                {step.title} from history: {bandWords(band, zone)}
              </title>
            </path>
          </g>
        );
      })}
      <line className="today" x1={x(now)} x2={x(now)} y1={16} y2={height} />
      <text className="today-label" x={Math.min(x(now) + 4, width - 40)} y={26}>
        Today
      </text>
      {goLive ? (
        <>
          <line className="go-live" x1={x(Date.parse(goLive))} x2={x(Date.parse(goLive))} y1={16} y2={height} />
          <text className="go-live-label" x={Math.max(label, Math.min(x(Date.parse(goLive)) - 4, width - 4))} y={26} textAnchor="end">
            Go-live {shortDate(goLive, zone)}
          </text>
        </>
      ) : null}
    </svg>
  );
}

/**
 * The forecast from history in words (the chart's text equivalent): the go-live's median and 80%
 * range with how many comparable onboardings it rests on, against the plan's date; the other
 * remaining milestones'; or why there is none.
 */
function HistoryWords({
  history,
  plan,
  goLiveDone,
  goLiveStep,
  status,
  titles,
  zone,
  milestonesListed,
}: {
  history: HistoryForecast | null;
  plan: string | null;
  goLiveDone: boolean;
  goLiveStep: string | null;
  status: string | undefined;
  titles: ReadonlyMap<string, string>;
  zone: string | undefined;
  milestonesListed: boolean;
}) {
  if (!history) {
    const why = status ? STATUS_NAMES[status] : undefined;
    if (goLiveDone || !why) return null;
    return <p className="history-line muted small">No forecast from history while the onboarding is {why}.</p>;
  }
  const { goLive, wentLive, needed } = history;
  const milestones = milestonesListed ? [] : history.milestones.filter((m) => m.step !== goLiveStep && m.forecast);
  const from = goLive ? (goLive.anchor === "(start)" ? "the start" : (titles.get(goLive.anchor) ?? humanize(goLive.anchor))) : "";
  return (
    <>
      {goLive ? (
        <p className="history-line" id="history-forecast">
          <span className="history-key" aria-hidden="true" />
          <strong>Go-live forecast from {plural(goLive.basis, "comparable onboarding")}:</strong> {bandWords(goLive, zone)};{" "}
          {plan ? `plan says ${formatDate(plan, zone)}` : "the plan has no date"}.{" "}
          <span className="muted small">Reckoned from {from}: four in five comparable onboardings went live within the range.</span>
        </p>
      ) : (
        <p className="history-line muted small" id="history-forecast">
          {wentLive < needed
            ? `Too few onboardings of this playbook have gone live to forecast (${wentLive} of ${needed} needed).`
            : `No go-live forecast from history: fewer than ${needed} of the ${wentLive} onboardings of this playbook that went live had taken as long as this one from where it is now.`}
        </p>
      )}
      {milestones.length > 0 ? (
        <ul className="history-milestones small" aria-label="Milestones forecast from history">
          {milestones.map((m) =>
            m.forecast ? (
              <li key={m.step}>
                {m.title}: {bandWords(m.forecast, zone)}
              </li>
            ) : null,
          )}
        </ul>
      ) : null}
    </>
  );
}

/**
 * Extend an open step's deadline from the timeline: choose the step and the new date, see what
 * moves with it (the server runs the command on a copy and compares the forecasts), then confirm
 * with a reason (it goes into the audit trail).
 */
function MoveDate({
  projectId,
  act,
  steps,
  step,
  setStep,
  zone,
}: {
  projectId: string;
  act: Act;
  steps: readonly Schemas["TimelineStep"][];
  step: string;
  setStep: (id: string) => void;
  zone: string | undefined;
}) {
  const [until, setUntil] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Schemas["ExtensionPreview"] | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const dateRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (step) dateRef.current?.focus();
  }, [step]);
  const untilIso = () => new Date(`${until}T17:00:00`).toISOString();
  const check = async (event: FormEvent) => {
    event.preventDefault();
    setOutcome(undefined);
    const local: Record<string, string> = {};
    if (!step) local.step = "Choose the step.";
    if (!until) local.until = "Choose the new date.";
    setErrors(local);
    setPreview(undefined);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const { data } = await api.post("/projects/{id}/timeline/preview", { path: { id: projectId }, body: { step, until: untilIso() } });
      setPreview(data);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(Object.keys(fields).length ? fields : { until: describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    if (!reason.trim()) return setErrors({ reason: "Say why the date moves: it goes into the audit trail." });
    setBusy(true);
    const fields = await act({ type: "extend_deadline", step, until: untilIso(), reason: reason.trim() });
    setBusy(false);
    if (fields) return setErrors(fields);
    const title = steps.find((s) => s.id === step)?.title ?? "The step";
    setOutcome(`${title} now ends ${formatDate(untilIso(), zone)}.`);
    setPreview(undefined);
    setReason("");
    setUntil("");
    setStep("");
  };
  return (
    <section className="move-date" aria-labelledby="move-date-h">
      <h3 id="move-date-h">Move a date</h3>
      <form className="move-date-form" onSubmit={check} noValidate>
        <Field label="Step" error={errors.step} required>
          {(p) => (
            <select
              {...p}
              value={step}
              onChange={(e) => {
                setStep(e.target.value);
                setPreview(undefined);
              }}
            >
              <option value="">Choose…</option>
              {steps.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                  {s.dueAt ? ` (due ${formatDate(s.dueAt, zone)})` : ""}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="New date" hint="End of that working day, your time." error={errors.until} required>
          {(p) => (
            <input
              {...p}
              ref={dateRef}
              type="date"
              value={until}
              onChange={(e) => {
                setUntil(e.target.value);
                setPreview(undefined);
              }}
            />
          )}
        </Field>
        <div className="move-date-actions">
          <button type="submit" disabled={busy}>
            Preview what moves
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {outcome ? <div className="notice success">{outcome}</div> : null}
        {preview ? (
          <div className="move-preview">
            <p>
              <strong>{preview.step.title}</strong> would end {formatDate(preview.step.to, zone)}
              {preview.step.from ? ` instead of ${formatDate(preview.step.from, zone)}` : ""}.
            </p>
            {preview.moves.length === 0 ? (
              <p>No other step moves.</p>
            ) : (
              <>
                <p>
                  {preview.moves.length} other step{preview.moves.length === 1 ? "" : "s"} move with it:
                </p>
                <ul className="moves">
                  {preview.moves.map((m) => (
                    <li key={m.step}>
                      {m.title}: {formatDate(m.from, zone)} → {formatDate(m.to, zone)}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <p>
              {preview.goLive.to === null
                ? "No go-live is forecast."
                : preview.goLive.from === preview.goLive.to
                  ? `Go-live stays ${formatDate(preview.goLive.to, zone)}.`
                  : `Go-live moves from ${formatDate(preview.goLive.from, zone)} to ${formatDate(preview.goLive.to, zone)}.`}
            </p>
            <Field label="Reason" hint="Goes into the audit trail." error={errors.reason} required>
              {(p) => <textarea {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
            <div className="move-date-actions">
              <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
                Confirm the move
              </button>
              <button type="button" onClick={() => setPreview(undefined)}>
                Cancel
              </button>
            </div>
          </div>
        ) : null}
      </div>
    </section>
  );
}
