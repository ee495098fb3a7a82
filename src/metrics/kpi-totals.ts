// What every KPI is computed from: per playbook, counts and sums over its projects, the SLA
// outcome per step, and histograms of durations. The same totals come from the portfolio rows
// (exact, for small or CSM-filtered sets) or from the daily rollups (kpi-queries.ts), and they add
// up, so a period is whole days from the rollups plus its partial days from the rows.
import { Histogram, type HistogramBin } from "./histogram.ts";

/** Per-project counts and sums; the names are the rollup table's columns. */
export const COUNT_COLUMNS = [
  "projects",
  "active",
  "on_hold",
  "closed",
  "cancelled",
  "live",
  "first_value_count",
  "steps_due",
  "steps_on_time",
  "milestones_due",
  "milestones_on_time",
  "uat_decided",
  "uat_passed",
  "training_tracks",
  "training_passed",
  "nps_answers",
  "promoters",
  "detractors",
  "csat_answers",
  "csat_sum",
  "adoption_reviews",
  "adoption_sum",
] as const;

export type CountColumn = (typeof COUNT_COLUMNS)[number];
export type Counts = Record<CountColumn, number>;

export function zeroCounts(): Counts {
  return Object.fromEntries(COUNT_COLUMNS.map((c) => [c, 0])) as Counts;
}

export function addCounts(into: Counts, from: Readonly<Record<CountColumn, number | string | null>>, sign = 1): Counts {
  for (const c of COUNT_COLUMNS) into[c] += sign * Number(from[c] ?? 0);
  return into;
}

/** Durations measured per project (key: the month of go-live for `go_live`) and per phase (key: the phase). */
/** `kpi`: a time_to_step KPI's days per project (key: the KPI's id). */
export type DurationMetric = "go_live" | "first_value" | "onboard" | "phase" | "kpi";

/** SLA outcomes of a step (kind `step`) or the finished occurrences of a phase (kind `phase`). */
export interface StepTotals {
  settled: number;
  breached: number;
  /** Sum of the durations known, whole milliseconds, and how many there are. */
  totalMs: number;
  timed: number;
}

export interface StepRow extends StepTotals {
  readonly playbook_id: string;
  readonly kind: "step" | "phase" | "kpi";
  readonly key: string;
}

export interface DurationRow extends HistogramBin {
  readonly playbook_id: string;
  readonly metric: DurationMetric;
  readonly key: string;
}

const SEP = "\u0001";

export class KpiTotals {
  readonly counts = new Map<string, Counts>();
  readonly steps = new Map<string, StepRow>();
  readonly durations = new Map<string, { playbook: string; metric: DurationMetric; key: string; histogram: Histogram }>();

  addCounts(playbook: string, row: Readonly<Record<CountColumn, number | string | null>>): this {
    let c = this.counts.get(playbook);
    if (!c) {
      c = zeroCounts();
      this.counts.set(playbook, c);
    }
    addCounts(c, row);
    return this;
  }

  addStep(row: StepRow): this {
    const id = [row.playbook_id, row.kind, row.key].join(SEP);
    const s = this.steps.get(id);
    if (s) {
      s.settled += row.settled;
      s.breached += row.breached;
      s.totalMs += row.totalMs;
      s.timed += row.timed;
    } else this.steps.set(id, { ...row });
    return this;
  }

  addDuration(row: DurationRow): this {
    const id = [row.playbook_id, row.metric, row.key].join(SEP);
    let d = this.durations.get(id);
    if (!d) {
      d = { playbook: row.playbook_id, metric: row.metric, key: row.key, histogram: new Histogram() };
      this.durations.set(id, d);
    }
    d.histogram.add(row.bin, row.count, row.totalMs);
    return this;
  }

  merge(other: KpiTotals): this {
    for (const [playbook, c] of other.counts) this.addCounts(playbook, c);
    for (const s of other.steps.values()) this.addStep(s);
    for (const d of other.durations.values())
      for (const b of d.histogram.bins()) this.addDuration({ playbook_id: d.playbook, metric: d.metric, key: d.key, ...b });
    return this;
  }

  /** Every playbook's counts added up (or one playbook's). */
  totalCounts(playbook?: string): Counts {
    const out = zeroCounts();
    for (const [id, c] of this.counts) if (playbook === undefined || id === playbook) addCounts(out, c);
    return out;
  }

  /** A duration's histogram over every playbook (or one), every key (or those `keyOk` accepts). */
  histogram(metric: DurationMetric, options: { playbook?: string; keyOk?: (key: string) => boolean } = {}): Histogram {
    const h = new Histogram();
    for (const d of this.durations.values()) {
      if (d.metric !== metric) continue;
      if (options.playbook !== undefined && d.playbook !== options.playbook) continue;
      if (options.keyOk && !options.keyOk(d.key)) continue;
      h.addAll(d.histogram.bins());
    }
    return h;
  }
}
