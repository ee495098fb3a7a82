// The server's Prometheus metrics, in a registry of its own (tests run many servers in one
// process; the global registry would mix them). Counters and histograms are fed where things
// happen (requests, commands, deliveries, scheduler rounds); queue depths, the scheduler's lag and
// the connection pool are read when Prometheus scrapes, by indexed queries.
import { sql } from "kysely";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Database, DeliveryAttempt, TickResult } from "../../store/index.ts";
import type { WebhookDispatchResult } from "../outbound/dispatcher.ts";

/** Latency buckets in seconds: from a cached read to a slow export. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Scheduler lag buckets in seconds: on time (the poll interval) to an hour behind. */
const LAG_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** What the scrape-time gauges read in one round of queries. */
export interface QueueSample {
  readonly outbox: readonly { readonly kind: string; readonly pending: number; readonly oldestDueAgeSeconds: number }[];
  readonly webhooks: { readonly pending: number; readonly oldestDueAgeSeconds: number };
  /** Seconds the most overdue project due for a tick has waited (0: none is due). */
  readonly schedulerLagSeconds: number;
}

/** How late the scheduler is: now - the oldest next_wake_at among projects it would tick (the projects_due index). */
export async function schedulerLagSeconds(database: Database): Promise<number> {
  const { rows } = await sql<{ lag: number | string | null }>`
    SELECT EXTRACT(EPOCH FROM (now() - min(next_wake_at))) AS lag FROM projects
    WHERE status IN ('active', 'on_hold', 'closed') AND next_wake_at IS NOT NULL`.execute(database.db);
  return Math.max(0, Number(rows[0]?.lag ?? 0));
}

async function sampleQueues(database: Database): Promise<QueueSample> {
  // Both read only pending rows, through the partial indexes on (next_attempt_at) WHERE pending.
  const outbox = await sql<{ kind: string; pending: string | number; age: string | number | null }>`
    SELECT kind, count(*) AS pending,
      EXTRACT(EPOCH FROM (now() - min(created_at) FILTER (WHERE next_attempt_at <= now()))) AS age
    FROM outbox WHERE status = 'pending' GROUP BY kind`.execute(database.db);
  const webhooks = await sql<{ pending: string | number; age: string | number | null }>`
    SELECT count(*) AS pending,
      EXTRACT(EPOCH FROM (now() - min(created_at) FILTER (WHERE next_attempt_at <= now()))) AS age
    FROM webhook_messages WHERE status = 'pending'`.execute(database.db);
  const hook = webhooks.rows[0];
  return {
    outbox: outbox.rows.map((r) => ({ kind: r.kind, pending: Number(r.pending), oldestDueAgeSeconds: Math.max(0, Number(r.age ?? 0)) })),
    webhooks: { pending: Number(hook?.pending ?? 0), oldestDueAgeSeconds: Math.max(0, Number(hook?.age ?? 0)) },
    schedulerLagSeconds: await schedulerLagSeconds(database),
  };
}

export class Metrics {
  readonly registry = new Registry();
  readonly #database: Database;
  /** One round of queries serves every gauge of a scrape (and scrapes within a second). */
  #sample: { readonly at: number; readonly value: Promise<QueueSample> } | undefined;

