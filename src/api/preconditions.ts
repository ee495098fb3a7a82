// Conditional requests on projects: responses carry `ETag: "<version>"`; commands must send
// `If-Match` with the version they decided on (428 without it). The comparison itself is the
// store's (expectedVersion, checked under the row lock and again in the UPDATE): a stale version
// comes back as a ConflictError and leaves as 412.
import { type ConflictError, isAppError } from "../store/index.ts";
import { HttpProblem } from "./problems.ts";

export function etag(version: number): string {
  return `"${version}"`;
}

/** The version an If-Match header names; 428 when absent, 400 when it is not one of our ETags. */
export function requiredVersion(header: string | undefined, what = "project"): number {
  if (header === undefined || header.trim() === "") {
    throw new HttpProblem(
      "precondition_required",
      `send If-Match with the ${what}'s ETag (its version, e.g. If-Match: "7") from your last read`,
      {
        extensions: { errors: [{ pointer: "/headers/if-match", detail: "required" }] },
      },
    );
  }
  const value = header.trim();
  if (value === "*") {
    throw new HttpProblem(
      "precondition_required",
      `If-Match: * does not say which version you decided on: send the ${what}'s ETag, e.g. "7"`,
      {
        extensions: { errors: [{ pointer: "/headers/if-match", detail: "a version is required, not *" }] },
      },
    );
  }
  const match = /^"(\d{1,9})"$/.exec(value);
  if (!match) {
    throw new HttpProblem("validation", `If-Match must be a single ETag such as "7", not ${value}`, {
      extensions: { errors: [{ pointer: "/headers/if-match", detail: 'expected a quoted version such as "7"' }] },
    });
  }
  return Number(match[1]);
}

/** Does If-None-Match name the current version (a 304)? */
export function notModified(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  const tags = header.split(",").map((t) => t.trim().replace(/^W\//, ""));
  return tags.includes("*") || tags.includes(etag(version));
}

/** A stale version from the store, as the 412 the client must act on. */
export function preconditionFailed(error: unknown): unknown {
  if (!isAppError(error, "conflict")) return error;
  const conflict = error as ConflictError;
  if (conflict.expected === undefined) return error;
  return new HttpProblem("precondition_failed", error.message, {
    extensions: conflict.current === undefined ? {} : { currentVersion: conflict.current },
    ...(conflict.current === undefined ? {} : { headers: { etag: etag(conflict.current) } }),
    cause: error,
  });
}
