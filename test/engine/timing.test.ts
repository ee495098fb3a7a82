// Triggers and timing (issue 15 item 7): a missed target raises its own event, date facts are
// local dates of the client, on-demand steps have their own deadline, and rules fire at a time of
// day in the client's zone, across daylight-saving changes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { DateTime } from "luxon";
import { nextWakeAt, type ProjectState, replay } from "../../src/engine/index.ts";
import { atTimeOfDay } from "../../src/engine/schedule.ts";
import { parseTimeOfDay } from "../../src/playbook/time-expressions.ts";
import { CLIENT, MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited, errors, lint } from "../support/fixtures.ts";

const START = "2026-03-02T14:00:00.000Z"; // a Monday, 09:00 in New York
const csm = person("csm");
const ae = person("ae");

describe("a missed target", () => {
  const text = edited([
    [["phases", 0, "steps", 0, "target"], "4h after start"],
    [
      ["rules"],
      [
        {
          id: "late",
          title: "Warn when the handoff misses its target",
          category: "exception",
          on: "step.target_missed",
          step: "handoff",
          when: "event.days_late >= 0",
          actions: [{ notify: { to: ["csm"], message: "The handoff is late" } }],
        },
      ],
    ],
  ]);

  test("raises step.target_missed once at the target, wakes the project for it, and rules react", () => {
    const run = new Run(modelOf(text), START);
    const handoff = run.state.steps.handoff;
    assert.equal(handoff?.targetAt, "2026-03-02T18:00:00.000Z");
    assert.equal(nextWakeAt(run.state), "2026-03-02T18:00:00.000Z", "the target is the first thing due");
    assert.deepEqual(run.send({ type: "tick" }, MANAGER, "2026-03-02T17:59:00.000Z"), []);
    const events = run.send({ type: "tick" }, MANAGER, "2026-03-02T18:00:00.000Z");
    assert.deepEqual(
      events.map((e) => e.type),
      ["step.target_missed", "rule.fired"],
    );
    assert.ok(run.effects.some((e) => e.kind === "notify"));
    assert.equal(run.state.steps.handoff?.targetMissedAt, "2026-03-02T18:00:00.000Z");
    assert.notEqual(nextWakeAt(run.state), "2026-03-02T18:00:00.000Z");
    assert.deepEqual(
      run.send({ type: "tick" }, MANAGER, "2026-03-02T19:00:00.000Z").filter((e) => e.type === "step.target_missed"),
      [],
      "only once",
    );
    assert.deepEqual(replay(run.ctx.model, run.events), run.state);
  });

  test("a step done before its target raises nothing", () => {
    const run = new Run(modelOf(text), START);
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-02T15:00:00.000Z");
    assert.equal(run.types(run.send({ type: "tick" }, MANAGER, "2026-03-02T20:00:00.000Z")).includes("step.target_missed:handoff"), false);
  });
});

describe("fact-anchored deadlines", () => {
  test("a date fact is a local date of the client: midnight in the client's zone, not 00:00 UTC", () => {
    const text = edited([
      [["facts", "go_live_date"], { type: "date", label: "Agreed go-live date" }],
      [["phases", 0, "steps", 0, "due"], "3 days before facts.go_live_date"],
      [["phases", 0, "steps", 0, "target"], "5 days before facts.go_live_date"],
    ]);
    const run = new Run(modelOf(text), START, { facts: { go_live_date: "2026-03-20" } });
    // 2026-03-17 00:00 in New York (EDT since March 8): 04:00 UTC.
    assert.equal(run.state.steps.handoff?.dueAt, "2026-03-17T04:00:00.000Z");
    assert.equal(run.state.steps.handoff?.targetAt, "2026-03-15T04:00:00.000Z");
    const berlin = new Run(modelOf(text), START, {
      client: { ...CLIENT, timeZone: "Europe/Berlin", country: "DE" },
      facts: { go_live_date: "2026-03-20" },
    });
    assert.equal(berlin.state.steps.handoff?.dueAt, "2026-03-16T23:00:00.000Z");
  });
});

