// Errors at the HTTP edge: every failure leaves as RFC 9457 problem+json (type, title, status,
// detail, instance), never a stack trace. The store's AppError codes map through STATUS_OF; the
// conditions only HTTP knows (credentials, preconditions, rate limits) are HttpProblems; request
// validation names the field at fault as a JSON pointer into the request.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import { type ErrorCode, isAppError, STATUS_OF } from "../store/index.ts";

export type HttpProblemKind =
  | "validation"
  | "unauthenticated"
  | "csrf"
  | "precondition_failed"
  | "precondition_required"
  | "payload_too_large"
  | "quota_exceeded"
  | "headers_too_large"
  | "request_timeout"
  | "unsupported_media_type"
  | "rate_limited"
  | "bad_request"
  | "route_not_found"
  | "internal";

export type ProblemKind = ErrorCode | HttpProblemKind;

const KINDS: Readonly<Record<ProblemKind, { readonly status: number; readonly title: string }>> = {
  not_found: { status: STATUS_OF.not_found, title: "Not found" },
  conflict: { status: STATUS_OF.conflict, title: "Conflict" },
  idempotency_mismatch: { status: STATUS_OF.idempotency_mismatch, title: "Idempotency key reused with a different request" },
  invalid: { status: STATUS_OF.invalid, title: "The request cannot be processed" },
  forbidden: { status: STATUS_OF.forbidden, title: "Forbidden" },
  illegal_state: { status: STATUS_OF.illegal_state, title: "Not allowed in the current state" },
  unavailable: { status: STATUS_OF.unavailable, title: "Service unavailable" },
  validation: { status: 400, title: "The request does not match the schema" },
  unauthenticated: { status: 401, title: "Authentication required" },
  csrf: { status: 403, title: "Cross-site request refused" },
  precondition_failed: { status: 412, title: "The resource has changed" },
  precondition_required: { status: 428, title: "If-Match required" },
  payload_too_large: { status: 413, title: "Request body too large" },
  quota_exceeded: { status: 413, title: "File quota exceeded" },
  headers_too_large: { status: 431, title: "Request headers too large" },
  request_timeout: { status: 408, title: "Request timeout" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  rate_limited: { status: 429, title: "Too many requests" },
  bad_request: { status: 400, title: "Bad request" },
  route_not_found: { status: 404, title: "No such route" },
  internal: { status: 500, title: "Internal server error" },
};

export function problemType(kind: ProblemKind): string {
  return `urn:onboard:problem:${kind.replaceAll("_", "-")}`;
}

export const FieldError = z
  .looseObject({
    pointer: z.string().describe('JSON pointer into the request: "/body/facts/user_count", "/query/cursor", "/headers/if-match".'),
    detail: z.string(),
  })
  .meta({ id: "FieldError" });
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z
  .looseObject({
    type: z.string().describe("A URI naming the kind of problem (urn:onboard:problem:...)."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe("What went wrong in this occurrence, for a person."),
    instance: z.string().describe("The request path this occurrence is about."),
    requestId: z.string().optional().describe("The id of this request in the server's logs."),
    errors: z.array(FieldError).optional().describe("The fields at fault."),
  })
  .meta({ id: "Problem", description: "An RFC 9457 problem details document." });
export type Problem = z.infer<typeof Problem>;

/** A failure the HTTP layer itself decides (credentials, preconditions). */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  readonly kind: ProblemKind;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    kind: ProblemKind,
    detail: string,
    options: { extensions?: Readonly<Record<string, unknown>>; headers?: Readonly<Record<string, string>>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.kind = kind;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** A 400 about one field of the request. */
export function fieldProblem(pointer: string, detail: string): HttpProblem {
  return new HttpProblem("validation", detail, { extensions: { errors: [{ pointer, detail }] } });
}

/** A 400 about several fields, worded like schema validation's: "<pointer>: <detail>; ...". */
export function fieldsProblem(errors: readonly FieldError[]): HttpProblem {
  return new HttpProblem("validation", errors.map((e) => `${e.pointer}: ${e.detail}`).join("; "), { extensions: { errors } });
}

/** "facts.user_count" (the engine's and the store's field names) as a pointer into the body. */
function pointerOfField(field: string, base: string): string {
  return `${base}/${field
    .split(".")
    .map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("/")}`;
}

interface Rendered {
  readonly status: number;
  readonly body: Problem;
  readonly headers: Readonly<Record<string, string>>;
}

function render(kind: ProblemKind, detail: string, request: FastifyRequest, extensions: Readonly<Record<string, unknown>> = {}): Problem {
  const { status, title } = KINDS[kind];
  return {
    type: problemType(kind),
    title,
    status,
    detail,
    instance: request.url.split("?")[0] ?? "/",
    requestId: request.id,
    ...extensions,
  };
}

/** Any error thrown while handling `request`, as a problem document. Unknown errors say nothing of their insides. */
export function toProblem(error: unknown, request: FastifyRequest): Rendered {
  if (error instanceof HttpProblem) {
    return { status: KINDS[error.kind].status, body: render(error.kind, error.message, request, error.extensions), headers: error.headers };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? "body";
    const context = where === "querystring" ? "query" : where;
    const errors = error.validation.map((issue) => ({
      pointer: `/${context}${issue.instancePath === "/" ? "" : issue.instancePath}`,
      detail: issue.message,
    }));
    const detail = errors.map((e) => `${e.pointer}: ${e.detail}`).join("; ");
    return { status: 400, body: render("validation", detail, request, { errors }), headers: {} };
  }
  if (isAppError(error)) {
    const field = typeof error.details.field === "string" ? error.details.field : undefined;
    const extensions: Record<string, unknown> = {};
    if (field && (error.code === "invalid" || error.code === "not_found")) {
      extensions.errors = [{ pointer: pointerOfField(field, "/body"), detail: error.message }];
    }
    // Several fields at fault (a form's values): each named with its own message.
    const fieldErrors = error.details.fieldErrors;
    if (error.code === "invalid" && Array.isArray(fieldErrors)) {
      extensions.errors = fieldErrors.flatMap((e: { field?: unknown; message?: unknown }) =>
        typeof e?.field === "string" && typeof e.message === "string"
          ? [{ pointer: pointerOfField(e.field, "/body"), detail: e.message }]
          : [],
      );
    }
    if (Array.isArray(error.details.reasons)) extensions.reasons = error.details.reasons;
    // Busy rather than broken (a full queue): say when to come back.
    const retryAfter = error.details.retryAfterSeconds;
    const headers: Record<string, string> = typeof retryAfter === "number" ? { "retry-after": String(retryAfter) } : {};
    return { status: STATUS_OF[error.code], body: render(error.code, error.message, request, extensions), headers };
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const status = typeof fastifyError?.statusCode === "number" ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    const kind: ProblemKind =
      status === 413
        ? "payload_too_large"
        : status === 415
          ? "unsupported_media_type"
          : status === 429
            ? "rate_limited"
            : status === 404
              ? "route_not_found"
              : "bad_request";
    const message = fastifyError?.message ?? KINDS[kind].title;
    return { status, body: { ...render(kind, message, request), status }, headers: {} };
  }
  return {
    status: 500,
    body: render("internal", `an unexpected error occurred; it was logged with request id ${request.id}`, request),
    headers: {},
  };
}

/**
 * A request Node's HTTP parser refused before Fastify saw it (a control character in a header, a
 * malformed request line, headers over the size limit, a timeout): the raw response, problem+json
 * like every other refusal. The connection is closed after it, as Node does.
 */
export function clientErrorResponse(error: { code?: string }): string {
  const kind: ProblemKind =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "headers_too_large"
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "request_timeout"
        : "bad_request";
  const { status, title } = KINDS[kind];
  const detail = kind === "bad_request" ? "the request is not well-formed HTTP/1.1" : title;
  const body = JSON.stringify({ type: problemType(kind), title, status, detail, instance: "/" });
  return (
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Fastify's error handler: log what deserves it, answer problem+json. */
export function problemHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, headers } = toProblem(error, request);
  if (status >= 500) request.log.error({ err: error }, "request failed");
  else request.log.info({ status, problem: body.type }, body.detail);
  return reply.code(status).headers(headers).type("application/problem+json").send(body);
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "The request does not match the schema (errors name each field at fault)",
  401: "No valid session cookie or API token",
  403: "Not allowed: the signed-in roles or the token's scope do not permit it, or a cross-site write",
  404: "Not found",
  409: "Conflict with the current state",
  412: "If-Match names an older version: reload and decide again",
  413: "Request body too large, or (quota-exceeded) the client's files would pass their quota",
  431: "Request headers too large",
  415: "Unsupported media type",
  422: "The request cannot be processed (invalid values, a playbook with errors, an Idempotency-Key reused with another request)",
  428: "If-Match is required",
  429: "Too many requests",
  500: "Internal server error",
  503: "Service unavailable (when busy, Retry-After says when to try again)",
};

/** OpenAPI response entries for problems an endpoint can answer with. */
export function problemResponses<const S extends number>(...statuses: S[]) {
  const responses = {} as Record<S, { description: string; content: { "application/problem+json": { schema: typeof Problem } } }>;
  for (const status of statuses) {
    responses[status] = { description: DESCRIPTIONS[status] ?? "Problem", content: { "application/problem+json": { schema: Problem } } };
  }
  return responses;
}
