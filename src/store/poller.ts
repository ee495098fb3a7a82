// A long-running loop with a graceful stop, shared by the scheduler and the outbox dispatcher.
// The clock and the sleep are injected: tests drive it without waiting on real time. Long waits
// never sit in memory: a loop wakes every interval and asks the database what is due.
import { setTimeout as delay } from "node:timers/promises";
import type { Instant } from "../engine/types.ts";

export type Clock = () => Instant;
/** Resolve after `ms`, or early (without throwing) when `signal` aborts (or already has). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const systemClock: Clock = () => new Date().toISOString();

export const systemSleep: Sleep = async (ms, signal) => {
  // setTimeout overflows past 2^31-1 ms (~24.8 days); intervals are short, but stay safe.
  await delay(Math.min(Math.max(0, ms), 2 ** 31 - 1), undefined, { signal }).catch(() => {});
};

function aborted(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

export interface PollerEvents<R> {
  /** After each round of work, with what it did. */
  readonly round?: (result: R, at: Instant) => void;
  /** A round failed (the database was unreachable ...); the loop waits one interval and goes on. */
  readonly error?: (error: unknown, at: Instant) => void;
  /** The loop has ended after stop(). */
  readonly stopped?: () => void;
}

export interface PollerOptions<R> {
  readonly work: (now: Instant) => Promise<R>;
  /** True when the round found a full batch: go again at once instead of sleeping. */
  readonly busy: (result: R) => boolean;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly on?: PollerEvents<R>;
}

export class Poller<R> {
  readonly #options: PollerOptions<R>;
  #controller: AbortController | undefined;
  #loop: Promise<void> | undefined;
  /** Set by wake(): the round after this one starts without the pause. */
  #woken = false;
  /** Ends the pause in progress, if any. */
  #endPause: (() => void) | undefined;

  constructor(options: PollerOptions<R>) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#loop !== undefined;
  }

  start(): void {
    if (this.#loop) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#loop = this.#run(controller.signal);
  }

  /** Run a round now rather than after the pause: there is new work (an effect just committed). */
  wake(): void {
    this.#woken = true;
    this.#endPause?.();
  }

  /** Finish the round in progress (its transaction commits or rolls back), then end. */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#controller?.abort();
    await loop;
    this.#loop = undefined;
    this.#controller = undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { work, busy, intervalMs, clock, sleep, on } = this.#options;
    while (!signal.aborted) {
      this.#woken = false;
      const at = clock();
      let again = false;
      try {
        const result = await work(at);
        on?.round?.(result, at);
        again = busy(result);
      } catch (error) {
        on?.error?.(error, at);
      }
      // Raced with the abort so that stop() never waits out a sleep that ignores its signal; wake()
      // (now, or during the round) ends the pause early.
      if (!again && !signal.aborted && !this.#woken) {
        const pause = new AbortController();
        const stop = () => pause.abort();
        signal.addEventListener("abort", stop, { once: true });
        this.#endPause = stop;
        await Promise.race([sleep(intervalMs, pause.signal), aborted(pause.signal)]);
        this.#endPause = undefined;
        signal.removeEventListener("abort", stop);
      }
    }
    on?.stopped?.();
  }
}
