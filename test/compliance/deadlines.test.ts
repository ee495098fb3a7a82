import assert from "node:assert/strict";
import { test } from "node:test";
import { requestDueAt } from "../../src/compliance/deadlines.ts";

test("a request is due one calendar month after receipt, the month's last day when shorter", () => {
  assert.equal(requestDueAt("2026-03-15T09:30:00.000Z"), "2026-04-15T09:30:00.000Z");
  assert.equal(requestDueAt("2027-01-31T12:00:00.000Z"), "2027-02-28T12:00:00.000Z");
  assert.equal(requestDueAt("2028-01-31T12:00:00.000Z"), "2028-02-29T12:00:00.000Z");
  assert.equal(requestDueAt("2026-12-20T00:00:00.000Z"), "2027-01-20T00:00:00.000Z");
});

test("an extension adds up to two more months, never more", () => {
  assert.equal(requestDueAt("2026-03-15T09:30:00.000Z", 2), "2026-06-15T09:30:00.000Z");
  assert.throws(() => requestDueAt("2026-03-15T09:30:00.000Z", 3), /0 to 2 months/);
  assert.throws(() => requestDueAt("yesterday"), /not an instant/);
});
