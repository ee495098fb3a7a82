// What each built-in KPI metric computes, in one place: the engine's figures, the SOP's KPI table
// and the README's metric list say the same. A metric the onboarding log cannot measure (customer
// retention, ticket figures) is recorded by a person instead of being computed as something else.
import type { KPI_METRICS, Kpi } from "./schema.ts";

export type KpiMetric = (typeof KPI_METRICS)[number];

export interface MetricDefinition {
  /** "log": computed from the projects' events; "recorded": a person records the values. */
  readonly measured: "log" | "recorded";
  readonly formula: string;
}

export const METRIC_DEFINITIONS: Readonly<Record<KpiMetric, MetricDefinition>> = {
  time_to_go_live: { measured: "log", formula: "Median days from the start to go-live, less time on hold." },
  time_to_first_value: { measured: "log", formula: "Median days from the start to first value (see first_value), less time on hold." },
  time_to_onboard: { measured: "log", formula: "Median days from the start to completion of the onboarding, less time on hold." },
  training_completion: { measured: "log", formula: "Required training tracks passed ÷ required tracks, over the projects, in %." },
  adoption_rate: { measured: "log", formula: "Average adoption (%) recorded in the adoption reviews." },
  nps: { measured: "log", formula: "Net Promoter Score of the survey answers: % promoters (9–10) − % detractors (0–6)." },
  csat: { measured: "log", formula: "Average satisfaction score (1–5) of the survey answers." },
  first_pass_uat_rate: { measured: "log", formula: "UAT decisions that passed the first time ÷ UAT decisions, in %." },
  sla_compliance: { measured: "log", formula: "Steps done by their deadline ÷ steps with a deadline that came due, in %." },
  on_time_milestones: { measured: "log", formula: "Milestones reached by their deadline ÷ milestones due, in %." },
  onboarding_completion_rate: {
    measured: "log",
    formula: "Onboardings completed ÷ onboardings ended (completed or cancelled), in %. Not customer retention.",
  },
  retention_rate: {
    measured: "recorded",
    formula: "Customer retention as the procedure defines it; the onboarding log does not hold it, so it is recorded by a person.",
  },
  ticket_resolution_time: { measured: "recorded", formula: "Support ticket resolution time, recorded from the support system." },
  ticket_volume: { measured: "recorded", formula: "Number of support tickets, recorded from the support system." },
  first_delivery_success_rate: {
    measured: "recorded",
    formula: "First deliveries completed without significant issues ÷ first deliveries, recorded.",
  },
  time_to_step: { measured: "log", formula: "Median days from the start (or `from`) to the completion of the step `to`." },
  manual: { measured: "recorded", formula: "Recorded by a person for a period or a client." },
};

/** A KPI whose values a person records: declared so, or a metric the log cannot measure. */
export function isRecordedKpi(kpi: Pick<Kpi, "metric" | "source">): boolean {
  return kpi.source === "manual" || METRIC_DEFINITIONS[kpi.metric].measured === "recorded";
}
