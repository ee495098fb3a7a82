// The request a piece of work runs for, carried through async calls (AsyncLocalStorage) instead of
// through every signature between an HTTP handler and the outbox row its command writes: the outbox
// stores it with the row, so the row's delivery is logged, traced and sent with the same id.
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestContext {
  /** The request's id (X-Request-Id), as its log lines carry it. */
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Run `work` (and everything it starts) as part of the request `context`. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The id of the request the current work runs for; undefined outside one (the scheduler, start-up). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
