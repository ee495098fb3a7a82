import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  describeDuration,
  describeTimeOfDay,
  parseDeadline,
  parseDuration,
  parseTimeOfDay,
  parseWindow,
} from "../../src/playbook/time-expressions.ts";

function ok<T>(result: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!result.ok) assert.fail(result.message);
  return result.value;
}

describe("durations", () => {
  test("calendar and business time, short and long forms", () => {
    assert.deepEqual(ok(parseDuration("24h")), { amount: { kind: "literal", value: 24 }, unit: "hour", business: false, text: "24h" });
    assert.equal(ok(parseDuration("4 business hours")).business, true);
    assert.equal(ok(parseDuration("2 business days")).unit, "day");
    assert.equal(ok(parseDuration("1 week")).unit, "week");
    assert.equal(ok(parseDuration("30 minutes")).unit, "minute");
    assert.deepEqual(ok(parseDuration("{{number_of_days}} business days")).amount, { kind: "placeholder", name: "number_of_days" });
  });
  test("rejects what is not a duration, with a fix", () => {
    for (const bad of ["", "soon", "2 fortnights", "-3 days", "2 business months", "days 2"]) {
      const result = parseDuration(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.ok(result.fix.length > 0);
    }
  });
  test("prints in words", () => {
    assert.equal(describeDuration(ok(parseDuration("4 business hours"))), "4 business hours");
    assert.equal(describeDuration(ok(parseDuration("1d"))), "1 day");
  });
});

describe("deadlines", () => {
  test("relative to when the step opens by default", () => {
    const d = ok(parseDeadline("within 24 hours"));
    assert.equal(d.kind, "offset");
    assert.deepEqual(d.anchor, { kind: "activation" });
  });
  test("relative to the start, a step, go-live, a date fact; before and after", () => {
    assert.deepEqual(ok(parseDeadline("2 business days after start")).anchor, { kind: "start" });
    const before = ok(parseDeadline("3 days before kickoff"));
    assert.equal(before.kind === "offset" && before.direction, "before");
    assert.deepEqual(before.anchor, { kind: "step", step: "kickoff", point: "completed" });
    assert.deepEqual(ok(parseDeadline("1 day after kickoff.started")).anchor, { kind: "step", step: "kickoff", point: "started" });
    assert.deepEqual(ok(parseDeadline("30 days before facts.renewal_date")).anchor, { kind: "fact", fact: "renewal_date" });
    assert.deepEqual(ok(parseDeadline("24 hours of assignment")).anchor, { kind: "activation" });
  });
  test("Day N, from the start or from go-live", () => {
    assert.deepEqual(ok(parseDeadline("Day 90")), { kind: "day", day: 90, anchor: { kind: "start" }, text: "Day 90" });
    assert.deepEqual(ok(parseDeadline("Day 30 after go_live")).anchor, { kind: "go_live" });
  });
  test("rejects unknown anchors and shapes", () => {
    assert.equal(parseDeadline("2 days after Kickoff Call").ok, false);
    assert.equal(parseDeadline("next tuesday").ok, false);
    assert.equal(parseDeadline("Day ninety").ok, false);
  });
});

describe("phase windows", () => {
  test("the seeds' forms", () => {
    assert.deepEqual(ok(parseWindow("Days 1-2")).to, { unit: "day", n: 2 });
    assert.deepEqual(ok(parseWindow("Day 0-2")).from, { unit: "day", n: 0 });
    assert.deepEqual(ok(parseWindow("Week 1-2")).to, { unit: "week", n: 2 });
    assert.deepEqual(ok(parseWindow("Weeks 5-12")).from, { unit: "week", n: 5 });
    assert.deepEqual(ok(parseWindow("Week 6")).to, { unit: "week", n: 6 });
    assert.equal(ok(parseWindow("Day 70+")).to, null);
    assert.deepEqual(ok(parseWindow("Days 30-90 after go_live")).anchor, { kind: "go_live" });
  });
  test("a window that ends before it starts says how to fix it", () => {
    const result = parseWindow("Days 45-11");
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.fix, /Days 11-45/);
  });
});

describe("times of day", () => {
  test("\"HH:MM\" and whose zone: the client's by default, or the owner's", () => {
    assert.deepEqual(ok(parseTimeOfDay("15:00 client")), { hour: 15, minute: 0, zone: "client", text: "15:00 client" });
    assert.deepEqual(ok(parseTimeOfDay("09:05 Owner")), { hour: 9, minute: 5, zone: "owner", text: "09:05 Owner" });
    assert.equal(ok(parseTimeOfDay("00:00")).zone, "client");
    for (const bad of ["3 PM", "24:00", "12:60", "9:00", "15:00 partner", "15:00 client extra"]) {
      const result = parseTimeOfDay(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.match(result.fix, /HH:MM|client|owner/);
    }
    assert.equal(describeTimeOfDay(ok(parseTimeOfDay("15:00 client"))), "3 PM in the client's time zone");
    assert.equal(describeTimeOfDay(ok(parseTimeOfDay("00:30 owner"))), "12:30 AM in the owner's time zone");
    assert.equal(describeTimeOfDay(ok(parseTimeOfDay("12:00"))), "12 PM in the client's time zone");
  });
});
