// The engine's one error type. Codes map to HTTP statuses in the API layer; `details` names the
// field or state at fault so a person can act on it.

export type EngineErrorCode =
  /** The step, role, item, form or issue does not exist in this project. */
  | "not_found"
  /** The actor's roles do not allow this command. */
  | "forbidden"
  /** The command's values are wrong (missing required form fields, unknown branch). */
  | "invalid"
  /** The project or step is not in a state where this command applies. */
  | "illegal_state";

export class EngineError extends Error {
  override readonly name = "EngineError";
  readonly code: EngineErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: EngineErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function assertNever(value: never): never {
  throw new EngineError("invalid", `unexpected value ${JSON.stringify(value)}`);
}
