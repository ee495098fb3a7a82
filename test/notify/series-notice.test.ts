// A meeting series is mailed when it is planned, with the notice the playbook states (`notice:` of
// the cadence, "2 business days" without): a first meeting sooner than that is left out of the
// series, which starts with the first meeting that leaves the notice (issue 16, item 11: a weekly
// call mailed 54 minutes before it began). Lint warns of a notice that cannot mean anything.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Effect } from "../../src/engine/index.ts";
import { occurrences, planMeeting } from "../../src/notify/meetings.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf, Run } from "../support/engine.ts";
import { edited, lint } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York

function weekly(extra: Record<string, unknown>) {
  return modelOf(
    edited([[["cadences"], [{ id: "weekly", title: "Weekly status", owner: "csm", every: "1 week", at: "09:00", ...extra }]]]),
  );
}

function started(model: ReturnType<typeof modelOf>) {
  const run = new Run(model, START, { facts: { data_migration: false } });
  const plan = planMeeting(model.playbook, run.state, "weekly", run.events);
  assert.ok(plan?.start, "the series is planned when the cadence starts");
  return { run, plan: { ...plan, start: plan.start } };
}

const invitations = (run: Run) =>
  run.effects.map((e) => e.effect as Effect).filter((e): e is Extract<Effect, { kind: "send_invite" }> => e.kind === "send_invite");

describe("a meeting series' notice", () => {
  test("the series goes out when the cadence starts, not when its first meeting falls due", () => {
    const { run } = started(weekly({ weekday: "wed" }));
    assert.equal(run.state.cadences.weekly?.count, 0, "no meeting held yet");
    assert.deepEqual(invitations(run), [{ kind: "send_invite", meeting: "weekly" }]);
  });

  test("a first meeting with enough notice (Friday 10:00 for Wednesday 09:00, 3 business days) starts the series", () => {
    const { run, plan } = started(weekly({ weekday: "wed" }));
    assert.equal(run.state.cadences.weekly?.nextAt, "2026-03-11T13:00:00.000Z");
    assert.equal(plan.start, "2026-03-11T13:00:00.000Z");
  });

  test("a first meeting sooner than 2 business days (Monday 09:00) is left out: the series starts the Monday after", () => {
    const { run, plan } = started(weekly({ weekday: "mon" }));
    assert.equal(run.state.cadences.weekly?.nextAt, "2026-03-09T13:00:00.000Z", "the engine still holds Monday's meeting");
    assert.equal(plan.start, "2026-03-16T13:00:00.000Z");
    assert.equal(occurrences(plan)[0], "2026-03-16T13:00:00.000Z", "calendars expand it from there");
  });

  test("the playbook's notice: 1 day keeps Monday's meeting, 4 business days drops Wednesday's", () => {
    assert.equal(started(weekly({ weekday: "mon", notice: "1 day" })).plan.start, "2026-03-09T13:00:00.000Z");
    assert.equal(started(weekly({ weekday: "wed", notice: "4 business days" })).plan.start, "2026-03-18T13:00:00.000Z");
  });

  test("the SOP says the notice a playbook states", () => {
    const markdown = writeMarkdown(buildSop(weekly({ weekday: "wed", notice: "3 business days" })));
    assert.match(markdown, /sent at least 3 business days before the first meeting/);
    assert.doesNotMatch(writeMarkdown(buildSop(weekly({ weekday: "wed" }))), /before the first meeting/);
  });

  test("lint: a notice on a cadence nobody is invited to, or of hours, is flagged", () => {
    const base = { id: "weekly", title: "Weekly status", owner: "csm", every: "1 week" };
    const findings = (extra: Record<string, unknown>) =>
      lint(edited([[["cadences"], [{ ...base, ...extra }]]])).filter((d) => d.rule === "cadence/notice");
    assert.deepEqual(findings({ notice: "2 business days" }), []);
    assert.match(findings({ kind: "task", notice: "2 days" })[0]?.message ?? "", /task cadence: nobody is invited/);
    assert.match(findings({ notice: "3 hours" })[0]?.message ?? "", /hours before its first meeting/);
    assert.equal(findings({ notice: "3 hours" })[0]?.severity, "warning");
  });
});
