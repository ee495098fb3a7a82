// The daily KPI rollups (migration 0008): per playbook, segment and UTC day of start, the counts,
// step outcomes and duration histograms of the projects that started that day. They always equal
// the sum of the portfolio rows: `writeSummaries` computes what a project's old rows contributed
// and what its new rows contribute, and adds the difference, in the same transaction. Rows are
// updated in key order so that concurrent commands never wait on each other in a cycle.
import { sql } from "kysely";
import { binOf } from "./histogram.ts";
import { COUNT_COLUMNS, type Counts, type DurationMetric, zeroCounts } from "./kpi-totals.ts";
import type { MetricsDb } from "./tables.ts";

const DAY_MS = 86_400_000;

type When = Date | string | null | undefined;

/** What a project's summary row says for the KPIs (the stored row or the one about to be written). */
export interface SummaryFacts extends CellFacts {
  readonly status: string;
  readonly go_live_at?: When;
  readonly first_value_at?: When;
  readonly completed_at?: When;
  readonly held_ms: number | string;
  readonly steps_due: number;
  readonly steps_on_time: number;
  readonly milestones_due: number;
  readonly milestones_on_time: number;
  readonly uat_first_pass?: boolean | null;
  readonly training_records: number;
  readonly training_passed: number;
  readonly nps?: number | null;
  readonly csat?: number | null;
  readonly adoption_rate?: number | null;
}

export interface StatFacts {
  readonly kind: "step" | "phase" | "kpi";
  readonly key: string;
  readonly breached: boolean;
  readonly days?: number | null;
}

const ms = (t: When): number | null => (t === null || t === undefined ? null : t instanceof Date ? t.getTime() : Date.parse(t));

/** The UTC day a project started: its rollup cell. */
export function startDay(startedAt: Date | string): string {
  return new Date(ms(startedAt) as number).toISOString().slice(0, 10);
}

function counts(s: SummaryFacts): Counts {
  const c = zeroCounts();
  const live = ms(s.go_live_at) !== null;
  c.projects = 1;
  c.active = s.status === "active" ? 1 : 0;
  c.on_hold = s.status === "on_hold" ? 1 : 0;
  c.closed = s.status === "closed" ? 1 : 0;
  c.cancelled = s.status === "cancelled" ? 1 : 0;
  c.live = live ? 1 : 0;
  c.first_value_count = ms(s.first_value_at) !== null ? 1 : 0;
  c.steps_due = s.steps_due;
  c.steps_on_time = s.steps_on_time;
  c.milestones_due = s.milestones_due;
  c.milestones_on_time = s.milestones_on_time;
  c.uat_decided = s.uat_first_pass === null || s.uat_first_pass === undefined ? 0 : 1;
  c.uat_passed = s.uat_first_pass === true ? 1 : 0;
  c.training_tracks = live ? s.training_records : 0;
  c.training_passed = live ? s.training_passed : 0;
  const nps = s.nps ?? null;
  c.nps_answers = nps === null ? 0 : 1;
  c.promoters = nps !== null && nps >= 9 ? 1 : 0;
  c.detractors = nps !== null && nps <= 6 ? 1 : 0;
  c.csat_answers = s.csat === null || s.csat === undefined ? 0 : 1;
  c.csat_sum = s.csat ?? 0;
  c.adoption_reviews = s.adoption_rate === null || s.adoption_rate === undefined ? 0 : 1;
  c.adoption_sum = s.adoption_rate ?? 0;
  return c;
}

/** Durations of a project in whole milliseconds, less its time on hold (as the KPIs define them). */
export function projectDurations(s: SummaryFacts): { metric: DurationMetric; key: string; ms: number }[] {
  const start = ms(s.started_at) as number;
  const held = Number(s.held_ms);
  const out: { metric: DurationMetric; key: string; ms: number }[] = [];
  const goLive = ms(s.go_live_at);
  if (goLive !== null) out.push({ metric: "go_live", key: new Date(goLive).toISOString().slice(0, 7), ms: goLive - start - held });
  const value = ms(s.first_value_at);
  if (value !== null) out.push({ metric: "first_value", key: "", ms: Math.max(0, value - start - held) });
  const done = ms(s.completed_at);
  if (done !== null) out.push({ metric: "onboard", key: "", ms: done - start - held });
  return out;
}

/** A phase's (or step's) duration in whole milliseconds. */
export function statMs(days: number): number {
  return Math.round(days * DAY_MS);
}

/** Where a project's contributions go. */
export interface CellFacts {
  readonly playbook_id: string;
  readonly segment?: string | null | undefined;
  readonly started_at: Date | string;
}

interface ProjectCell {
  readonly playbook_id: string;
  readonly segment: string;
  readonly start_day: string;
}

interface CountsDelta extends ProjectCell {
  readonly counts: Counts;
}

interface StepDelta extends ProjectCell {
  readonly kind: "step" | "phase" | "kpi";
  readonly key: string;
  settled: number;
  breached: number;
  total_ms: number;
  timed: number;
}

interface DurationDelta extends ProjectCell {
  readonly metric: DurationMetric;
  readonly key: string;
  readonly bin: number;
  count: number;
  total_ms: number;
}

