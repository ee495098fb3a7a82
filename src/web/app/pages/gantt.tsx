// The plan as a timeline: phases as bands over their day windows, one row per step with a bar from
// opening to completion (or to the deadline while open), the deadline marked, slips drawn in red
// from the deadline to when the step finished (or to today), and today's line. Laid out in real
// pixels for the width it is given, so the text stays readable on a phone and a laptop.
import { type RefObject, useEffect, useRef, useState } from "react";
import type { Schemas } from "../../api/client.ts";
import { shortDate } from "../../lib/format.ts";

type Phase = { id: string; title: string; steps: Schemas["TimelineStep"][] };
const DAY = 86_400_000;
const ROW = 26;
const TOP = 30;

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
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.round(entry?.contentRect.width ?? 900)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function Gantt({
  phases,
  windows,
  startedAt,
  now = Date.now(),
  zone,
}: {
  phases: readonly Phase[];
  windows: ReadonlyMap<string, string | undefined>;
  startedAt: string;
  now?: number;
  zone?: string | undefined;
}) {
  const [ref, measured] = useWidth<HTMLDivElement>();
  const width = Math.max(560, measured);
  const label = Math.min(240, Math.round(width * 0.3));
  const start0 = Date.parse(startedAt);
  const steps = phases.flatMap((p) => p.steps);
  const bands = new Map(phases.map((p) => [p.id, windowDays(windows.get(p.id))]));
  const times = steps.flatMap((s) =>
    [s.openedAt, s.opensAt, s.dueAt, s.completedAt].filter((t): t is string => !!t).map((t) => Date.parse(t)),
  );
  const bandEnds = [...bands.values()].flatMap((b) => (b?.to ? [start0 + b.to * DAY] : []));
  const start = Math.min(start0, ...times, now) - DAY;
  const end = Math.max(start + 14 * DAY, now + 3 * DAY, ...times, ...bandEnds) + 2 * DAY;
  const plot = width - label - 12;
  const x = (t: number) => label + ((t - start) / (end - start)) * plot;
  const rows: ({ kind: "phase"; phase: Phase } | { kind: "step"; step: Schemas["TimelineStep"]; phase: Phase })[] = [];
  for (const phase of phases) {
    rows.push({ kind: "phase", phase });
    for (const step of phase.steps) rows.push({ kind: "step", step, phase });
  }
  const height = TOP + rows.length * ROW + 6;
  const spanDays = (end - start) / DAY;
  const tickEvery = spanDays > 120 ? 28 : spanDays > 50 ? 14 : 7;
  const ticks: number[] = [];
  const first = new Date(start);
  first.setUTCHours(0, 0, 0, 0);
  for (let t = first.getTime() + DAY; t <= end; t += tickEvery * DAY) ticks.push(t);
  const slipped = steps.filter((s) => s.overdue || (s.completedAt && s.dueAt && s.completedAt > s.dueAt)).length;
  const chars = Math.max(12, Math.floor((label - 20) / 6.6));
  return (
    <figure style={{ margin: 0 }}>
      <div className="gantt-wrap" ref={ref}>
        <svg
          className="gantt"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={`Timeline of ${steps.length} steps; ${slipped} slipped past their deadline. The step list has the same information.`}
        >
          {ticks.map((t) => (
            <g key={t}>
              <line className="grid" x1={x(t)} x2={x(t)} y1={18} y2={height} />
              <text x={x(t) + 3} y={12} fontSize="11" fill="#525c6b">
                {shortDate(new Date(t).toISOString(), zone)}
              </text>
            </g>
          ))}
          {rows.map((row, i) => {
            const y = TOP + i * ROW;
            const band = bands.get(row.phase.id);
            const bandFrom = band ? start0 + band.from * DAY : undefined;
            const bandTo = band ? (band.to === null ? end : start0 + band.to * DAY) : undefined;
            if (row.kind === "phase")
              return (
                <g key={`p-${row.phase.id}`}>
                  {bandFrom !== undefined && bandTo !== undefined ? (
                    <rect x={x(bandFrom)} y={y + 6} width={Math.max(2, x(bandTo) - x(bandFrom))} height={ROW - 10} rx={4} fill="#e8eaf6" />
                  ) : null}
                  <text className="phase-label" x={4} y={y + 17}>
                    {row.phase.title.length > chars
                      ? `${row.phase.title.slice(0, chars - 1).toUpperCase()}…`
                      : row.phase.title.toUpperCase()}
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
            const opened = s.openedAt ?? s.opensAt;
            const title = s.title.length > chars ? `${s.title.slice(0, chars - 1)}…` : s.title;
            const tip = `${s.title}: ${s.status.replace("_", " ")}${s.dueAt ? `, due ${shortDate(s.dueAt, zone)}` : ""}${s.completedAt ? `, done ${shortDate(s.completedAt, zone)}` : ""}`;
            if (!opened) {
              // Not open yet: its phase's window, outlined.
              return (
                <g key={s.id}>
                  <text x={14} y={y + 17}>
                    {title}
                  </text>
                  {bandFrom !== undefined && bandTo !== undefined ? (
                    <rect className="bar-planned" x={x(bandFrom)} y={y + 7} width={Math.max(4, x(bandTo) - x(bandFrom))} height={12} rx={3}>
                      <title>{tip}</title>
                    </rect>
                  ) : null}
                  {due !== undefined ? <rect className="due-mark" x={x(due) - 1} y={y + 4} width={2} height={18} /> : null}
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
            return (
              <g key={s.id}>
                <text x={14} y={y + 17}>
                  {title}
                </text>
                <rect className={cls} x={x(from)} y={y + 7} width={Math.max(4, x(barEnd) - x(from))} height={12} rx={3}>
                  <title>{tip}</title>
                </rect>
                {late && due !== undefined ? <line className="slip" x1={x(due)} x2={x(slipEnd)} y1={y + 13} y2={y + 13} /> : null}
                {due !== undefined ? <rect className="due-mark" x={x(due) - 1} y={y + 4} width={2} height={18} /> : null}
              </g>
            );
          })}
          <line className="today" x1={x(now)} x2={x(now)} y1={16} y2={height} />
          <text className="today-label" x={Math.min(x(now) + 4, width - 40)} y={26}>
            Today
          </text>
        </svg>
      </div>
      <figcaption className="gantt-legend">
        <span style={{ ["--swatch" as string]: "#81c784" }}>Done</span>
        <span style={{ ["--swatch" as string]: "#7986cb" }}>Open</span>
        <span style={{ ["--swatch" as string]: "#e57373" }}>Overdue</span>
        <span style={{ ["--swatch" as string]: "#eef0f3" }}>Planned (phase window)</span>
        <span style={{ ["--swatch" as string]: "repeating-linear-gradient(90deg,#c62828 0 4px,transparent 4px 7px)" }}>
          Slipped past deadline
        </span>
        <span style={{ ["--swatch" as string]: "#1b2430" }}>Deadline</span>
      </figcaption>
    </figure>
  );
}
