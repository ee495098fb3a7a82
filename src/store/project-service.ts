// The library API over the store: publish playbook versions, start projects, run commands, read
// projects and their events. Every change is one transaction (all or nothing): idempotency key,
// row lock, version check, engine, state, events, outbox, role directory.
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { engineContext } from "../engine/context.ts";
import {
  type MigrationPlan,
  migrateProject,
  nextWakeAt,
  planMigration,
  type StartInput,
  startProject as startEngine,
} from "../engine/index.ts";
import type { Actor, Command, Instant, ProjectState, ProjectStatus } from "../engine/types.ts";
import { applyCommand, type CommandResult, lockProject, persistOutcome, recordOutcome, runEngine } from "./command-path.ts";
import type { Database } from "./database.ts";
import { ConflictError, notFound } from "./errors.ts";
import { chainEvents, insertEvents, loadEvents, type StoredEvent } from "./event-log.ts";
import { GENESIS_HASH } from "./hashing.ts";
import { claimIdempotencyKey, requestHash, storeIdempotentResponse } from "./idempotency.ts";
import { enqueueKeyed, type OutboxEffect } from "./outbox.ts";
import { assignablePeople } from "./people.ts";
import {
  loadPlaybookVersion,
  type PlaybookCache,
  type PlaybookRef,
  type PublishedPlaybook,
  playbookCache,
  publishPlaybook,
} from "./playbooks.ts";
import type { ProjectRow, Schema } from "./schema.ts";
import { fromDb, fromDbOptional, instant } from "./time.ts";
import type { WorkKind } from "./wake.ts";
import { isOutbound } from "./webhook-outbox.ts";

export type { CommandResult } from "./command-path.ts";

/** Key of the advisory lock that serializes project starts, so two starts never both take the last capacity. */
const ASSIGNMENT_LOCK = 0x41737367;

export interface StartRequest {
  /** A published playbook version (see publishPlaybook); the project stays on it. */
  readonly playbook: PlaybookRef;
  /** The engine's start input; without projectId, one is generated. `people` come from the directory. */
  readonly input: Omit<StartInput, "projectId" | "people"> & { readonly projectId?: string };
  readonly idempotencyKey?: string;
  readonly now: Instant | Date;
}

export interface CommandRequest {
  readonly command: Command;
  readonly actor: Actor;
  /** The version the caller last read; a different current version is a ConflictError. */
  readonly expectedVersion?: number;
  readonly idempotencyKey?: string;
  readonly now: Instant | Date;
  /**
   * Something to deliver because this command was accepted (an email step's mail), written to the
   * outbox in the command's transaction under the key given: it goes if and only if the command
   * commits, and a replay of the command does not write it again.
   */
  readonly deliver?: (
    result: CommandResult,
  ) => { readonly key: string; readonly effect: OutboxEffect } | readonly { readonly key: string; readonly effect: OutboxEffect }[];
}

export interface ProjectRecord {
  readonly id: string;
  readonly clientId: string;
  readonly playbook: PlaybookRef;
  readonly state: ProjectState;
  readonly version: number;
  readonly status: ProjectStatus;
  readonly nextWakeAt: Instant | undefined;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
}

export const START_SCOPE = "project.start";
export const COMMAND_SCOPE = "project.command";

function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint || String(e.message).includes(constraint));
}

function recordOf(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    clientId: row.client_id,
    playbook: { id: row.playbook_id, version: row.playbook_version },
    state: row.state as ProjectState,
    version: row.version,
    status: row.status as ProjectStatus,
    nextWakeAt: fromDbOptional(row.next_wake_at),
    createdAt: fromDb(row.created_at),
    updatedAt: fromDb(row.updated_at),
  };
}

/**
 * Runs around each command's transaction (metrics, tracing): told the command's type ("start",
 * "migrate" or the engine command's), it runs `execute` and sees its result or error.
 */
export type CommandObserver = <R extends CommandResult>(command: string, execute: () => Promise<R>) => Promise<R>;

const unobserved: CommandObserver = (_command, execute) => execute();

function replayed(response: unknown): CommandResult {
  return { ...(response as CommandResult), replayed: true };
}

/** A wake-up this close is the scheduler's to run now: its poll might come later. */
const DUE_SOON_MS = 5_000;

/** Moving a project to another published version of its playbook. */
interface MigrateRequest {
  readonly toVersion: string;
  readonly actor: Actor;
  readonly reason: string;
  readonly expectedVersion?: number;
  readonly now: Instant | Date;
}

export class ProjectService {
  readonly database: Database;
  readonly #db: Kysely<Schema>;
  readonly #cache: PlaybookCache;
  readonly #newId: () => string;
  readonly #queued: ((work: ReadonlySet<WorkKind>) => void) | undefined;
  readonly #observe: CommandObserver;

