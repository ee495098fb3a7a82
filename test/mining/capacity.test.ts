// Who can take the next client (issue #20, item 3): each CSM's onboardings still running week by week
// by their median forecast go-live, against their capacity.
import assert from "node:assert/strict";
import { test } from "node:test";
import { csmLoads } from "../../src/mining/capacity.ts";

const NOW = "2026-12-07T09:00:00.000Z";
const inDays = (d: number) => new Date(Date.parse(NOW) + d * 86_400_000).toISOString();

test("loads by week, room against capacity, the most room next week first", () => {
  const loads = csmLoads(
    [
      // Ana: three running, two go live this week, one in three weeks.
      { csm: "ana", p50Ms: Date.parse(inDays(2)) },
      { csm: "ana", p50Ms: Date.parse(inDays(3)) },
      { csm: "ana", p50Ms: Date.parse(inDays(20)) },
      // Ben: two running past the horizon, one with no forecast (counted all along).
      { csm: "ben", p50Ms: Date.parse(inDays(90)) },
      { csm: "ben", p50Ms: Date.parse(inDays(90)) },
      { csm: "ben" },
      // Dee has no capacity set.
      { csm: "dee", p50Ms: Date.parse(inDays(10)) },
    ],
    [
      { id: "ana", name: "Ana", capacity: 3 },
      { id: "ben", name: "Ben", capacity: 3 },
      { id: "cai", name: "Cai", capacity: 2 },
      { id: "dee", name: "Dee", capacity: null },
    ],
    NOW,
    4,
  );
  assert.deepEqual(
    loads.map((l) => [l.person, l.running, l.freeNextWeek, l.roomFrom, l.unforecast]),
    [
      // As much room next week as Ana, and less load: first.
      ["cai", [0, 0, 0, 0], 2, NOW, 0],
      ["ana", [3, 1, 1, 0], 2, inDays(7), 0],
      ["ben", [3, 3, 3, 3], 0, null, 1],
      ["dee", [1, 1, 0, 0], null, null, 0],
    ],
  );
});
