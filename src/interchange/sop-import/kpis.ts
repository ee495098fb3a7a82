// KPI rows as the language's kpis: a built-in measure where the name says one, the target as a
// comparison with a number, a frequency the language knows; what does not fit is said.
import { KPI_FREQUENCIES, type KPI_METRICS } from "../../playbook/schema.ts";
import type { Findings } from "./draft-parts.ts";
import type { KpiRow } from "./front-matter.ts";
import { slug, unique } from "./phrases.ts";

type Json = Record<string, unknown>;

const METRICS: readonly [RegExp, (typeof KPI_METRICS)[number]][] = [
  [/time to go[- ]?live/i, "time_to_go_live"],
  [/time to (first )?value/i, "time_to_first_value"],
  [/time to onboard|onboarding (duration|time)/i, "time_to_onboard"],
  [/training completion/i, "training_completion"],
  [/adoption/i, "adoption_rate"],
  [/\bnps\b|net promoter/i, "nps"],
  [/\bcsat\b|satisfaction/i, "csat"],
  [/first[- ]pass uat/i, "first_pass_uat_rate"],
  [/\bsla\b/i, "sla_compliance"],
  [/retention/i, "retention_rate"],
  [/on[- ]time milestone/i, "on_time_milestones"],
];

// The language's KPI target shape (schema.ts KpiTarget): a comparison, a number, a unit.
const TARGET = /^(<=|>=|<|>|=)\s*(\d+(\.\d+)?)\s*(%|days?|hours?|\/5|\/10|\/week|per week|points?)?$/;

function kpiTarget(text: string): string | undefined {
  const written = text
    .replace(/≤/g, "<=")
    .replace(/≥/g, ">=")
    .replace(/^(under|less than|below)\s+/i, "< ")
    .replace(/^(over|more than|above)\s+/i, "> ")
    .replace(/^(at least|min\.?|minimum)\s+/i, ">= ")
    .replace(/^(at most|max\.?|maximum)\s+/i, "<= ")
    .trim()
    // A bare duration ("Goal: 14 days") is a ceiling.
    .replace(/^(\d+(\.\d+)?\s*(days?|hours?))$/i, "<= $1");
  return TARGET.test(written) ? written : undefined;
}

function kpiFrequency(text: string | undefined): (typeof KPI_FREQUENCIES)[number] | undefined {
  if (!text) return undefined;
  const word = text.toLowerCase();
  if (/^per\b/.test(word)) return word.includes("interaction") ? "per_interaction" : "per_project";
  if (/annual|yearly/.test(word)) return "annually";
  return KPI_FREQUENCIES.find((f) => word.startsWith(f.replace("ly", "")));
}

export function kpisYaml(rows: readonly KpiRow[], findings: Findings): Json[] {
  const kpiIds = new Set<string>();
  return rows.map((row) => {
    const metric = METRICS.find(([pattern]) => pattern.test(row.title))?.[1];
    const target = row.target ? kpiTarget(row.target) : undefined;
    if (row.target && !target)
      findings.add(
        row.line,
        "info",
        `the target "${row.target}" of KPI "${row.title}" is not a comparison with a number; kept in its definition`,
      );
    const frequency = kpiFrequency(row.frequency);
    if (!frequency) findings.add(row.line, "info", `KPI "${row.title}" gives no frequency the language knows; per_project is used`);
    if (!metric) findings.add(row.line, "info", `KPI "${row.title}" is not a built-in measure: it is recorded by hand (metric: manual)`);
    const definition = [row.definition, row.target && !target ? `Target: ${row.target}` : undefined].filter(Boolean).join(" ");
    return {
      id: unique(slug(row.title, "kpi"), kpiIds),
      title: row.title,
      metric: metric ?? "manual",
      ...(target ? { target } : {}),
      frequency: frequency ?? "per_project",
      ...(metric ? {} : { source: "manual" }),
      ...(definition ? { definition } : {}),
    };
  });
}