  /**
   * `queued` is called after a command's transaction has committed with work for the background
   * loops: effects in the outbox, events subscribers may follow, a wake-up already due (the server
   * wakes its loops, and other processes', so work starts at once rather than at the next poll);
   * `observe` runs around every command (the server counts and traces them).
   */
  constructor(
    database: Database,
    options: {
      readonly newId?: () => string;
      readonly queued?: (work: ReadonlySet<WorkKind>) => void;
      readonly observe?: CommandObserver;
    } = {},
  ) {
    this.database = database;
    this.#db = database.db;
    this.#cache = playbookCache(database.db);
    this.#newId = options.newId ?? randomUUID;
    this.#queued = options.queued;
    this.#observe = options.observe ?? unobserved;
  }

  /** Tell whoever listens what work the command queued, once it is committed. */
  #committed<R extends CommandResult>(result: R, now: Instant, wroteMore = false): R {
    if (result.replayed || this.#queued === undefined) return result;
    const work = new Set<WorkKind>();
    if (result.effects.length > 0 || wroteMore) work.add("outbox");
    if (result.events.some((stored) => isOutbound(stored.event.type))) work.add("webhooks");
    if (result.nextWakeAt !== undefined && Date.parse(result.nextWakeAt) <= Date.parse(now) + DUE_SOON_MS) work.add("scheduler");
    if (work.size > 0) this.#queued(work);
    return result;
  }

