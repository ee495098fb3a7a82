// Each CSM's load in the coming weeks by the go-live forecast (issue #20, item 3), and who can take
// the next client: an onboarding counts against its CSM in a week while its median forecast go-live
// is after that week starts; one without a forecast (stuck longer than comparable ones) counts all
// along. Capacity is the person's own (Admin → People and capacity): the active onboardings they
// can hold.
import type { Instant } from "../engine/types.ts";

const WEEK_MS = 7 * 86_400_000;

export interface Running {
  readonly csm: string;
  /** The median forecast go-live (epoch ms); undefined when there is none. */
  readonly p50Ms?: number;
}

export interface CsmLoad {
  readonly person: string;
  readonly name: string;
  readonly capacity: number | null;
  /** Onboardings still running at the start of each week (weeks[0] is now). */
  readonly running: readonly number[];
  /** Capacity less next week's load (null without a capacity). */
  readonly freeNextWeek: number | null;
  /** The first week (its start) with room under capacity; null when none in view or no capacity. */
  readonly roomFrom: Instant | null;
  readonly unforecast: number;
}

export function weekStarts(now: Instant, weeks: number): Instant[] {
  return Array.from({ length: weeks }, (_, k) => new Date(Date.parse(now) + k * WEEK_MS).toISOString());
}

export function csmLoads(
  running: readonly Running[],
  people: readonly { readonly id: string; readonly name: string; readonly capacity: number | null }[],
  now: Instant,
  weeks = 8,
): CsmLoad[] {
  const starts = weekStarts(now, weeks);
  const byCsm = new Map<string, Running[]>();
  for (const r of running) {
    const mine = byCsm.get(r.csm);
    if (mine) mine.push(r);
    else byCsm.set(r.csm, [r]);
  }
  const names = new Map(people.map((p) => [p.id, p]));
  const ids = new Set([...byCsm.keys(), ...people.map((p) => p.id)]);
  const loads = [...ids].map((id): CsmLoad => {
    const mine = byCsm.get(id) ?? [];
    const counts = starts.map((start) => {
      const startMs = Date.parse(start);
      return mine.filter((r) => r.p50Ms === undefined || r.p50Ms > startMs).length;
    });
    const capacity = names.get(id)?.capacity ?? null;
    const room = capacity === null ? -1 : counts.findIndex((n) => n < capacity);
    return {
      person: id,
      name: names.get(id)?.name ?? id,
      capacity,
      running: counts,
      freeNextWeek: capacity === null ? null : capacity - (counts[1] ?? 0),
      roomFrom: room < 0 ? null : (starts[room] ?? null),
      unforecast: mine.filter((r) => r.p50Ms === undefined).length,
    };
  });
  // Who can take the next client: the most room next week first; people without a capacity last.
  return loads.sort(
    (a, b) =>
      (b.freeNextWeek ?? Number.NEGATIVE_INFINITY) - (a.freeNextWeek ?? Number.NEGATIVE_INFINITY) ||
      (a.running[1] ?? 0) - (b.running[1] ?? 0) ||
      (a.person < b.person ? -1 : 1),
  );
}
