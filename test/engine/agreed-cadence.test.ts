// Cadences agreed with the client (issue 15, item 9): "the cadence call schedule determined with the
// customer by the end of the kickoff". The interval, weekday and time come from a form answer; the
// cadence starts once they are answered, and moves when the form is submitted again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { EngineError } from "../../src/engine/errors.ts";
import { type Effect, replay, SYSTEM } from "../../src/engine/index.ts";
import { planMeeting } from "../../src/notify/meetings.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited, lint, load } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York (EST; EDT from 8 March)
const csm = person("csm");
const ae = person("ae");

const SCHEDULE_FORM = {
  title: "Cadence agreed at the kickoff",
  fields: {
    cadence_interval: { label: "How often", type: "choice", options: ["weekly", "bi-weekly", "monthly"], required: true },
    cadence_day: { label: "Weekday", type: "choice", options: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], required: true },
    cadence_time: { label: "Time", type: "choice", options: ["10:00", "15:00"], required: true },
  },
};
const AGREED = {
  id: "status_call",
  title: "Status call",
  owner: "csm",
  kind: "meeting",
  every: "forms.kickoff_schedule.cadence_interval",
  weekday: "forms.kickoff_schedule.cadence_day",
  at: "forms.kickoff_schedule.cadence_time",
  agreed_with_client: true,
};

const TEXT = edited([
  [["forms", "kickoff_schedule"], SCHEDULE_FORM],
  [["phases", 0, "steps", 1, "form"], "kickoff_schedule"],
  [["cadences"], [AGREED]],
]);
const model = modelOf(TEXT);

type UpdateInvite = Extract<Effect, { kind: "update_invite" }>;
const updates = (run: Run, since: number) =>
  run.effects
    .slice(since)
    .map((e) => e.effect as Effect)
    .filter((e): e is UpdateInvite => e.kind === "update_invite");

function agree(run: Run, values: Record<string, string>, at: string): void {
  run.send({ type: "submit_form", step: "kickoff_call", values }, csm, at);
}

