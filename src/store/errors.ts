// The one error model of everything above the engine: a coded error with details a person can act
// on and the original `cause` kept. The API maps codes to HTTP statuses with STATUS_OF; nothing
// else needs to know which layer threw.
import { EngineError } from "../engine/errors.ts";

export type ErrorCode =
  /** The project, playbook version, event or person does not exist. */
  | "not_found"
  /** Someone else changed it first (stale version), or it already exists. */
  | "conflict"
  /** An idempotency key was reused with a different request. */
  | "idempotency_mismatch"
  /** The request's values are wrong. */
  | "invalid"
  /** The actor may not do this. */
  | "forbidden"
  /** Not allowed in the current state (a closed project, an open step that cannot complete). */
  | "illegal_state"
  /** The database is locked by another process, or not ready. */
  | "unavailable";

/** How the HTTP layer reports each code; data here so every adapter agrees. */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  not_found: 404,
  conflict: 409,
  idempotency_mismatch: 422,
  invalid: 422,
  forbidden: 403,
  illegal_state: 409,
  unavailable: 503,
};

export class AppError extends Error {
  override readonly name: string = "AppError";
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** A stale `expectedVersion`: the caller must reload and decide again. */
export class ConflictError extends AppError {
  override readonly name = "ConflictError";
  readonly expected: number | undefined;
  readonly current: number | undefined;

  constructor(message: string, details: { projectId?: string; expected?: number; current?: number } & Record<string, unknown> = {}) {
    super("conflict", message, details);
    this.expected = details.expected;
    this.current = details.current;
  }
}

/** The same idempotency key sent with a different request (Stripe's semantics). */
export class IdempotencyMismatchError extends AppError {
  override readonly name = "IdempotencyMismatchError";

  constructor(scope: string, key: string) {
    super("idempotency_mismatch", `idempotency key "${key}" was already used with a different request`, { scope, key });
  }
}

export function notFound(what: string, details: Readonly<Record<string, unknown>> = {}): AppError {
  return new AppError("not_found", `${what} not found`, details);
}

/** The engine's refusals become coded errors of the same kind, with the engine error as cause. */
export function fromEngineError(error: EngineError): AppError {
  return new AppError(error.code, error.message, error.details, { cause: error });
}

/** Anything thrown, as an AppError when it is one of ours or the engine's; otherwise unchanged. */
export function coerceError(error: unknown): unknown {
  if (error instanceof EngineError) return fromEngineError(error);
  return error;
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
