// Instants <-> wall-clock time in one IANA zone, with luxon supplying the tz database lookups.
//
// Why luxon rather than temporal-polyfill: Node 24 has no native Temporal yet, the polyfill is
// several times slower per conversion (this sits on the engine's hot path) and far younger;
// luxon is small, mature, and its zone offsets come straight from the platform's Intl data.
// Revisit when Temporal ships unflagged in Node.
//
// Why we convert wall time to an instant here instead of `DateTime.fromObject`: fromObject seeds
// its offset guess with the current clock (`Settings.now()`), so an ambiguous local time (the
// repeated hour when clocks fall back) resolves differently in January and in July. The engine
// is pure, so we resolve it ourselves, deterministically, the way Temporal's "compatible"
// disambiguation does: an ambiguous time takes the earlier instant, a nonexistent time (the
// skipped hour when clocks spring forward) moves forward by the length of the gap, which is also
// what luxon's own arithmetic does.

import { IANAZone } from "luxon";
import { DAY_MS } from "./civil-date.ts";

const MINUTE_MS = 60_000;
/** Offsets are cached per quarter hour: every modern zone transition falls on such a boundary. */
const BUCKET_MS = 15 * MINUTE_MS;
const CACHE_LIMIT = 100_000;

export function isValidTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

export class ZoneTime {
  readonly name: string;
  /** The luxon zone, for wall-clock arithmetic (`DateTime.plus`). */
  readonly zone: IANAZone;
  // Asking Intl for an offset costs microseconds and due dates ask for many: remember each quarter
  // hour's offset, but only where the offset is the same at both ends of it.
  readonly #offsets = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    this.zone = IANAZone.create(name);
  }

  /** The zone's UTC offset at an instant, in milliseconds. */
  offsetAt(instant: number): number {
    const bucket = Math.floor(instant / BUCKET_MS);
    const cached = this.#offsets.get(bucket);
    if (cached !== undefined) return cached;
    const start = this.zone.offset(bucket * BUCKET_MS) * MINUTE_MS;
    const end = this.zone.offset((bucket + 1) * BUCKET_MS - 1) * MINUTE_MS;
    if (start !== end) return this.zone.offset(instant) * MINUTE_MS;
    if (this.#offsets.size >= CACHE_LIMIT) this.#offsets.clear();
    this.#offsets.set(bucket, start);
    return start;
  }

  /** The local date (epoch days) an instant falls on. */
  localDay(instant: number): number {
    return Math.floor((instant + this.offsetAt(instant)) / DAY_MS);
  }

  /**
   * The instant a wall-clock time names. `wall` is the local date and time written as if it were
   * UTC milliseconds (epoch day * DAY_MS + time of day).
   */
  wallToInstant(wall: number): number {
    // Real zones change offset at most once within a couple of days, so the offsets a day before
    // and a day after are the only candidates.
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const early = wall - Math.max(before, after);
    const late = wall - Math.min(before, after);
    const earlyFits = this.offsetAt(early) === wall - early;
    const lateFits = this.offsetAt(late) === wall - late;
    if (earlyFits) return early; // unambiguous, or the first of two occurrences
    if (lateFits) return late;
    // In a gap: read the wall time with the offset in force before the change, which lands the
    // gap's length later on the clock (02:30 -> 03:30 for a one-hour spring-forward).
    return wall - before;
  }
}
