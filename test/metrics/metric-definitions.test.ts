// Each built-in metric is named for what it computes (issue 22, item 7): "retention_rate" in a
// procedure means customer retention, which the onboarding log does not hold, so it is recorded by
// a person; the share of onboardings completed is its own metric.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type Aggregates, isManual, metricValue } from "../../src/metrics/kpis.ts";
import { METRIC_DEFINITIONS } from "../../src/playbook/kpi-metrics.ts";
import { KPI_METRICS, type Kpi } from "../../src/playbook/schema.ts";

const ended = { closed: 8, cancelled: 2 } as unknown as Aggregates;
const kpi = (metric: Kpi["metric"]) =>
  ({ id: "k", title: "K", metric, frequency: "monthly", source: "automatic", edge_rules: [] }) as unknown as Kpi;

test("retention is not computed as onboarding completion; completion has its own name", () => {
  assert.equal(metricValue("onboarding_completion_rate", ended).value, 80);
  assert.equal(metricValue("retention_rate", ended).value, null);
  assert.equal(isManual(kpi("retention_rate")), true, "customer retention is recorded by a person");
  assert.equal(isManual(kpi("onboarding_completion_rate")), false);
});

test("every metric has a definition, and the README lists each with its formula", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const metric of KPI_METRICS) {
    const definition = METRIC_DEFINITIONS[metric];
    assert.ok(definition.formula.length > 10, metric);
    assert.ok(readme.includes(`| \`${metric}\` |`), `README lists ${metric}`);
  }
});

test("the metrics the log computes give a figure (or none yet), never the manual note", () => {
  for (const metric of KPI_METRICS.filter((m) => METRIC_DEFINITIONS[m].measured === "log" && m !== "time_to_step")) {
    assert.doesNotMatch(metricValue(metric, ended).note ?? "", /not computed/, metric);
  }
});
