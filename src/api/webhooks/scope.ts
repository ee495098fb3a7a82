// The webhook routes live in their own Fastify scope, whose JSON parser keeps the exact bytes
// received: signatures are computed over those bytes, never over a re-serialization. A body that is
// not JSON (or not UTF-8) is not refused by the parser (that would answer 400 before the signature
// is checked); the route checks the signature first, then reports the body as a recorded 422. Text
// PostgreSQL cannot store (NUL, lone surrogates) is likewise judged after the signature: a 400.
import { randomUUID } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { ApiDeps } from "../deps.ts";
import type { Api } from "../http.ts";
import { fieldsProblem, HttpProblem } from "../problems.ts";
import { decodeBody, illFormedFields } from "../well-formed.ts";
import { type Endpoint, recordDelivery } from "./deliveries.ts";

const RAW = new WeakMap<FastifyRequest, { readonly bytes: Buffer; readonly jsonError?: string }>();

const IDS = new WeakMap<FastifyRequest, string>();

/** A unique id for the request, grouping the records of one delivery (Fastify's ids restart at req-1). */
export function deliveryRequestId(request: FastifyRequest): string {
  let id = IDS.get(request);
  if (id === undefined) {
    id = randomUUID();
    IDS.set(request, id);
  }
  return id;
}

export function rawBodyOf(request: FastifyRequest): Buffer {
  return RAW.get(request)?.bytes ?? Buffer.alloc(0);
}

export function registerWebhookScope(app: Api, deps: ApiDeps, routes: readonly ((scope: Api, deps: ApiDeps) => void)[]): void {
  app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: 1024 * 1024 }, (request, body, done) => {
      const bytes = body as Buffer;
      const text = decodeBody(bytes);
      if (typeof text !== "string") {
        RAW.set(request, { bytes, jsonError: text.message });
        done(null, null);
        return;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        RAW.set(request, { bytes });
        done(null, parsed);
      } catch (error) {
        RAW.set(request, { bytes, jsonError: error instanceof Error ? error.message : String(error) });
        done(null, null);
      }
    });
    for (const route of routes) route(scope as unknown as Api, deps);
  });
}

/**
 * After authentication: a body that is not JSON or does not match the route's schema is a 422
 * naming the field, recorded as rejected with the reason; text that cannot be stored (NUL, a lone
 * surrogate, nesting too deep) is a 400 the same way, as it is on every other route.
 */
export async function rejectMalformed(
  request: FastifyRequest,
  deps: ApiDeps,
  endpoint: Endpoint,
  /** Validate against this schema here (a route whose body shape depends on the connection has none of its own). */
  schema?: z.ZodType,
  connectionId?: string,
): Promise<void> {
  const raw = RAW.get(request);
  let errors: { pointer: string; detail: string }[] | undefined;
  const illFormed = raw?.jsonError === undefined ? illFormedFields(request.body, "/body") : [];
  if (raw === undefined) errors = [{ pointer: "/body", detail: "not JSON: send the body as application/json" }];
  else if (raw.jsonError !== undefined) errors = [{ pointer: "/body", detail: `not JSON: ${raw.jsonError}` }];
  else if (illFormed.length > 0) errors = illFormed;
  else if (schema) {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success)
      errors = parsed.error.issues.map((issue) => ({
        pointer: `/body${issue.path.map((p) => `/${String(p)}`).join("")}`,
        detail: issue.message,
      }));
  } else if (request.validationError) {
    const error: unknown = request.validationError;
    errors = hasZodFastifySchemaValidationErrors(error)
      ? error.validation.map((issue) => ({
          pointer: `/body${issue.instancePath === "/" ? "" : issue.instancePath}`,
          detail: issue.message ?? "is invalid",
        }))
      : [{ pointer: "/body", detail: request.validationError.message }];
  }
  if (!errors) return;
  const detail = errors.map((e) => `${e.pointer}: ${e.detail}`).join("; ");
  await recordDelivery(
    deps.db,
    {
      endpoint,
      source: null,
      outcome: "rejected",
      reason: detail,
      dealId: null,
      projectId: null,
      requestId: deliveryRequestId(request),
      body: rawBodyOf(request).toString("utf8"),
      connectionId,
    },
    deps.clock(),
  );
  if (illFormed.length > 0) throw fieldsProblem(illFormed);
  throw new HttpProblem("invalid", detail, { extensions: { errors } });
}

/** A source whose secret is not configured does not exist yet: say which variable turns it on. */
export function notConfigured(what: string, variable: string): HttpProblem {
  return new HttpProblem("unavailable", `${what} webhooks are not configured on this server: set ${variable}`);
}

/** CRMs send JSON; anything else is refused as such (415), before the signature would call it a mismatch. */
export function requireJson(request: FastifyRequest): void {
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json")
    throw new HttpProblem("unsupported_media_type", `send the body as application/json, not ${type || "without a Content-Type"}`);
}
