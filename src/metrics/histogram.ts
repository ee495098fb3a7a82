// Durations (days to go-live, days per phase...) are kept as histograms so that KPIs over a
// hundred thousand projects add up a few thousand rows instead of sorting every value. A bin is a
// tenth of a day wide and also keeps the exact sum of its values, so a percentile is read at the
// mean of the values in its bin: exact when they are equal (durations in whole days, say),
// within a tenth of a day otherwise. Bucket counts are exact (bucket edges are whole days).

const DAY_MS = 86_400_000;
/** The width of a bin: a tenth of a day. */
export const BIN_MS = DAY_MS / 10;

export interface HistogramBin {
  /** floor(milliseconds / BIN_MS). */
  readonly bin: number;
  readonly count: number;
  /** The sum of the values in the bin, in whole milliseconds. */
  readonly totalMs: number;
}

/** The bin of a duration in whole milliseconds (integer division: the same in SQL and here). */
export function binOf(ms: number): number {
  return Math.floor(ms / BIN_MS);
}

/** Add bins up by bin number. */
export class Histogram {
  readonly #bins = new Map<number, { count: number; totalMs: number }>();

  add(bin: number, count: number, totalMs: number): this {
    const b = this.#bins.get(bin);
    if (b) {
      b.count += count;
      b.totalMs += totalMs;
    } else this.#bins.set(bin, { count, totalMs });
    return this;
  }

  addAll(bins: Iterable<HistogramBin>): this {
    for (const b of bins) this.add(b.bin, b.count, b.totalMs);
    return this;
  }

  get count(): number {
    let n = 0;
    for (const b of this.#bins.values()) n += b.count;
    return n;
  }

  /** Non-empty bins in ascending order. */
  bins(): HistogramBin[] {
    return [...this.#bins]
      .filter(([, b]) => b.count > 0)
      .map(([bin, b]) => ({ bin, count: b.count, totalMs: b.totalMs }))
      .sort((x, y) => x.bin - y.bin);
  }

  /**
   * The q-quantile in days, interpolated like SQL's percentile_cont between the two values around
   * rank q·(n−1), each value standing at the mean of its bin. Null when empty.
   */
  percentileDays(q: number): number | null {
    const bins = this.bins();
    const n = bins.reduce((s, b) => s + b.count, 0);
    if (n === 0) return null;
    const rank = q * (n - 1);
    const lower = Math.floor(rank);
    const upper = Math.ceil(rank);
    const at = (index: number): number => {
      let seen = 0;
      for (const b of bins) {
        seen += b.count;
        if (index < seen) return b.totalMs / b.count / DAY_MS;
      }
      const last = bins[bins.length - 1] as HistogramBin;
      return last.totalMs / last.count / DAY_MS;
    };
    const low = at(lower);
    return upper === lower ? low : low + (rank - lower) * (at(upper) - low);
  }

  /** The mean in days. Null when empty. */
  meanDays(): number | null {
    let n = 0;
    let total = 0;
    for (const b of this.#bins.values()) {
      n += b.count;
      total += b.totalMs;
    }
    return n === 0 ? null : total / n / DAY_MS;
  }

  /** How many values are at least `fromDays` and below `toDays` (null: no upper edge); whole days. */
  countBetween(fromDays: number, toDays: number | null): number {
    const from = (fromDays * DAY_MS) / BIN_MS;
    const to = toDays === null ? Number.POSITIVE_INFINITY : (toDays * DAY_MS) / BIN_MS;
    let n = 0;
    for (const [bin, b] of this.#bins) if (bin >= from && bin < to) n += b.count;
    return n;
  }
}
