// The controls report's pure parts: role intervals rebuilt from the access-change log (accounts
// older than the log, deactivation gaps, changes after the period), periods, and CSV cells that a
// spreadsheet would run as formulas.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AccessChangeRecord, type Account, periodBounds, roleIntervals } from "../../src/compliance/controls-report.ts";

const MARCH = periodBounds({ from: "2026-03-01", to: "2026-03-31" });

function change(
  at: string,
  subject: string,
  kind: string,
  before: string[] | null = null,
  after: string[] | null = null,
): AccessChangeRecord {
  return { at, actor: "admin", subject, change: kind, rolesBefore: before, rolesAfter: after, details: {} };
}

const account = (id: string, roles: string[], active = true): Account => ({
  id,
  name: id,
  email: `${id}@example.com`,
  kind: "person",
  roles,
  active,
});

describe("role intervals", () => {
  test("an account older than the log held its first roles since before the log began", () => {
    const changes = [change("2026-03-10T09:00:00.000Z", "old", "roles_changed", ["csm"], ["csm", "admin"])];
    assert.deepEqual(
      roleIntervals(account("old", ["csm", "admin"]), changes, MARCH).map((i) => [i.role, i.from, i.to]),
      [
        ["admin", "2026-03-10T09:00:00.000Z", null],
        ["csm", null, null],
      ],
    );
  });

  test("a deactivation ends every role; a reactivation starts them again; later changes do not show", () => {
    const changes = [
      change("2026-02-01T00:00:00.000Z", "u", "account_created", null, ["support"]),
      change("2026-03-05T00:00:00.000Z", "u", "deactivated"),
      change("2026-03-07T00:00:00.000Z", "u", "reactivated"),
      change("2026-04-02T00:00:00.000Z", "u", "roles_changed", ["support"], ["csm"]),
    ];
    assert.deepEqual(
      roleIntervals(account("u", ["csm"]), changes, MARCH).map((i) => [i.role, i.from, i.to]),
      [
        ["support", "2026-02-01T00:00:00.000Z", "2026-03-05T00:00:00.000Z"],
        ["support", "2026-03-07T00:00:00.000Z", null],
      ],
    );
  });

  test("roles that ended before the period, or an account made after it, are not listed", () => {
    const changes = [
      change("2026-01-01T00:00:00.000Z", "gone", "account_created", null, ["admin"]),
      change("2026-02-01T00:00:00.000Z", "gone", "deactivated"),
      change("2026-04-05T00:00:00.000Z", "late", "account_created", null, ["csm"]),
    ];
    assert.deepEqual(roleIntervals(account("gone", ["admin"], false), changes, MARCH), []);
    assert.deepEqual(roleIntervals(account("late", ["csm"]), changes, MARCH), []);
  });
});

describe("periods", () => {
  test("a period runs from the first day's midnight to the end of the last (UTC)", () => {
    assert.deepEqual(periodBounds({ from: "2026-03-01", to: "2026-03-01" }), {
      start: "2026-03-01T00:00:00.000Z",
      end: "2026-03-02T00:00:00.000Z",
    });
  });
  test("a date that does not exist, or an end before the start, names the field", () => {
    assert.throws(() => periodBounds({ from: "2026-02-30", to: "2026-03-01" }), /^RangeError: from: "2026-02-30" is not a date/);
    assert.throws(() => periodBounds({ from: "2026-03-02", to: "2026-03-01" }), /^RangeError: to: 2026-03-01 is before from/);
  });
});
