// The scheduler: time is an input, so it only asks the database which active projects are due and
// sends each the engine's tick through the same command path as people's commands (events, outbox
// and next_wake_at written together). Claims use FOR UPDATE SKIP LOCKED inside one transaction:
// several workers never tick the same project at once, and a worker killed mid-batch loses nothing
// because its transaction rolls back and the projects stay due.
import { sql } from "kysely";
import { TICK } from "../engine/index.ts";
import { type Instant, SYSTEM } from "../engine/types.ts";
import { applyCommand } from "./command-path.ts";
import type { Database } from "./database.ts";
import { playbookCache } from "./playbooks.ts";
import { type Clock, Poller, type PollerEvents, type Sleep, systemClock, systemSleep } from "./poller.ts";
import { addMs, fromDb, fromDbOptional, instant } from "./time.ts";

export interface TickOptions {
  /**
   * Projects claimed per transaction. Default 50, or 10 on a single connection, where a batch's
   * transaction makes every other query of the process wait.
   */
  readonly batchSize?: number;
  /**
   * A project still due after its tick (the engine left a wake-up in the past) or whose tick failed
   * is looked at again after this long (default 15 minutes), so it cannot hold up the queue.
   */
  readonly retryDelayMs?: number;
}

export interface TickResult {
  readonly claimed: number;
  /** Projects whose tick recorded events. */
  readonly changed: number;
  readonly events: number;
  readonly failed: readonly { readonly projectId: string; readonly error: unknown }[];
  readonly stalled: readonly string[];
  /** How late the most overdue project claimed was (now - its next_wake_at), ms; 0 when none was claimed. */
  readonly lagMs: number;
}

function defaultBatchSize(database: Database): number {
  return database.capabilities.singleConnection ? 10 : 50;
}

export async function runDueTicks(database: Database, now: Instant | Date, options: TickOptions = {}): Promise<TickResult> {
  const at = instant(now);
  const batchSize = options.batchSize ?? defaultBatchSize(database);
  const retryAt = addMs(at, options.retryDelayMs ?? 15 * 60_000);
  const cache = playbookCache(database.db);
  return database.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("projects")
      .selectAll()
      // Not only active ones: surveys after completion and continuing cadences wake closed projects.
      .where("status", "in", ["active", "on_hold", "closed"])
      .where("next_wake_at", "<=", new Date(at))
      .orderBy("next_wake_at")
      .orderBy("id")
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    let changed = 0;
    let events = 0;
    const failed: { projectId: string; error: unknown }[] = [];
    const stalled: string[] = [];
    for (const row of rows) {
      // One broken project (a playbook that no longer loads, an engine bug) must not roll back the
      // others' ticks: each runs behind a savepoint.
      await sql`SAVEPOINT tick`.execute(trx);
      try {
        const result = await applyCommand(trx, cache, row, TICK, SYSTEM, at);
        await sql`RELEASE SAVEPOINT tick`.execute(trx);
        if (result.events.length > 0) changed++;
        events += result.events.length;
        const wake = result.events.length > 0 ? result.nextWakeAt : fromDbOptional(row.next_wake_at);
        if (wake !== undefined && wake <= at) {
          stalled.push(row.id);
          await trx.updateTable("projects").set({ next_wake_at: retryAt }).where("id", "=", row.id).execute();
        }
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT tick`.execute(trx);
        failed.push({ projectId: row.id, error });
        await trx.updateTable("projects").set({ next_wake_at: retryAt }).where("id", "=", row.id).execute();
      }
    }
    // Rows come oldest wake-up first: the first one is the most overdue.
    const oldest = rows[0]?.next_wake_at;
    const lagMs = oldest ? Math.max(0, Date.parse(at) - Date.parse(fromDb(oldest))) : 0;
    return { claimed: rows.length, changed, events, failed, stalled, lagMs };
  });
}

export interface SchedulerOptions extends TickOptions {
  /** Pause between polls when nothing more is due (default 5 s). */
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly on?: PollerEvents<TickResult>;
}

/** Polls runDueTicks until stopped; stop() lets the batch in progress commit first. */
export class Scheduler extends Poller<TickResult> {
  constructor(database: Database, options: SchedulerOptions = {}) {
    const batchSize = options.batchSize ?? defaultBatchSize(database);
    super({
      work: (now) => runDueTicks(database, now, { ...options, batchSize }),
      busy: (result) => result.claimed >= batchSize,
      intervalMs: options.intervalMs ?? 5_000,
      clock: options.clock ?? systemClock,
      sleep: options.sleep ?? systemSleep,
      ...(options.on ? { on: options.on } : {}),
    });
  }
}
