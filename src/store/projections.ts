// Read models kept in the same transaction as the events that change them. The store does not know
// what they compute (the portfolio summaries live in src/metrics, above the store): the layer that
// owns one registers it, and every command, start and tick then runs it under the project row lock.
import type { Kysely } from "kysely";
import type { Instant, ProjectEvent, ProjectState } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Schema } from "./schema.ts";

export interface ProjectionChange {
  readonly projectId: string;
  /** The state before the command; undefined when the project was just started. */
  readonly before: ProjectState | undefined;
  readonly state: ProjectState;
  readonly events: readonly ProjectEvent[];
  readonly now: Instant;
  /** The model of `state.playbook` where the caller ran the engine with it (saves reading it again). */
  readonly model?: PlaybookModel;
}

export interface Projection {
  /** Registering the same name again replaces it (modules may be loaded more than once in tests). */
  readonly name: string;
  apply(trx: Kysely<Schema>, change: ProjectionChange): Promise<void>;
}

const registered = new Map<string, Projection>();

export function registerProjection(projection: Projection): void {
  registered.set(projection.name, projection);
}

/** Run every registered projection on a change that produced events. */
export async function runProjections(trx: Kysely<Schema>, change: ProjectionChange): Promise<void> {
  if (change.events.length === 0) return;
  for (const projection of registered.values()) await projection.apply(trx, change);
}