describe("on-demand steps", () => {
  test("an on-demand step's due: counts from when it opens; the project wakes, reminds and flags it overdue", () => {
    const run = new Run(modelOf(edited([[["facts", "data_migration", "default"], false]])), START);
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-02T15:00:00.000Z");
    run.send(
      { type: "approve", step: "kickoff_call", role: "client_primary" },
      person("client_primary", "contact"),
      "2026-03-02T16:00:00.000Z",
    );
    run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-02T16:00:00.000Z");
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 2 } }, csm, "2026-03-03T14:00:00.000Z");
    run.send({ type: "complete_step", step: "uat" }, csm, "2026-03-03T14:00:00.000Z");
    const fix = run.state.steps.fix_uat;
    assert.equal(fix?.status, "open");
    assert.equal(fix?.openedAt, "2026-03-03T14:00:00.000Z");
    // 3 business days (of 8 working hours) from Tuesday 09:00 New York: Thursday 17:00 New York (EST).
    assert.equal(fix?.dueAt, "2026-03-05T22:00:00.000Z");
    const wake = nextWakeAt(run.state);
    assert.ok(wake !== undefined && wake <= "2026-03-05T22:00:00.000Z", `wakes for it (${wake})`);
    const reminded = run.send({ type: "tick" }, MANAGER, "2026-03-05T15:00:00.000Z");
    assert.ok(run.types(reminded).includes("step.reminded:fix_uat"));
    const overdue = run.send({ type: "tick" }, MANAGER, "2026-03-05T22:00:00.000Z");
    assert.ok(run.types(overdue).includes("step.overdue:fix_uat"));
  });
});

describe("on-demand steps without due:", () => {
  test("are held to their phase's window like any step, so the project keeps waking while they are open", () => {
    const text = edited([
      [["phases", 1, "steps", 2, "due"], undefined],
      [["phases", 1, "steps", 1, "after"], []],
      [["phases", 1, "steps", 1, "due"], undefined],
    ]);
    const run = new Run(modelOf(text), START);
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 1 } }, csm, "2026-03-02T15:00:00.000Z");
    run.send({ type: "complete_step", step: "uat" }, csm, "2026-03-02T15:00:00.000Z");
    const fix = run.state.steps.fix_uat;
    assert.equal(fix?.status, "open");
    // Day 45 of the project, as the phase window "Days 11-45" says, the same instant as go-live's "Day 45".
    const goLive = new Run(modelOf(edited([[["phases", 1, "steps", 3, "after"], []]])), START).state.steps.go_live?.dueAt;
    assert.ok(fix?.dueAt !== undefined && fix.dueAt === goLive, `${fix?.dueAt} vs ${goLive}`);
    const wake = nextWakeAt(run.state);
    assert.ok(wake !== undefined && wake <= fix.dueAt);
  });
});

describe("rules at a time of day", () => {
  const text = edited([
    [
      ["rules"],
      [
        {
          id: "chase",
          title: "Chase the handoff at 3 PM",
          category: "automation",
          on: "step.activated",
          step: "handoff",
          after: "1 day",
          at: "15:00 client",
          repeat_every: "1 day",
          until: "step.completed",
          actions: [{ notify: { to: ["ae"], message: "Hand over, please" } }],
        },
      ],
    ],
  ]);

  function firings(zone: string, start: string, days: number): string[] {
    const run = new Run(modelOf(text), start, { client: { ...CLIENT, timeZone: zone } });
    const times: string[] = [];
    for (let i = 0; i < days; i++) {
      const wake = run.state.timers[0]?.fireAt;
      if (wake === undefined) break;
      times.push(wake);
      run.send({ type: "tick" }, MANAGER, wake);
    }
    return times;
  }

  test("across the spring-forward day in Europe/Berlin, 15:00 stays 15:00 local", () => {
    // Clocks go forward on Sunday 2026-03-29: 15:00 is 14:00 UTC before, 13:00 UTC after.
    assert.deepEqual(firings("Europe/Berlin", "2026-03-27T08:00:00.000Z", 3), [
      "2026-03-28T14:00:00.000Z",
      "2026-03-29T13:00:00.000Z",
      "2026-03-30T13:00:00.000Z",
    ]);
  });

  test("across both changes in America/New_York, 15:00 stays 15:00 local", () => {
    assert.deepEqual(firings("America/New_York", "2026-03-06T18:00:00.000Z", 3), [
      "2026-03-07T20:00:00.000Z",
      "2026-03-08T19:00:00.000Z",
      "2026-03-09T19:00:00.000Z",
    ]);
    // Clocks go back on Sunday 2026-11-01.
    assert.deepEqual(firings("America/New_York", "2026-10-30T12:00:00.000Z", 3), [
      "2026-10-31T19:00:00.000Z",
      "2026-11-01T20:00:00.000Z",
      "2026-11-02T20:00:00.000Z",
    ]);
  });

  test("without after:, the rule waits for the next 15:00; a time already past today waits for tomorrow", () => {
    const noDelay = edited([[["rules", 0, "after"], undefined]], text);
    const before = new Run(modelOf(noDelay), "2026-03-02T14:00:00.000Z");
    assert.equal(before.state.timers[0]?.fireAt, "2026-03-02T20:00:00.000Z");
    const after = new Run(modelOf(noDelay), "2026-03-02T21:00:00.000Z");
    assert.equal(after.state.timers[0]?.fireAt, "2026-03-03T20:00:00.000Z");
  });

  test("an at: that is not HH:MM or names an unknown zone owner is refused with a fix", () => {
    for (const bad of ["3 PM", "25:00 client", "15:00 partner", "9:00"]) {
      const found = errors(lint(edited([[["rules", 0, "at"], bad]], text)));
      assert.ok(found.length > 0, bad);
      assert.ok(
        found.some((d) => d.fix),
        bad,
      );
    }
    assert.deepEqual(parseTimeOfDay("09:30 owner"), { ok: true, value: { hour: 9, minute: 30, zone: "owner", text: "09:30 owner" } });
    assert.deepEqual(parseTimeOfDay("09:30").ok, true);
  });
});