  readonly #http = new Histogram({
    name: "onboard_http_request_duration_seconds",
    help: "HTTP requests by route pattern, method and status class, and how long they took.",
    labelNames: ["route", "method", "status_class"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #commands = new Counter({
    name: "onboard_commands_total",
    help: "Commands committed on projects, by command type (tick: the scheduler's).",
    labelNames: ["command"] as const,
    registers: [this.registry],
  });
  readonly #commandFailures = new Counter({
    name: "onboard_command_failures_total",
    help: "Commands refused or failed (nothing was committed), by command type.",
    labelNames: ["command"] as const,
    registers: [this.registry],
  });
  readonly #events = new Counter({
    name: "onboard_events_total",
    help: "Events recorded in project logs by committed commands.",
    labelNames: ["command"] as const,
    registers: [this.registry],
  });
  readonly #deliveries = new Counter({
    name: "onboard_outbox_deliveries_total",
    help: "Outbox delivery attempts by effect kind and outcome (retried: failed or deferred with attempts left).",
    labelNames: ["kind", "outcome"] as const,
    registers: [this.registry],
  });
  readonly #webhookDeliveries = new Counter({
    name: "onboard_webhook_deliveries_total",
    help: "Outbound webhook delivery attempts by outcome; retried and failed are the failures.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly #tickLag = new Histogram({
    name: "onboard_scheduler_tick_lag_seconds",
    help: "How late the most overdue project of each scheduler round that claimed some was.",
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  constructor(database: Database) {
    this.#database = database;
    collectDefaultMetrics({ register: this.registry, prefix: "onboard_" });
    const metrics = this;
    new Gauge({
      name: "onboard_outbox_pending",
      help: "Outbox messages waiting for delivery (due or backing off), by effect kind.",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      async collect() {
        const sample = await metrics.#sampled();
        this.reset();
        for (const row of sample.outbox) this.set({ kind: row.kind }, row.pending);
      },
    });
    new Gauge({
      name: "onboard_outbox_oldest_due_age_seconds",
      help: "Age of the oldest outbox message that is due and not delivered, by effect kind (0: none due).",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      async collect() {
        const sample = await metrics.#sampled();
        this.reset();
        for (const row of sample.outbox) this.set({ kind: row.kind }, row.oldestDueAgeSeconds);
      },
    });
    new Gauge({
      name: "onboard_webhook_messages_pending",
      help: "Outbound webhook messages waiting for delivery.",
      registers: [this.registry],
      async collect() {
        this.set((await metrics.#sampled()).webhooks.pending);
      },
    });
    new Gauge({
      name: "onboard_webhook_oldest_due_age_seconds",
      help: "Age of the oldest outbound webhook message that is due and not delivered (0: none due).",
      registers: [this.registry],
      async collect() {
        this.set((await metrics.#sampled()).webhooks.oldestDueAgeSeconds);
      },
    });
    new Gauge({
      name: "onboard_scheduler_lag_seconds",
      help: "Seconds the most overdue project due for a scheduler tick has waited (0: none is due).",
      registers: [this.registry],
      async collect() {
        this.set((await metrics.#sampled()).schedulerLagSeconds);
      },
    });
    new Gauge({
      name: "onboard_db_connections",
      help: "Database connections of this process: max (pool size; 1 for PGlite), in_use, idle, and waiting requests.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const use = database.connections();
        this.reset();
        this.set({ state: "max" }, use.max);
        if (use.inUse !== undefined) this.set({ state: "in_use" }, use.inUse);
        if (use.idle !== undefined) this.set({ state: "idle" }, use.idle);
        if (use.waiting !== undefined) this.set({ state: "waiting" }, use.waiting);
      },
    });
  }

  #sampled(): Promise<QueueSample> {
    const now = Date.now();
    if (this.#sample === undefined || now - this.#sample.at > 1_000) {
      const value = sampleQueues(this.#database);
      // A failed sample is not kept: the next scrape asks again.
      value.catch(() => {
        if (this.#sample?.value === value) this.#sample = undefined;
      });
      this.#sample = { at: now, value };
    }
    return this.#sample.value;
  }

  /** The text Prometheus scrapes. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.#http.observe({ route, method, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  command(command: string, events: number): void {
    this.#commands.inc({ command });
    if (events > 0) this.#events.inc({ command }, events);
  }

  commandFailed(command: string): void {
    this.#commandFailures.inc({ command });
  }

  /** A scheduler round: its ticks are commands too. */
  ticked(result: TickResult): void {
    const ticked = result.claimed - result.failed.length;
    if (ticked > 0) this.#commands.inc({ command: "tick" }, ticked);
    if (result.failed.length > 0) this.#commandFailures.inc({ command: "tick" }, result.failed.length);
    if (result.events > 0) this.#events.inc({ command: "tick" }, result.events);
    if (result.claimed > 0) this.#tickLag.observe(result.lagMs / 1000);
  }

  delivered(attempt: DeliveryAttempt): void {
    this.#deliveries.inc({ kind: attempt.kind, outcome: attempt.outcome });
  }

  webhooksDelivered(result: WebhookDispatchResult): void {
    for (const outcome of ["delivered", "retried", "failed"] as const)
      if (result[outcome] > 0) this.#webhookDeliveries.inc({ outcome }, result[outcome]);
  }
}
