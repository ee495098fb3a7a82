// Percentiles from duration histograms against percentile_cont over the exact values, and how a
// KPI period splits into whole days (rollups) and partial days (rows).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { BIN_MS, binOf, Histogram } from "../../src/metrics/histogram.ts";
import { splitPeriod } from "../../src/metrics/kpi-queries.ts";

const DAY = 86_400_000;

/** SQL's percentile_cont over exact values, in days. */
function percentileCont(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const at = (i: number) => (sorted[i] as number) / DAY;
  return at(lo) + (rank - lo) * (at(hi) - at(lo));
}

const histogramOf = (values: readonly number[]) => {
  const h = new Histogram();
  for (const v of values) h.add(binOf(v), 1, v);
  return h;
};

describe("duration histograms", () => {
  test("durations in whole days give exactly SQL's percentile_cont", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (days, q) => {
        const values = days.map((d) => d * DAY);
        const exact = percentileCont(values, q);
        const read = histogramOf(values).percentileDays(q);
        if (exact === null) assert.equal(read, null);
        else assert.ok(Math.abs((read as number) - exact) < 1e-9, `${read} vs ${exact}`);
      }),
    );
  });

  test("any durations: within a tenth of a day of percentile_cont", () => {
    // Two values in one bin stand at their mean: 0 h and 1 h read as 30 minutes each.
    assert.equal(histogramOf([0, 3_600_000]).percentileDays(0), 0.5 / 24);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5 * DAY, max: 400 * DAY }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9, 0.1, 1, 0),
        (values, q) => {
          const exact = percentileCont(values, q) as number;
          const read = histogramOf(values).percentileDays(q) as number;
          assert.ok(Math.abs(read - exact) <= BIN_MS / DAY + 1e-9, `${read} vs ${exact}`);
        },
      ),
    );
  });

  test("bucket counts and means are exact", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 * DAY }), { maxLength: 200 }),
        fc.nat(150),
        fc.option(fc.nat(200)),
        (values, from, to) => {
          const upper = to === null ? null : from + to;
          const h = histogramOf(values);
          const expected = values.filter((v) => v >= from * DAY && (upper === null || v < upper * DAY)).length;
          assert.equal(h.countBetween(from, upper), expected);
          assert.equal(h.count, values.length);
          const mean = h.meanDays();
          if (values.length === 0) assert.equal(mean, null);
          else assert.ok(Math.abs((mean as number) - values.reduce((s, v) => s + v, 0) / values.length / DAY) < 1e-9);
        },
      ),
    );
  });

  test("histograms add up: merged halves equal the whole", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 * DAY }), { maxLength: 100 }), fc.nat(), (values, cut) => {
        const at = values.length === 0 ? 0 : cut % values.length;
        const merged = histogramOf(values.slice(0, at)).addAll(histogramOf(values.slice(at)).bins());
        assert.deepEqual(merged.bins(), histogramOf(values).bins());
      }),
    );
  });
});

describe("KPI periods", () => {
  test("whole days go to the rollups, the partial days at the edges to the rows", () => {
    assert.deepEqual(splitPeriod(undefined, undefined), { days: {}, edges: [] });
    assert.deepEqual(splitPeriod("2026-03-02T00:00:00.000Z", "2026-03-05T00:00:00.000Z"), {
      days: { fromDay: "2026-03-02", toDay: "2026-03-05" },
      edges: [],
    });
    assert.deepEqual(splitPeriod("2026-03-02T10:00:00.000Z", "2026-03-05T06:30:00.000Z"), {
      days: { fromDay: "2026-03-03", toDay: "2026-03-05" },
      edges: [
        { from: "2026-03-02T10:00:00.000Z", to: "2026-03-03T00:00:00.000Z" },
        { from: "2026-03-05T00:00:00.000Z", to: "2026-03-05T06:30:00.000Z" },
      ],
    });
    assert.deepEqual(splitPeriod("2026-03-02T10:00:00.000Z", undefined), {
      days: { fromDay: "2026-03-03" },
      edges: [{ from: "2026-03-02T10:00:00.000Z", to: "2026-03-03T00:00:00.000Z" }],
    });
    // Within one day: only the rows.
    assert.deepEqual(splitPeriod("2026-03-02T10:00:00.000Z", "2026-03-02T12:00:00.000Z"), {
      days: null,
      edges: [{ from: "2026-03-02T10:00:00.000Z", to: "2026-03-02T12:00:00.000Z" }],
    });
    // An empty or reversed period holds nothing.
    assert.deepEqual(splitPeriod("2026-03-04T10:00:00.000Z", "2026-03-02T12:00:00.000Z"), { days: null, edges: [] });
    // From the last day of 9999 no whole day is left (the next would be written +010000-01-01).
    assert.deepEqual(splitPeriod("9999-12-31T23:59:59Z", undefined), { days: null, edges: [{ from: "9999-12-31T23:59:59Z" }] });
  });

  test("the pieces cover the period exactly once", () => {
    const base = Date.parse("2026-01-01T00:00:00.000Z");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.integer({ min: 0, max: 50 * DAY }),
        (a, b, probe) => {
          const from = new Date(base + Math.min(a, b)).toISOString();
          const to = new Date(base + Math.max(a, b)).toISOString();
          const t = base + probe;
          const { days, edges } = splitPeriod(from, to);
          const inDays =
            days !== null &&
            (days.fromDay === undefined || t >= Date.parse(`${days.fromDay}T00:00:00.000Z`)) &&
            (days.toDay === undefined || t < Date.parse(`${days.toDay}T00:00:00.000Z`));
          const inEdges = edges.filter((e) => t >= Date.parse(e.from as string) && t < Date.parse(e.to as string)).length;
          const inside = t >= Date.parse(from) && t < Date.parse(to);
          assert.equal(Number(inDays) + inEdges, inside ? 1 : 0);
        },
      ),
    );
  });
});