describe("an email action's cc, reply_to and from", () => {
  const withEmail = (email: Record<string, unknown>) =>
    edited([
      [["templates"], { "EMAIL-1": { title: "Welcome", kind: "email", subject: "Welcome", body: "Hello" } }],
      [
        ["rules"],
        [
          {
            id: "welcome",
            title: "Welcome the client",
            category: "automation",
            on: "project.started",
            actions: [{ email: { to: ["client_primary"], template: "EMAIL-1", ...email } }],
          },
        ],
      ],
    ]);

  test("are carried by the effect, as written (roles are resolved when the mail goes)", () => {
    const run = new Run(modelOf(withEmail({ cc: ["csm", "finance@globex.example"], reply_to: "csm", from: "ae" })), START);
    const email = run.effects.find((e) => e.kind === "email")?.effect;
    assert.deepEqual(email, {
      kind: "email",
      to: ["client_primary"],
      template: "EMAIL-1",
      cc: ["csm", "finance@globex.example"],
      replyTo: "csm",
      from: "ae",
    });
  });

  test("cc to an unknown role, or a value that is neither a role nor an address, is refused", () => {
    const unknown = errors(lint(withEmail({ cc: ["finance"] })));
    assert.ok(
      unknown.some((d) => /finance/.test(d.message) && d.path.join(".").endsWith("email.cc.0")),
      JSON.stringify(unknown),
    );
    assert.ok(errors(lint(withEmail({ reply_to: "Not An Address" }))).length > 0);
    assert.ok(errors(lint(withEmail({ from: "nobody" }))).length > 0);
    const clean = errors(lint(withEmail({ cc: ["csm", "a@b.example"], reply_to: "x@y.example", from: "csm" })));
    assert.deepEqual(
      clean.filter((d) => d.path.includes("email")),
      [],
    );
  });
});

describe("a project started on a CRM stage before won", () => {
  test("deal.won rules do not fire for it; a won deal still fires them", () => {
    const text = edited([
      [["starts_on"], { crm_stages: ["5 - Negotiating"] }],
      [
        ["rules"],
        [
          {
            id: "won",
            title: "Tell the AE",
            category: "automation",
            on: "deal.won",
            actions: [{ notify: { to: ["ae"], message: "Won" } }, { start_project: {} }],
          },
        ],
      ],
    ]);
    const deal = { source: "crm", dealId: "D-1", stage: "5 - Negotiating", amount: 10 };
    const early = new Run(modelOf(text), START, { deal: { ...deal, won: false } });
    assert.equal(early.events.filter((e) => e.type === "rule.fired").length, 0);
    const won = new Run(modelOf(text), START, { deal: { ...deal, stage: "won" } });
    assert.deepEqual(
      won.events.filter((e) => e.type === "rule.fired").map((e) => (e.type === "rule.fired" ? e.rule : "")),
      ["won"],
    );
    assert.equal(won.effects.filter((e) => e.kind === "start_project").length, 0, "not a second project");
  });
});

describe("a time of day, as a property", () => {
  const ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "America/Santiago"];
  test("the next HH:MM on the zone's clock: at or after the start, within a day and a gap, and on that clock unless skipped", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (zone, from, hour, minute) => {
          const state = { calendar: { timeZone: zone } } as ProjectState;
          const at = { hour, minute, zone: "client" as const, text: "" };
          const start = new Date(from).toISOString();
          const result = atTimeOfDay(state, at, start);
          const ms = Date.parse(result);
          assert.ok(ms >= from, `${result} is not before ${start}`);
          assert.ok(ms - from <= 26 * 3_600_000, `${result} is within a day (and a clock change) of ${start}`);
          const local = DateTime.fromMillis(ms, { zone });
          // A time the clocks skip (spring forward) lands just after the gap; otherwise it is exact.
          if (local.hour !== hour || local.minute !== minute) {
            const before = DateTime.fromMillis(ms - 3_600_000, { zone });
            assert.notEqual(before.offset, local.offset, `${result} reads ${local.toISO()} in ${zone} without a clock change`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
