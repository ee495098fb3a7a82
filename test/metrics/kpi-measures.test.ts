// KPIs real procedures define (issue 15, item 11): days from the start (or a step, or a date fact)
// to a named step with the procedure's edge rules, and time to first value measured to a named
// step or date fact instead of a step guessed from its title.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { firstValueAt, kpiDays, stepStats } from "../../src/metrics/summary.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited, load } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York
const ae = person("ae");
const csm = person("csm");
const client = person("client_primary", "contact");

const TO_KICKOFF = {
  id: "days_to_kickoff",
  title: "Days to the first meeting",
  metric: "time_to_step",
  to: { step: "kickoff_call" },
  frequency: "per_project",
};
const BUSINESS = { ...TO_KICKOFF, id: "business_days_to_kickoff", days: "business" };
const TO_MIGRATION = {
  id: "days_to_migration",
  title: "Days from the kickoff to the migration",
  metric: "time_to_step",
  from: { step: "kickoff_call" },
  to: { step: "migrate" },
  frequency: "per_project",
};

const text = (kpis: unknown[], extra: [(string | number)[], unknown][] = []) => edited([[["kpis"], kpis], ...extra]);

function throughKickoff(run: Run): void {
  run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
  run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z");
  // Tuesday 10 March, 16:00 UTC: 4 days and 1 hour after the start.
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-10T16:00:00.000Z");
}

describe("time_to_step KPIs", () => {
  test("days from the start to a step's completion, in calendar or business days; null until reached", () => {
    const model = modelOf(text([TO_KICKOFF, BUSINESS]));
    const run = new Run(model, START, { facts: { data_migration: false } });
    const [calendar, business] = model.playbook.kpis;
    assert.ok(calendar && business);
    assert.equal(kpiDays(model, run.state, calendar), null, "not reached yet");
    throughKickoff(run);
    assert.equal(kpiDays(model, run.state, calendar), 4 + 1 / 24);
    // Fri 10:00-17:00 (7 h), Mon 9-17 (8 h), Tue 9-12 (3 h) in New York: 18 working hours of 8.
    assert.equal(kpiDays(model, run.state, business), 18 / 8);
    const stats = stepStats(model, run.state, "2026-03-10T17:00:00.000Z").filter((s) => s.kind === "kpi");
    assert.deepEqual(
      stats.map((s) => [s.key, s.days]),
      [
        ["days_to_kickoff", 4 + 1 / 24],
        ["business_days_to_kickoff", 18 / 8],
      ],
    );
  });

  test("a step that does not apply, or was skipped, leaves the project out of the figure", () => {
    const model = modelOf(text([TO_MIGRATION]));
    const kpi = model.playbook.kpis[0];
    assert.ok(kpi);
    const without = new Run(model, START, { facts: { data_migration: false } });
    throughKickoff(without);
    assert.equal(without.state.steps.migrate?.status, "not_applicable");
    assert.equal(kpiDays(model, without.state, kpi), null);
    assert.deepEqual(
      stepStats(model, without.state, "2026-03-11T00:00:00.000Z").filter((s) => s.kind === "kpi"),
      [],
    );

    const skipped = new Run(model, START, { facts: { data_migration: true } });
    throughKickoff(skipped);
    skipped.send({ type: "skip_step", step: "migrate", reason: "Client migrates later" }, MANAGER, "2026-03-11T15:00:00.000Z");
    assert.equal(kpiDays(model, skipped.state, kpi), null);

    const done = new Run(model, START, { facts: { data_migration: true } });
    throughKickoff(done);
    done.send({ type: "complete_step", step: "migrate" }, csm, "2026-03-12T16:00:00.000Z");
    assert.equal(kpiDays(model, done.state, kpi), 2);
  });

  test("the loader refuses a time_to_step KPI without a step, an unknown step, or a fact that is not a date", () => {
    const rules = (kpi: unknown) =>
      load(text([kpi]))
        .diagnostics.filter((d) => d.severity === "error")
        .map((d) => d.rule);
    assert.deepEqual(rules({ ...TO_KICKOFF, to: undefined }), ["kpi/measured-to"]);
    assert.deepEqual(rules({ ...TO_KICKOFF, to: { step: "kickof_call" } }), ["ref/unknown-step"]);
    assert.deepEqual(rules({ ...TO_KICKOFF, from: { fact: "user_count" } }), ["ref/anchor-type"]);
    assert.deepEqual(rules({ ...TO_KICKOFF, metric: "nps" }), ["kpi/measured-to"]);
  });

  test("the SOP says how it is measured and which clients are left out", () => {
    const markdown = writeMarkdown(buildSop(modelOf(text([TO_MIGRATION, { ...BUSINESS, target: "<= 3 days" }]))));
    assert.match(
      markdown,
      /calendar days from the completion of step 6\.2 \(Kickoff call\) to the completion of step 6\.3 \(Migrate data\), time on hold included; the median is reported\. Clients for whom step 6\.3 \(Migrate data\) or 6\.2 \(Kickoff call\) was skipped or does not apply are left out of the figure\./,
    );
    assert.match(
      markdown,
      /business days \(on the client's business calendar\) from the start of the onboarding to the completion of step 6\.2/,
    );
  });
});

describe("time to first value", () => {
  const FACTS = { go_live_date: { type: "date", label: "Agreed go-live date" } };
  const withFact = (kpi: object) =>
    modelOf(
      text(
        [{ id: "ttfv", title: "Time to first value", metric: "time_to_first_value", frequency: "per_project", ...kpi }],
        [[["facts", "go_live_date"], FACTS.go_live_date]],
      ),
    );

  test("named as a step's completion or a date fact; the title guess only where nothing is named", () => {
    const byStep = withFact({ first_value: { step: "kickoff_call" } });
    const run = new Run(byStep, START, { facts: { data_migration: false, go_live_date: "2026-04-01" } });
    assert.equal(firstValueAt(byStep.playbook, run.state), null);
    throughKickoff(run);
    assert.equal(firstValueAt(byStep.playbook, run.state), "2026-03-10T16:00:00.000Z");

    const byFact = withFact({ first_value: { fact: "go_live_date" } });
    const factRun = new Run(byFact, START, { facts: { data_migration: false, go_live_date: "2026-04-01" } });
    assert.equal(firstValueAt(byFact.playbook, factRun.state), "2026-04-01T00:00:00.000Z");

    // Nothing named, no step says "first value": go-live, as before.
    const unnamed = withFact({});
    const old = new Run(unnamed, START, { facts: { data_migration: false } });
    assert.equal(firstValueAt(unnamed.playbook, old.state), null);
    const sop = writeMarkdown(buildSop(unnamed));
    assert.match(sop, /days from the start to go-live, less time on hold/);
    assert.match(writeMarkdown(buildSop(byFact)), /days from the start to the date in "Agreed go-live date", less time on hold/);
  });
});