describe("a cadence agreed with the client", () => {
  test("waits for the answer, starts on the agreed weekday and time, moves when the form is submitted again", () => {
    const run = new Run(model, START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-03-08T16:00:00.000Z");
    const call = () => run.state.cadences.status_call;
    assert.equal(call(), undefined, "nothing agreed yet: no status call");

    // Agreed on Monday 9 March: weekly, on Tuesdays at 15:00 New York time (EDT, UTC-4).
    agree(run, { cadence_interval: "weekly", cadence_day: "Tuesday", cadence_time: "15:00" }, "2026-03-09T14:00:00.000Z");
    const started = run.events.find((e) => e.type === "cadence.started");
    assert.deepEqual(started && { nextAt: started.nextAt, agreed: started.agreed }, {
      nextAt: "2026-03-10T19:00:00.000Z",
      agreed: { every: "weekly", weekday: "Tuesday", at: "15:00" },
    });

    // The series is mailed when it is agreed, not when its first call falls due.
    assert.ok(run.effects.some((e) => JSON.stringify(e.effect) === JSON.stringify({ kind: "send_invite", meeting: "status_call" })));

    // Changed the same day, before the first call: the next occurrence moves, and the series mailed with it.
    let mark = run.effects.length;
    agree(run, { cadence_interval: "bi-weekly", cadence_day: "Thursday", cadence_time: "10:00" }, "2026-03-09T16:00:00.000Z");
    assert.equal(call()?.nextAt, "2026-03-12T14:00:00.000Z");
    assert.equal(run.events.at(-1)?.type, "cadence.rescheduled");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.why]),
      [["status_call", "moved", "the client agreed another schedule"]],
    );

    // The first call, then every two weeks on Thursday at 10:00.
    run.send({ type: "tick" }, SYSTEM, "2026-03-12T15:00:00.000Z");
    assert.equal(call()?.count, 1);
    assert.equal(call()?.nextAt, "2026-03-26T14:00:00.000Z");
    assert.ok(run.effects.some((e) => JSON.stringify(e.effect) === JSON.stringify({ kind: "send_invite", meeting: "status_call#1" })));

    // The client asks for weekly calls on Fridays: the series in calendars moves.
    mark = run.effects.length;
    agree(run, { cadence_interval: "weekly", cadence_day: "Friday", cadence_time: "10:00" }, "2026-03-13T13:00:00.000Z");
    assert.equal(call()?.nextAt, "2026-03-20T14:00:00.000Z");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.why]),
      [["status_call", "moved", "the client agreed another schedule"]],
    );
    assert.equal(call()?.count, 1, "a move keeps the count");
    // The updated invitation: the series starts again at the moved occurrence, weekly.
    const plan = planMeeting(model.playbook, run.state, "status_call", run.events);
    assert.equal(plan?.start, "2026-03-20T14:00:00.000Z");
    assert.deepEqual(plan?.recurrence && { freq: plan.recurrence.freq, interval: plan.recurrence.interval }, {
      freq: "WEEKLY",
      interval: 1,
    });

    // The same answers again move nothing.
    const before = run.events.length;
    agree(run, { cadence_interval: "weekly", cadence_day: "Friday", cadence_time: "10:00" }, "2026-03-13T14:00:00.000Z");
    assert.equal(run.events.slice(before).filter((e) => e.type === "cadence.rescheduled").length, 0);

    run.send({ type: "tick" }, SYSTEM, "2026-03-20T15:00:00.000Z");
    assert.equal(call()?.nextAt, "2026-03-27T14:00:00.000Z");

    // Replaying the events gives the same state, the agreement included.
    assert.deepEqual(replay(model, run.events), run.state);
  });

  test("a weekday and time written in the playbook: the first such weekday after the start", () => {
    const fixed = modelOf(
      edited([[["cadences"], [{ id: "weekly", title: "Weekly status", owner: "csm", every: "1 week", weekday: "wed", at: "09:00" }]]]),
    );
    const run = new Run(fixed, START, { facts: { data_migration: false } });
    assert.equal(run.state.cadences.weekly?.nextAt, "2026-03-11T13:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-03-11T14:00:00.000Z");
    assert.equal(run.state.cadences.weekly?.nextAt, "2026-03-18T13:00:00.000Z");
  });

  test("an unknown form field is refused when loading; a field that is not a choice of valid values is refused by lint", () => {
    const unknown = load(edited([[["cadences"], [{ ...AGREED, weekday: "forms.kickoff_schedule.cadence_dya" }]]], TEXT));
    assert.ok(
      unknown.diagnostics.some((d) => d.rule === "ref/unknown-field" && d.fix?.includes("cadence_day")),
      JSON.stringify(unknown.diagnostics),
    );

    const badOptions = edited(
      [
        [
          ["forms", "kickoff_schedule", "fields", "cadence_interval", "options"],
          ["weekly", "whenever suits"],
        ],
      ],
      TEXT,
    );
    const findings = lint(badOptions).filter((d) => d.rule === "cadence/agreed-answer");
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.match(findings[0]?.message ?? "", /"whenever suits"/);
    assert.equal(findings[0]?.severity, "error");

    const freeText = edited([[["forms", "kickoff_schedule", "fields", "cadence_day"], { label: "Weekday", type: "string" }]], TEXT);
    assert.ok(lint(freeText).some((d) => d.rule === "cadence/agreed-answer" && /string field/.test(d.message)));

    const uncollected = edited([[["phases", 0, "steps", 1, "form"], undefined]], TEXT);
    assert.ok(lint(uncollected).some((d) => d.rule === "cadence/agreed-answer" && /no step collects/.test(d.message)));

    assert.deepEqual(
      lint(TEXT).filter((d) => d.severity === "error"),
      [],
    );
  });

  test("the SOP says where the schedule is agreed", () => {
    const markdown = writeMarkdown(buildSop(model));
    assert.match(
      markdown,
      /at the interval agreed with the client in step 6\.2 \(Kickoff call\), on the weekday agreed there, at the time agreed there/,
    );
  });

  test("property: whatever is submitted and whenever time passes, the series follows the last valid answers and replays the same", () => {
    const ZONE_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("agree" as const),
        every: fc.constantFrom("weekly", "bi-weekly", "monthly", "fortnightly", "every day", ""),
        day: fc.constantFrom(...ZONE_DAYS, "Funday"),
        time: fc.constantFrom("10:00", "15:00", "25:00"),
        hours: fc.integer({ min: 1, max: 200 }),
      }),
      fc.record({ kind: fc.constant("tick" as const), hours: fc.integer({ min: 1, max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const run = new Run(model, START, { facts: { data_migration: false } });
        run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
        let at = Date.parse("2026-03-06T16:00:00.000Z");
        let agreed: { every: string; day: string; time: string } | undefined;
        for (const s of steps) {
          at += s.hours * 3_600_000;
          const now = new Date(at).toISOString();
          if (s.kind === "tick") {
            run.send({ type: "tick" }, SYSTEM, now);
            const next = run.state.cadences.status_call?.nextAt;
            if (next !== undefined) assert.ok(next > now, `after a tick the next call is ahead: ${next} <= ${now}`);
            continue;
          }
          const values = { cadence_interval: s.every, cadence_day: s.day, cadence_time: s.time };
          const before = agreed;
          let moved = false;
          try {
            agree(run, values, now);
            agreed = { every: s.every, day: s.day, time: s.time };
            moved = JSON.stringify(before) !== JSON.stringify(agreed);
          } catch (error) {
            // Refused, naming the fields: values outside the options never reach the schedule.
            assert.ok(error instanceof EngineError, String(error));
            assert.ok(!["weekly", "bi-weekly", "monthly"].includes(s.every) || s.day === "Funday" || s.time === "25:00");
          }
          const current = run.state.cadences.status_call;
          if (agreed) {
            assert.deepEqual(current?.agreed, { every: agreed.every, weekday: agreed.day, at: agreed.time });
            assert.ok(current?.nextAt !== undefined);
            // A new agreement plans the next call ahead; the same answers again move nothing.
            if (moved) assert.ok(current.nextAt > now, `${current.nextAt} <= ${now}`);
          } else assert.equal(current, undefined);
        }
        const current = run.state.cadences.status_call;
        if (agreed && current?.nextAt) {
          // On the agreed weekday and time, New York time.
          const local = new Date(current.nextAt).toLocaleString("en-US", {
            timeZone: "America/New_York",
            weekday: "long",
            hour: "2-digit",
            minute: "2-digit",
            hour12: false,
          });
          assert.equal(local, `${agreed.day} ${agreed.time}`);
        }
        assert.deepEqual(replay(model, run.events), run.state);
      }),
      { numRuns: 60 },
    );
  });
});