  /** Store a playbook version's source; the same text again is a no-op, different text is a conflict. */
  publishPlaybook(source: string, options: { readonly file?: string; readonly now: Instant | Date }): Promise<PublishedPlaybook> {
    return publishPlaybook(this.#db, this.#cache, source, { ...(options.file ? { file: options.file } : {}), now: instant(options.now) });
  }

  startProject(request: StartRequest): Promise<CommandResult> {
    return this.#observe("start", () => this.#startProject(request));
  }

  async #startProject(request: StartRequest): Promise<CommandResult> {
    const now = instant(request.now);
    const { idempotencyKey } = request;
    const hash =
      idempotencyKey === undefined
        ? ""
        : requestHash({ playbook: { id: request.playbook.id, version: request.playbook.version }, input: request.input });
    try {
      const started = await this.#db.transaction().execute(async (trx) => {
        if (idempotencyKey !== undefined) {
          const claim = await claimIdempotencyKey(trx, START_SCOPE, idempotencyKey, hash, now);
          if (claim.kind === "replay") return replayed(claim.response);
        }
        const { model } = await loadPlaybookVersion(trx, this.#cache, request.playbook);
        // Starts are serialized so the load counted below is still true when the project commits.
        await sql`SELECT pg_advisory_xact_lock(${ASSIGNMENT_LOCK})`.execute(trx);
        const projectId = request.input.projectId ?? this.#newId();
        const { deal } = request.input;
        if (deal) {
          const existing = await trx
            .selectFrom("projects")
            .select("id")
            .where("deal_source", "=", deal.source)
            .where("deal_id", "=", deal.dealId)
            .executeTakeFirst();
          if (existing)
            throw new ConflictError(`deal ${deal.source}:${deal.dealId} already started project ${existing.id}`, {
              projectId: existing.id,
            });
        }
        const people = await assignablePeople(trx);
        const outcome = runEngine(() => startEngine(model, { ...request.input, projectId, people }, now));
        const { client } = request.input;
        await trx
          .insertInto("clients")
          .values({
            id: client.id,
            name: client.name,
            time_zone: client.timeZone,
            country: client.country ?? null,
            region: client.region ?? null,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.column("id").doUpdateSet({
              name: client.name,
              time_zone: client.timeZone,
              country: client.country ?? null,
              region: client.region ?? null,
              updated_at: now,
            }),
          )
          .execute();
        const state = outcome.state;
        const chain = chainEvents(projectId, 0, GENESIS_HASH, outcome.events, now);
        const inserted = await trx
          .insertInto("projects")
          .values({
            id: projectId,
            client_id: client.id,
            playbook_id: request.playbook.id,
            playbook_version: request.playbook.version,
            state: JSON.stringify(state),
            version: state.version,
            status: state.status,
            next_wake_at: nextWakeAt(state) ?? null,
            deal_source: deal?.source ?? null,
            deal_id: deal?.dealId ?? null,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column("id").doNothing())
          .returning("id")
          .executeTakeFirst();
        if (!inserted) throw new ConflictError(`project ${projectId} already exists`, { projectId });
        await insertEvents(trx, chain.rows);
        const result = await recordOutcome(trx, projectId, 0, undefined, outcome, now, chain.stored, model);
        if (idempotencyKey !== undefined) await storeIdempotentResponse(trx, START_SCOPE, idempotencyKey, result);
        return result;
      });
      return this.#committed(started, now);
    } catch (error) {
      if (isUniqueViolation(error, "projects_deal_source_deal_id_key") && request.input.deal) {
        throw new ConflictError(`deal ${request.input.deal.source}:${request.input.deal.dealId} already started a project`, {});
      }
      throw error;
    }
  }

  /** Apply one command to a project, at most once per idempotency key. */
  runCommand(projectId: string, request: CommandRequest): Promise<CommandResult> {
    return this.#observe(request.command.type, () => this.#runCommand(projectId, request));
  }

  async #runCommand(projectId: string, request: CommandRequest): Promise<CommandResult> {
    const now = instant(request.now);
    const { idempotencyKey, expectedVersion } = request;
    // The request is the command and who sends it, not when: a retry comes later with the same key.
    const hash = idempotencyKey === undefined ? "" : requestHash({ projectId, command: request.command, actor: request.actor });
    const result = await this.#db.transaction().execute(async (trx) => {
      if (idempotencyKey !== undefined) {
        const claim = await claimIdempotencyKey(trx, COMMAND_SCOPE, idempotencyKey, hash, now);
        if (claim.kind === "replay") return replayed(claim.response);
      }
      const row = await lockProject(trx, projectId);
      if (!row) throw notFound(`project ${projectId}`, { projectId });
      if (expectedVersion !== undefined && expectedVersion !== row.version) {
        throw new ConflictError(`project ${projectId} is at version ${row.version}, not ${expectedVersion}: reload it and decide again`, {
          projectId,
          expected: expectedVersion,
          current: row.version,
        });
      }
      const result = await applyCommand(trx, this.#cache, row, request.command, request.actor, now);
      if (request.deliver) {
        const delivered = request.deliver(result);
        for (const { key, effect } of Array.isArray(delivered) ? delivered : [delivered])
          await enqueueKeyed(trx, projectId, key, effect, now);
      }
      if (idempotencyKey !== undefined) await storeIdempotentResponse(trx, COMMAND_SCOPE, idempotencyKey, result);
      return result;
    });
    return this.#committed(result, now, request.deliver !== undefined);
  }

  async getProject(projectId: string): Promise<ProjectRecord> {
    const row = await this.#db.selectFrom("projects").selectAll().where("id", "=", projectId).executeTakeFirst();
    if (!row) throw notFound(`project ${projectId}`, { projectId });
    return recordOf(row);
  }

  async listProjects(filter: { readonly status?: ProjectStatus; readonly clientId?: string } = {}): Promise<ProjectRecord[]> {
    let query = this.#db.selectFrom("projects").selectAll().orderBy("created_at").orderBy("id");
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.clientId) query = query.where("client_id", "=", filter.clientId);
    return (await query.execute()).map(recordOf);
  }

  listEvents(projectId: string, options: { readonly afterSeq?: number } = {}): Promise<StoredEvent[]> {
    return loadEvents(this.#db, projectId, options);
  }

  /** What moving a project to another published version of its playbook would change. */
  async previewMigration(projectId: string, toVersion: string, now: Instant | Date): Promise<MigrationPlan> {
    const project = await this.getProject(projectId);
    const from = await loadPlaybookVersion(this.#db, this.#cache, project.playbook);
    const to = await loadPlaybookVersion(this.#db, this.#cache, { id: project.playbook.id, version: toVersion });
    return planMigration(from.model, to.model, project.state, instant(now));
  }

  /**
   * Move a project to another published version of its playbook: one transaction, one logged
   * `project.migrated` event with the reason, refused while the preview shows blockers.
   */
  migrateProject(projectId: string, request: MigrateRequest): Promise<CommandResult & { readonly plan: MigrationPlan }> {
    return this.#observe("migrate", () => this.#migrateProject(projectId, request));
  }

  async #migrateProject(projectId: string, request: MigrateRequest): Promise<CommandResult & { readonly plan: MigrationPlan }> {
    const now = instant(request.now);
    const migrated = await this.#db.transaction().execute(async (trx) => {
      const row = await lockProject(trx, projectId);
      if (!row) throw notFound(`project ${projectId}`, { projectId });
      if (request.expectedVersion !== undefined && request.expectedVersion !== row.version) {
        throw new ConflictError(
          `project ${projectId} is at version ${row.version}, not ${request.expectedVersion}: reload it and decide again`,
          {
            projectId,
            expected: request.expectedVersion,
            current: row.version,
          },
        );
      }
      const from = await loadPlaybookVersion(trx, this.#cache, { id: row.playbook_id, version: row.playbook_version });
      const to = await loadPlaybookVersion(trx, this.#cache, { id: row.playbook_id, version: request.toVersion });
      const state = row.state as ProjectState;
      const outcome = runEngine(() => migrateProject(from.model, to.model, state, request.actor, now, request.reason));
      const result = await persistOutcome(trx, row, state, outcome, now, to.model);
      await trx.updateTable("projects").set({ playbook_version: request.toVersion }).where("id", "=", projectId).execute();
      return { ...result, plan: outcome.plan };
    });
    return this.#committed(migrated, now);
  }

  /** The engine context of a project's own playbook version (for previews and reports). */
  async contextOf(project: ProjectRecord) {
    const { model } = await loadPlaybookVersion(this.#db, this.#cache, project.playbook);
    return engineContext(model, project.state.calendar);
  }
}
