// The one path every change to a project takes, inside the caller's transaction: the project row is
// locked, the engine decides on the project's own playbook version, and the new state, version and
// wake-up time, the events, the effects and the role directory are written together. Used by the
// project service (people's commands) and the scheduler (ticks).
import type { Kysely } from "kysely";
import { engineContext } from "../engine/context.ts";
import { EngineError } from "../engine/errors.ts";
import { execute, nextWakeAt } from "../engine/index.ts";
import type { Actor, Command, Effect, Instant, Outcome, ProjectState, ProjectStatus } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { AppError, ConflictError, fromEngineError } from "./errors.ts";
import { chainEvents, headHash, insertEvents, type StoredEvent } from "./event-log.ts";
import { enqueueEffects } from "./outbox.ts";
import { syncProjectRoles } from "./people.ts";
import { loadPlaybookVersion, type PlaybookCache } from "./playbooks.ts";
import { runProjections } from "./projections.ts";
import type { ProjectRow, Schema } from "./schema.ts";
import { enqueueWebhookMessages } from "./webhook-outbox.ts";

/** What a command did, as returned to the caller and stored for idempotent replays. */
export interface CommandResult {
  readonly projectId: string;
  /** The project's version after the command: send it back as expectedVersion next time. */
  readonly version: number;
  readonly status: ProjectStatus;
  readonly nextWakeAt: Instant | undefined;
  readonly events: readonly StoredEvent[];
  readonly effects: readonly Effect[];
  /** True when this is the stored response of an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

/** Lock a project row for the rest of the transaction; undefined when it does not exist. */
export async function lockProject(trx: Kysely<Schema>, projectId: string): Promise<ProjectRow | undefined> {
  return trx.selectFrom("projects").selectAll().where("id", "=", projectId).forUpdate().executeTakeFirst();
}

export function runEngine<T>(decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    if (error instanceof EngineError) throw fromEngineError(error);
    throw error;
  }
}

/** Write an outcome: state, version and wake-up (guarded by the version read), then its events and records. */
export async function persistOutcome(
  trx: Kysely<Schema>,
  row: Pick<ProjectRow, "id" | "version">,
  before: ProjectState,
  outcome: Outcome,
  now: Instant,
  /** The model the engine ran with, handed on to the projections. */
  model?: PlaybookModel,
): Promise<CommandResult> {
  const { state, events } = outcome;
  if (state.version !== row.version + events.length) {
    throw new AppError(
      "illegal_state",
      `the engine returned version ${state.version} after ${events.length} events on version ${row.version}`,
      {
        projectId: row.id,
      },
    );
  }
  if (events.length === 0) return recordOutcome(trx, row.id, row.version, before, outcome, now, [], model);
  // Reading the tail's hash also refuses to build on a log whose tail was deleted.
  const prevHash = await headHash(trx, row.id, row.version);
  const chain = chainEvents(row.id, row.version, prevHash, events, now);
  // The version check belongs in the UPDATE: it holds even if a caller forgot the row lock.
  const updated = await trx
    .updateTable("projects")
    .set({
      state: JSON.stringify(state),
      version: state.version,
      status: state.status,
      next_wake_at: nextWakeAt(state) ?? null,
      updated_at: now,
    })
    .where("id", "=", row.id)
    .where("version", "=", row.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new ConflictError(`project ${row.id} changed while this command ran`, { projectId: row.id, expected: row.version });
  }
  await insertEvents(trx, chain.rows);
  return recordOutcome(trx, row.id, row.version, before, outcome, now, chain.stored, model);
}

/** Queue the effects and update the role directory of an outcome whose row and events are written. */
export async function recordOutcome(
  trx: Kysely<Schema>,
  projectId: string,
  afterSeq: number,
  before: ProjectState | undefined,
  outcome: Outcome,
  now: Instant,
  stored: readonly StoredEvent[],
  model?: PlaybookModel,
): Promise<CommandResult> {
  const { state, events, effects } = outcome;
  await enqueueEffects(trx, projectId, afterSeq + events.length, events.length, effects, now);
  await enqueueWebhookMessages(trx, projectId, stored, now);
  await syncProjectRoles(trx, projectId, before?.assignments ?? {}, state.assignments, now);
  await runProjections(trx, { projectId, before, state, events, now, ...(model ? { model } : {}) });
  return {
    projectId,
    version: state.version,
    status: state.status,
    nextWakeAt: nextWakeAt(state),
    events: stored,
    effects,
    replayed: false,
  };
}

/** Run `command` on a locked project row and persist what it did. */
export async function applyCommand(
  trx: Kysely<Schema>,
  cache: PlaybookCache,
  row: ProjectRow,
  command: Command,
  actor: Actor,
  now: Instant,
): Promise<CommandResult> {
  const { model } = await loadPlaybookVersion(trx, cache, { id: row.playbook_id, version: row.playbook_version });
  const state = row.state as ProjectState;
  const outcome = runEngine(() => execute(engineContext(model, state.calendar), state, command, actor, now));
  return persistOutcome(trx, row, state, outcome, now, model);
}
