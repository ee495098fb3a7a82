// The server's lifecycle: open the database (migrating it), publish the built-in playbooks, make
// sure there is an admin, build the app, run the scheduler, the audit checkpointer and the outbox
// dispatcher in-process (unless turned off for API-only nodes), listen; and stop gracefully:
// requests in flight finish, the background loops end their round, the database closes (releasing
// PGlite's folder lock).

import type { KeyObject } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { generateDemo } from "../demo/generate.ts";
import type { Effect } from "../engine/types.ts";
import { rebuildOpenWork } from "../metrics/open-work-projection.ts";
import { rebuildSummaries } from "../metrics/projection.ts";
import { mineCapacity } from "../mining/mine.ts";
import { refreshRollups } from "../mining/rollups.ts";
import type { Mailer } from "../notify/mailer.ts";
import { RenderPool } from "../notify/render-pool.ts";
import {
  type CheckpointResult,
  type Database,
  type Delivery,
  type EffectHandlers,
  migrate,
  OutboxDispatcher,
  openDatabase,
  ProjectService,
  requireCurrentSchema,
  Scheduler,
  writeCheckpoint,
} from "../store/index.ts";
import { Poller, systemSleep } from "../store/poller.ts";
import { WorkSignal } from "../store/wake.ts";
import { buildApp } from "./app.ts";
import { type AuditKeySource, resolveAuditKey } from "./audit-key.ts";
import type { RouteRule } from "./auth/authorization.ts";
import { MAGIC_LINKS_PER_HOUR, sendSignInLinks } from "./auth/contact-sessions.ts";
import { pruneHits } from "./auth/rate-limits.ts";
import { type AdminBootstrap, bootstrapAdmin } from "./auth/users.ts";
import type { Config } from "./config.ts";
import { type MoveReport, moveStoredFiles, removeOrphanChunks } from "./data/attachments.ts";
import { eraseExpiredRetention, type JournalEntry, reapplyJournal } from "./data/data-requests.ts";
import { type BuiltInReport, publishBuiltIns } from "./data/playbooks.ts";
import { apiDb } from "./data/tables.ts";
import type { ApiDeps } from "./deps.ts";
import type { Api } from "./http.ts";
import { WebhookDispatcher } from "./outbound/dispatcher.ts";
import { configuredMailer, notificationsOf, publicUrlOf } from "./routes/mail/notifications-of.ts";
import { commandObserver, deliveryObserver, tracedHandlers } from "./telemetry/background.ts";
import { startTelemetry, type Telemetry } from "./telemetry/telemetry.ts";
import { checkCrmDefaultPlaybook } from "./webhooks/config-check.ts";
import { reconcileDue } from "./webhooks/reconcile.ts";

/** Summaries re-derived per health review round (each round is one transaction per 200). */
const HEALTH_REVIEW_BATCH = 1000;
/** Projects replayed per process-rollup round (one transaction). */
const PROCESS_ROLLUP_BATCH = 200;

export interface StartOptions {
  /** An open database to use instead of the configured one (tests); the caller closes it. */
  readonly database?: Database;
  readonly clock?: () => string;
  /**
   * Projects of the demo portfolio to create on a database without projects (src/demo). Default:
   * 300 when the server opened the database itself (npm start), none when one is passed in (tests);
   * ONBOARD_DEMO_PROJECTS overrides it (0 turns it off).
   */
  readonly demoProjects?: number;
  /** Where email goes instead of the configured channel (tests). */
  readonly mailer?: Mailer;
  /** The Ed25519 key audit checkpoints are signed with, instead of the configured one (tests). */
  readonly auditKey?: KeyObject;
  /** Playbook sources published at start with the built-in ones, before configuration naming them is checked (tests). */
  readonly publish?: readonly string[];
  /** Where the JSON log lines go instead of standard output (tests read them). */
  readonly logStream?: { write(line: string): void };
}