/** Differences to add to the rollups: what new rows contribute minus what the old ones did. */
export class RollupDelta {
  readonly #counts = new Map<string, CountsDelta>();
  readonly #steps = new Map<string, StepDelta>();
  readonly #durations = new Map<string, DurationDelta>();

  #cell(facts: CellFacts): { cell: ProjectCell; id: string } {
    const cell: ProjectCell = { playbook_id: facts.playbook_id, segment: facts.segment ?? "", start_day: startDay(facts.started_at) };
    return { cell, id: `${cell.playbook_id}\u0001${cell.segment}\u0001${cell.start_day}` };
  }

  #duration(cell: ProjectCell, cellId: string, metric: DurationMetric, key: string, value: number, sign: 1 | -1): void {
    const bin = binOf(value);
    const id = `${cellId}\u0001${metric}\u0001${key}\u0001${bin}`;
    let d = this.#durations.get(id);
    if (!d) {
      d = { ...cell, metric, key, bin, count: 0, total_ms: 0 };
      this.#durations.set(id, d);
    }
    d.count += sign;
    d.total_ms += sign * value;
  }

  /** Add (+1) or take away (−1) what a project's summary row contributes. */
  addSummary(summary: SummaryFacts, sign: 1 | -1): this {
    const { cell, id } = this.#cell(summary);
    let c = this.#counts.get(id);
    if (!c) {
      c = { ...cell, counts: zeroCounts() };
      this.#counts.set(id, c);
    }
    const mine = counts(summary);
    for (const k of COUNT_COLUMNS) c.counts[k] += sign * mine[k];
    for (const m of projectDurations(summary)) this.#duration(cell, id, m.metric, m.key, m.ms, sign);
    return this;
  }

  /** Add (+1) or take away (−1) what a project's step statistics contribute (in its cell). */
  addStats(facts: CellFacts, stats: readonly StatFacts[], sign: 1 | -1): this {
    const { cell, id: cellId } = this.#cell(facts);
    for (const st of stats) {
      const id = `${cellId}\u0001${st.kind}\u0001${st.key}`;
      let d = this.#steps.get(id);
      if (!d) {
        d = { ...cell, kind: st.kind, key: st.key, settled: 0, breached: 0, total_ms: 0, timed: 0 };
        this.#steps.set(id, d);
      }
      const known = st.days !== null && st.days !== undefined;
      const value = known ? statMs(st.days as number) : 0;
      d.settled += sign;
      d.breached += st.breached ? sign : 0;
      d.total_ms += sign * value;
      d.timed += known ? sign : 0;
      if ((st.kind === "phase" || st.kind === "kpi") && known) this.#duration(cell, cellId, st.kind, st.key, value, sign);
    }
    return this;
  }

  /** Apply the non-zero differences, each table's rows in key order. */
  async apply(db: MetricsDb): Promise<void> {
    const order = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const counts = [...this.#counts]
      .filter(([, d]) => COUNT_COLUMNS.some((k) => d.counts[k] !== 0))
      .map(([id, d]) => ({ id, d }))
      .sort(order);
    const steps = [...this.#steps]
      .filter(([, d]) => d.settled !== 0 || d.breached !== 0 || d.total_ms !== 0 || d.timed !== 0)
      .map(([id, d]) => ({ id, d }))
      .sort(order);
    const durations = [...this.#durations]
      .filter(([, d]) => d.count !== 0 || d.total_ms !== 0)
      .map(([id, d]) => ({ id, d }))
      .sort(order);
    for (let i = 0; i < counts.length; i += 1000) {
      const chunk = counts.slice(i, i + 1000).map(({ d }) => ({
        playbook_id: d.playbook_id,
        segment: d.segment,
        start_day: d.start_day,
        ...d.counts,
      }));
      await db
        .insertInto("kpi_daily_projects")
        .values(chunk)
        .onConflict((oc) =>
          oc
            .columns(["playbook_id", "segment", "start_day"])
            .doUpdateSet(
              Object.fromEntries(COUNT_COLUMNS.map((k) => [k, sql`kpi_daily_projects.${sql.ref(k)} + excluded.${sql.ref(k)}`])) as never,
            ),
        )
        .execute();
    }
    for (let i = 0; i < steps.length; i += 5000) {
      const chunk = steps.slice(i, i + 5000).map(({ d }) => ({ ...d }));
      await db
        .insertInto("kpi_daily_steps")
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(["playbook_id", "segment", "start_day", "kind", "key"]).doUpdateSet({
            settled: sql`kpi_daily_steps.settled + excluded.settled`,
            breached: sql`kpi_daily_steps.breached + excluded.breached`,
            total_ms: sql`kpi_daily_steps.total_ms + excluded.total_ms`,
            timed: sql`kpi_daily_steps.timed + excluded.timed`,
          } as never),
        )
        .execute();
    }
    for (let i = 0; i < durations.length; i += 5000) {
      const chunk = durations.slice(i, i + 5000).map(({ d }) => ({ ...d }));
      await db
        .insertInto("kpi_daily_durations")
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(["playbook_id", "segment", "start_day", "metric", "key", "bin"]).doUpdateSet({
            count: sql`kpi_daily_durations.count + excluded.count`,
            total_ms: sql`kpi_daily_durations.total_ms + excluded.total_ms`,
          } as never),
        )
        .execute();
    }
  }
}
