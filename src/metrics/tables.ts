// The metrics layer's tables (migration 0007) as Kysely sees them, beside the store's.
import type { ColumnType, Kysely } from "kysely";
import type { Schema } from "../store/schema.ts";
import type { CountColumn, DurationMetric } from "./kpi-totals.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
/** bigint comes back as a string from both drivers. */
type BigInt = ColumnType<string | number, number, number>;

export interface ProjectSummariesTable {
  project_id: string;
  client_id: string;
  client_name: string;
  playbook_id: string;
  playbook_version: string;
  status: string;
  phase: string | null;
  phase_title: string | null;
  phase_index: number | null;
  csm: string | null;
  segment: string | null;
  country: string | null;
  started_at: Timestamp;
  target_go_live_at: NullableTimestamp;
  go_live_at: NullableTimestamp;
  first_value_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  held_since: NullableTimestamp;
  next_milestone: string | null;
  next_milestone_title: string | null;
  next_milestone_due_at: NullableTimestamp;
  overdue_steps: number;
  blocked_gates: number;
  missed_milestones: number;
  open_issues: number;
  milestones_due: number;
  milestones_on_time: number;
  steps_due: number;
  steps_on_time: number;
  uat_first_pass: boolean | null;
  training_records: number;
  training_passed: number;
  adoption_rate: number | null;
  nps: number | null;
  csat: number | null;
  held_ms: BigInt;
  health: "green" | "amber" | "red";
  health_rank: number;
  health_reasons: Json<string[]>;
  review_at: NullableTimestamp;
  version: number;
  updated_at: Timestamp;
}

export interface ProjectStepStatsTable {
  project_id: string;
  kind: "step" | "phase" | "kpi";
  key: string;
  playbook_id: string;
  phase: string;
  csm: string | null;
  segment: string | null;
  started_at: Timestamp;
  breached: boolean;
  days: number | null;
}

export interface ProjectReportsTable {
  project_id: string;
  kind: string;
  content: Json<unknown>;
  edited_by: string;
  edited_at: Timestamp;
}

/** The daily rollups (migration 0008); a day is a `date`, written and compared as "YYYY-MM-DD". */
type Day = ColumnType<string, string, string>;
type Float = ColumnType<number, number, number>;

export type KpiDailyProjectsTable = { playbook_id: string; segment: string; start_day: Day } & Record<CountColumn, Float>;

export interface KpiDailyStepsTable {
  playbook_id: string;
  segment: string;
  start_day: Day;
  kind: "step" | "phase" | "kpi";
  key: string;
  settled: number;
  breached: number;
  total_ms: BigInt;
  timed: number;
}

export interface KpiDailyDurationsTable {
  playbook_id: string;
  segment: string;
  start_day: Day;
  metric: DurationMetric;
  key: string;
  bin: number;
  count: number;
  total_ms: BigInt;
}

export type MetricsTables = {
  project_summaries: ProjectSummariesTable;
  project_step_stats: ProjectStepStatsTable;
  project_reports: ProjectReportsTable;
  kpi_daily_projects: KpiDailyProjectsTable;
  kpi_daily_steps: KpiDailyStepsTable;
  kpi_daily_durations: KpiDailyDurationsTable;
};

export type MetricsSchema = Schema & MetricsTables;
export type MetricsDb = Kysely<MetricsSchema>;

export function metricsDb(db: Kysely<Schema>): MetricsDb {
  return db.withTables<MetricsTables>();
}