export interface RunningServer {
  readonly app: Api;
  readonly routes: readonly RouteRule[];
  readonly database: Database;
  readonly admin: AdminBootstrap;
  readonly builtIn: BuiltInReport;
  /** Demo projects being generated in the background on this (empty) database; 0: none. */
  readonly demoProjects: number;
  /** Files kept in database rows (before migration 0011) being moved to the file store; resolves when done. */
  readonly fileMove: Promise<MoveReport | undefined>;
  /** Where the audit signing key came from (its vkey is what verifiers need), or why checkpoints are off. */
  readonly audit: AuditKeySource;
  /** The loops running in this process (undefined when turned off in the configuration). */
  readonly background: {
    readonly scheduler: Scheduler | undefined;
    /** Re-derives portfolio summaries whose health is due for review (with the scheduler). */
    readonly healthReview: Poller<number> | undefined;
    /** Keeps the process-mining rollups up with the events (with the scheduler). */
    readonly processRollups: Poller<number> | undefined;
    readonly outbox: OutboxDispatcher | undefined;
    readonly webhooks: WebhookDispatcher | undefined;
    /** Writes a signed checkpoint of the audit log every AUDIT_CHECKPOINT_INTERVAL (with the scheduler and a key). */
    readonly checkpoints: Poller<CheckpointResult> | undefined;
    /** Erases personal data whose retention ended (with the scheduler). */
    readonly retention: Poller<number> | undefined;
  };
  /** What the endpoints are given (tests run background work by hand with it). */
  readonly deps: ApiDeps;
  /** Erasures the journal re-applied at start (a restored backup lacked them). */
  readonly reapplied: readonly JournalEntry[];
  /** What this server's outbox delivers with (tests with OUTBOX=off deliver through them by hand). */
  readonly outboxHandlers: EffectHandlers;
  /** Start listening on the configured host and port; returns the URL. */
  listen(): Promise<string>;
  /** Graceful stop; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Effects without a channel of their own (start_project today) are delivered to the log, with the
 * delivery key receivers deduplicate on; src/notify's handlers replace the rest.
 */
function logDelivery(log: FastifyBaseLogger): EffectHandlers {
  const deliver = async (effect: Effect, delivery: Delivery) => {
    log.info({ effect, deliveryKey: delivery.key, projectId: delivery.projectId, attempt: delivery.attempt }, `effect ${effect.kind}`);
  };
  return {
    notify: deliver,
    email: deliver,
    escalate: deliver,
    remind: deliver,
    send_survey: deliver,
    send_invite: deliver,
    update_invite: deliver,
    request_approval: deliver,
    assignment_needed: deliver,
    start_project: deliver,
  };
}

/** What the outbox delivers with, in this process: notifications (src/notify), portal sign-in links, the log for the rest. */
export function outboxHandlers(deps: ApiDeps, log: FastifyBaseLogger): EffectHandlers {
  const baseUrl = publicUrlOf(deps.config);
  return {
    ...logDelivery(log),
    ...notificationsOf(deps).handlers(),
    send_sign_in_link: async (effect, delivery) => {
      const { sent, heldBack } = await sendSignInLinks(deps, baseUrl, effect, delivery);
      log.info({ deliveryKey: delivery.key, reqId: delivery.requestId, links: sent }, "portal sign-in links sent");
      // The asker is answered alike either way (no address is confirmed); the operator is told.
      if (heldBack.length > 0)
        log.warn(
          { deliveryKey: delivery.key, reqId: delivery.requestId, contacts: heldBack },
          `no sign-in link mailed to ${heldBack.length} contact(s): each may have ${MAGIC_LINKS_PER_HOUR} links an hour, and these had them`,
        );
      else if (sent === 0)
        log.info({ deliveryKey: delivery.key, reqId: delivery.requestId }, "no active contact has that address: nothing mailed");
    },
  };
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? (() => new Date().toISOString());
  const ownsDatabase = options.database === undefined;
  // What the embedded server does at start (created, moved from PGlite, an orphan stopped) is said
  // at once: the move of a large PGlite folder takes a while, and the logger does not exist yet.
  const database =
    options.database ??
    (await openDatabase(config.database, {
      migrate: config.migrations === "auto",
      log: (message) => process.stderr.write(`onboard: ${message}\n`),
    }));
  // User-authored templates render in these threads, never on the loop that answers requests.
  const templates = new RenderPool({
    threads: config.limits.templateThreads,
    queue: config.limits.templateQueue,
    renderMs: config.limits.templateRenderMs,
  });
  let started: RunningServer | undefined;
  let telemetry: Telemetry | undefined;
  try {
    // MIGRATIONS=off: another process (or `onboard db migrate`) owns the schema; this one only checks it.
    if (config.migrations === "off") await requireCurrentSchema(database.db);
    else if (!ownsDatabase) await migrate(database.db);
    telemetry = await startTelemetry(config.observability, database);
    // Mail goes through SMTP when SMTP_URL is set, else into MAIL_DIR as .eml files; the mail log records it (GET /mail).
    const mailer: Mailer = options.mailer ?? configuredMailer(config, database, clock);
    // Set below once the dispatcher exists: a command that queued effects wakes it on commit, so
    // its mail, invitations and messages leave at once rather than at the next poll.
    let outbox: OutboxDispatcher | undefined;
    let scheduler: Scheduler | undefined;
    let webhooks: WebhookDispatcher | undefined;
    // Work a command queued wakes this process's loops at once, and (on a PostgreSQL database
    // several processes share) the other processes' through NOTIFY.
    const work = new WorkSignal(
      database,
      { outbox: () => outbox?.wake(), webhooks: () => webhooks?.wake(), scheduler: () => scheduler?.wake() },
      { onError: (error) => started?.app.log.warn({ err: error }, "cross-process wake-up failed (the loops still poll)") },
    );
    const service = new ProjectService(database, { queued: (kinds) => work.queued(kinds), observe: commandObserver(telemetry) });
    const audit = await resolveAuditKey(config, { ownsDatabase, key: options.auditKey });
    const auditKey = audit.kind === "off" ? undefined : audit.key;
    const deps: ApiDeps = {
      config,
      database,
      db: apiDb(database),
      service,
      clock,
      mailer,
      templates,
      outboxQueued: () => work.queued(["outbox"]),
      auditKey,
      telemetry,
    };
    const builtIn = await publishBuiltIns(deps);
    for (const source of options.publish ?? []) await service.publishPlaybook(source, { file: "start-option.yaml", now: clock() });
    await checkCrmDefaultPlaybook(deps);
    const admin = await bootstrapAdmin(deps.db, config.admin, clock());
    // The read models (the portfolio, everyone's open work): rows missing or behind (a database from
    // before they existed) are derived now.
    await rebuildSummaries(database.db, clock(), { limit: Number.MAX_SAFE_INTEGER });
    await rebuildOpenWork(database.db, { limit: Number.MAX_SAFE_INTEGER });
    const demoProjects = options.demoProjects ?? config.demoProjects ?? (ownsDatabase ? 300 : 0);
    const emptyDatabase = demoProjects > 0 && (await database.db.selectFrom("projects").select("id").limit(1).execute()).length === 0;
    const { app, routes } = await buildApp(deps, options.logStream ? { logStream: options.logStream } : {});
    const log = app.log;
    // A restored backup from before an erasure brings the erased data back: the erasure journal
    // (outside the database) says what was erased, and each erasure the database lacks runs again.
    const reapplied = await reapplyJournal(deps);
    for (const entry of reapplied)
      log.warn(
        { erasure: entry.id, subject: `${entry.subjectKind}:${entry.subjectId}`, project: entry.projectId },
        "erasure re-applied from the erasure journal: the database did not record it (restored from an older backup?)",
      );
    // The demo portfolio fills an empty database in the background, a batch per transaction, so the
    // server answers at once; stopping the server stops it between batches.
    const demoStop = new AbortController();
    const demo = emptyDatabase
      ? generateDemo(database, { projects: demoProjects, now: clock(), signal: demoStop.signal }).then(
          (report) =>
            log.info(
              { projects: report.projects, events: report.events, ms: Math.round(report.ms) },
              "demo portfolio created on the empty database",
            ),
          (error) => log.error({ err: error }, "demo portfolio failed"),
        )
      : undefined;
    for (const failure of builtIn.failed) log.warn({ file: failure.file }, `built-in playbook not published: ${failure.message}`);
    // Files uploaded before they left the database rows move to the file store, in the background
    // (downloads read unmoved rows meanwhile); leftovers of uploads a crash interrupted go.
    const filesStop = new AbortController();
    const fileMove = (async () => {
      const leftovers = (await database.files.cleanUp()) + (await removeOrphanChunks(deps.db));
      if (leftovers > 0) log.info({ leftovers }, "removed what interrupted uploads left");
      const report = await moveStoredFiles(database, deps.db, filesStop.signal);
      if (report.moved > 0) log.info({ moved: report.moved, to: database.files.description }, "files moved out of the database rows");
      for (const failure of report.failed) log.error({ attachment: failure.id }, `file not moved: ${failure.message}`);
      return report;
    })().catch((error) => {
      log.error({ err: error }, "moving files to the file store failed");
      return undefined;
    });
    if (audit.kind === "off") log.warn(audit.why);
    else {
      if (audit.kind === "generated" && audit.created)
        log.warn(
          { file: audit.file },
          "generated the audit signing key in the data folder: keep it safe, whoever holds it can sign checkpoints",
        );
      log.info({ vkey: audit.key.vkey, origin: audit.key.name }, "audit checkpoints are signed; verifiers need this vkey");
    }

    scheduler = config.scheduler
      ? new Scheduler(database, {
          on: {
            round: (result) => {
              deps.telemetry.metrics.ticked(result);
              // Ticks queue reminders, escalations and webhook messages like commands do.
              if (result.events > 0) work.queued(["outbox", "webhooks"]);
              if (result.changed > 0 || result.failed.length > 0)
                log.info({ ...result, failed: result.failed.map((f) => f.projectId) }, "scheduler round");
            },
            error: (error) => log.error({ err: error }, "scheduler round failed"),
          },
        })
      : undefined;
    // Health that changes only with time (a deadline passing with no event): summaries due for
    // review are re-derived in the background, so the dashboard is right before anyone reads it
    // (reads still catch up a bounded number themselves).
    const healthReview = config.scheduler
      ? new Poller<number>({
          // Also open work a process without its projection left behind (during a rolling upgrade).
          work: async (now) =>
            Math.max(
              await rebuildSummaries(database.db, now, { limit: HEALTH_REVIEW_BATCH }),
              await rebuildOpenWork(database.db, { limit: HEALTH_REVIEW_BATCH }),
            ),
          busy: (reviewed) => reviewed >= HEALTH_REVIEW_BATCH,
          intervalMs: 60_000,
          clock,
          sleep: systemSleep,
          on: { error: (error) => log.error({ err: error }, "health review round failed") },
        })
      : undefined;
    // The process-mining rollups follow the events in the background, a bounded batch at a time, so
    // the Process page rarely has more than a few changed projects to replay when it is read (and
    // a database from before the rollups is summed up without anyone waiting for it). Once caught
    // up, the capacity forecast is read too, so that forecasts a go-live or the clock made stale
    // are made again here rather than on someone's read.
    const processRollups = config.scheduler
      ? new Poller<number>({
          work: async (now) => {
            const replayed = await refreshRollups(database.db, undefined, now, { limit: PROCESS_ROLLUP_BATCH, full: true });
            if (replayed < PROCESS_ROLLUP_BATCH) await mineCapacity(database.db, now);
            return replayed;
          },
          busy: (replayed) => replayed >= PROCESS_ROLLUP_BATCH,
          intervalMs: 60_000,
          clock,
          sleep: systemSleep,
          on: { error: (error) => log.error({ err: error }, "process rollup round failed") },
        })
      : undefined;
    // Rate-limit windows that have ended are forgotten (the longest window is an hour).
    const limitPruning = config.scheduler
      ? new Poller<number>({
          work: (now) => pruneHits(deps.db, new Date(Date.parse(now) - 86_400_000).toISOString()),
          busy: () => false,
          intervalMs: 15 * 60_000,
          clock,
          sleep: systemSleep,
          on: { error: (error) => log.error({ err: error }, "rate limit pruning failed") },
        })
      : undefined;
    // Notifications (src/notify) deliver mail, invitations, survey links, chat and in-app messages;
    // portal sign-in links go from here; start_project is still only logged.
    const handlers = outboxHandlers(deps, log);
    outbox = config.outbox
      ? new OutboxDispatcher(database, {
          handlers: tracedHandlers(handlers, deps.telemetry.tracing),
          attempted: deliveryObserver(log, deps.telemetry.metrics),
          clock,
          on: { error: (error) => log.error({ err: error }, "outbox round failed") },
        })
      : undefined;
    // Outbound webhooks ride with the outbox: an API-only node (OUTBOX=off) sends neither.
    webhooks = config.outbox
      ? new WebhookDispatcher(deps.db, {
          on: {
            round: (result) => deps.telemetry.metrics.webhooksDelivered(result),
            error: (error) => log.error({ err: error }, "webhook round failed"),
          },
        })
      : undefined;
    // SLA breaches and low survey scores become chat alerts through the outbox (with Slack configured).
    const chatAlerts =
      config.outbox && config.notifications.slackWebhookUrl
        ? new Poller<number>({
            work: (now) => notificationsOf(deps).queueChatAlerts(now),
            busy: (queued) => queued >= 100,
            intervalMs: 30_000,
            clock,
            sleep: systemSleep,
            on: { error: (error) => log.error({ err: error }, "chat alert round failed") },
          })
        : undefined;
    // Signed tree heads of the audit log, on a schedule (the advisory lock keeps processes from
    // writing at once); the first round runs at start, so a new log has a checkpoint at once.
    const checkpoints =
      config.scheduler && auditKey && config.audit.checkpointIntervalMs > 0
        ? new Poller<CheckpointResult>({
            work: (now) => writeCheckpoint(database, auditKey, now),
            busy: () => false,
            intervalMs: config.audit.checkpointIntervalMs,
            clock,
            sleep: systemSleep,
            on: {
              round: (result) => {
                if (result.written)
                  log.info({ treeSize: result.checkpoint.treeSize, appended: result.appended }, "audit checkpoint written");
              },
              error: (error) => log.error({ err: error }, "audit checkpoint failed"),
            },
          })
        : undefined;
    // CRM connections that ask for it pull recently won deals, for webhooks that were lost.
    const crmReconcile = config.scheduler
      ? new Poller<number>({
          work: (now) => reconcileDue(deps, now),
          busy: () => false,
          intervalMs: 60_000,
          clock,
          sleep: systemSleep,
          on: { error: (error) => log.error({ err: error }, "CRM reconciliation round failed") },
        })
      : undefined;
    // Projects whose retention ended with `at_end: erase_personal_data` lose their personal data.
    const retention = config.scheduler
      ? new Poller<number>({
          work: (now) => eraseExpiredRetention(deps, now),
          busy: () => false,
          intervalMs: 60 * 60_000,
          clock,
          sleep: systemSleep,
          on: {
            round: (erased) => {
              if (erased > 0) log.info({ erased }, "personal data erased at the end of retention");
            },
            error: (error) => log.error({ err: error }, "retention erasure round failed"),
          },
        })
      : undefined;
    scheduler?.start();
    retention?.start();
    crmReconcile?.start();
    checkpoints?.start();
    healthReview?.start();
    processRollups?.start();
    limitPruning?.start();
    outbox?.start();
    chatAlerts?.start();
    webhooks?.start();
    // An API-only node has no loop to wake: it only sends.
    if (scheduler || outbox) work.start();

    let closing: Promise<void> | undefined;
    started = {
      app,
      routes,
      database,
      admin,
      builtIn,
      demoProjects: emptyDatabase ? demoProjects : 0,
      fileMove,
      audit,
      background: { scheduler, healthReview, processRollups, outbox, webhooks, checkpoints, retention },
      deps,
      reapplied,
      outboxHandlers: handlers,
      async listen() {
        return app.listen({ port: config.port, host: config.host });
      },
      close() {
        closing ??= (async () => {
          demoStop.abort();
          filesStop.abort();
          const stopped = await Promise.allSettled([
            app.close(),
            scheduler?.stop(),
            retention?.stop(),
            crmReconcile?.stop(),
            checkpoints?.stop(),
            healthReview?.stop(),
            processRollups?.stop(),
            limitPruning?.stop(),
            outbox?.stop(),
            chatAlerts?.stop(),
            webhooks?.stop(),
            work.stop(),
            demo,
            fileMove,
          ]);
          await templates.close();
          // Spans still buffered leave now, before the process ends.
          await deps.telemetry.tracing.shutdown().catch((error) => log.error({ err: error }, "sending the last traces failed"));
          for (const result of stopped) if (result.status === "rejected") log.error({ err: result.reason }, "error while stopping");
          if (ownsDatabase) await database.close();
          log.info("stopped");
        })();
        return closing;
      },
    };
    return started;
  } finally {
    if (!started) {
      await templates.close();
      await telemetry?.tracing.shutdown();
      if (ownsDatabase) await database.close();
    }
  }
}
