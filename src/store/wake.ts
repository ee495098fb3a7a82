// Wake-ups across processes. A command that queues work (outbox effects, webhook messages, a
// project due now) wakes this process's loops at once; on a PostgreSQL database shared by several
// processes it also sends NOTIFY on one channel, and every process LISTENs there and wakes its
// own loops. Polling stays the fallback: a lost notification (a process killed between its commit
// and its NOTIFY, a LISTEN connection that dropped) costs one polling interval, never the work.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import type { Database, Listening } from "./database.ts";

export const WORK_CHANNEL = "onboard_work";

export type WorkKind = "outbox" | "webhooks" | "scheduler";
const KINDS: ReadonlySet<string> = new Set<WorkKind>(["outbox", "webhooks", "scheduler"]);

export type Wakers = { readonly [K in WorkKind]?: () => void };

/** The payload: who sent it (a process skips its own) and which loops have work. */
function payloadOf(sender: string, kinds: Iterable<WorkKind>): string {
  return `${sender}:${[...kinds].join(",")}`;
}

export function parseWorkPayload(payload: string): { readonly sender: string; readonly kinds: readonly WorkKind[] } {
  const [sender = "", list = ""] = payload.split(":", 2);
  return { sender, kinds: list.split(",").filter((k): k is WorkKind => KINDS.has(k)) };
}

export interface WorkSignalOptions {
  /** Told when a NOTIFY or the LISTEN connection fails (the loops still poll). */
  readonly onError?: (error: unknown) => void;
  /** Pause before listening again after the connection was lost (default 1 s, doubling to 30 s). */
  readonly retryMs?: number;
}

/**
 * One per process: `queued` wakes local loops and tells the other processes; `start` listens for
 * theirs. NOTIFYs are coalesced: at most one is in flight, and what is queued meanwhile goes in
 * the next, so a burst of commands costs a few notifications, not one round trip each.
 */
export class WorkSignal {
  readonly #database: Database;
  readonly #wakers: Wakers;
  readonly #options: WorkSignalOptions;
  readonly #id = randomUUID();
  readonly #pending = new Set<WorkKind>();
  #sending: Promise<void> | undefined;
  #listening: Listening | undefined;
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(database: Database, wakers: Wakers, options: WorkSignalOptions = {}) {
    this.#database = database;
    this.#wakers = wakers;
    this.#options = options;
  }

  /** Other processes exist to tell: the database is a server several processes share. */
  get crossProcess(): boolean {
    return this.#database.capabilities.sharedByProcesses && this.#database.listen !== undefined;
  }

  /** Work was committed: wake the loops here, and elsewhere. */
  queued(kinds: Iterable<WorkKind>): void {
    let any = false;
    for (const kind of kinds) {
      any = true;
      this.#wakers[kind]?.();
      if (this.crossProcess) this.#pending.add(kind);
    }
    if (any && this.crossProcess) this.#sending ??= this.#send();
  }

  async #send(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const kinds = [...this.#pending];
        this.#pending.clear();
        try {
          await sql`SELECT pg_notify(${WORK_CHANNEL}, ${payloadOf(this.#id, kinds)})`.execute(this.#database.db);
        } catch (error) {
          this.#options.onError?.(error);
        }
      }
    } finally {
      this.#sending = undefined;
    }
  }

  /** Listen for other processes' wake-ups until stop(); reconnects after a lost connection. */
  start(): void {
    if (this.#loop || !this.crossProcess) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#loop = this.#listen(stop.signal);
  }

  async #listen(signal: AbortSignal): Promise<void> {
    const listen = this.#database.listen;
    if (!listen) return;
    const base = this.#options.retryMs ?? 1_000;
    let pause = base;
    while (!signal.aborted) {
      try {
        this.#listening = await listen(WORK_CHANNEL, (payload) => this.#received(payload));
        pause = base;
        // Missed while not listening: every loop looks once.
        for (const wake of Object.values(this.#wakers)) wake?.();
        const stopped = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        const lost = await Promise.race([this.#listening.lost, stopped]);
        if (lost instanceof Error) this.#options.onError?.(lost);
      } catch (error) {
        if (!signal.aborted) this.#options.onError?.(error);
      } finally {
        await this.#listening?.close();
        this.#listening = undefined;
      }
      if (signal.aborted) break;
      await delay(pause, undefined, { signal }).catch(() => {});
      pause = Math.min(pause * 2, 30_000);
    }
  }

  #received(payload: string): void {
    const { sender, kinds } = parseWorkPayload(payload);
    if (sender === this.#id) return;
    for (const kind of kinds) this.#wakers[kind]?.();
  }

  /** Stop listening; a NOTIFY in flight finishes. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
    await this.#sending;
    this.#loop = undefined;
    this.#stop = undefined;
  }
}
