// The one way the web app talks to the API: typed by the OpenAPI document (schema.d.ts, generated
// from the routes), so a path, a parameter or a response shape that drifts from the server fails
// the type check. Writes carry the CSRF token from sign-in; failures arrive as ApiError with the
// server's problem+json (field errors included) so forms can show them at the field.
import type { components, paths } from "./schema.d.ts";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

type Json<R> = R extends { content: { "application/json": infer B } } ? B : undefined;
type Ok<Op> = Op extends { responses: infer R }
  ? 200 extends keyof R
    ? Json<R[200]>
    : 201 extends keyof R
      ? Json<R[201]>
      : 202 extends keyof R
        ? Json<R[202]>
        : undefined
  : never;
type Params<Op> = Op extends { parameters: infer P } ? P : never;
type PathParams<Op> = Params<Op> extends { path: infer A } ? (A extends Record<string, unknown> ? A : never) : never;
type QueryParams<Op> = Params<Op> extends { query?: infer Q } ? Q : never;
type Body<Op> = Op extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

type Method = "get" | "post" | "put" | "patch" | "delete";
type PathsWith<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, object> ? P : never }[keyof paths];
type Op<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;

export interface RequestOptions<O> {
  readonly path?: PathParams<O>;
  readonly query?: QueryParams<O>;
  readonly body?: Body<O>;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export interface Reply<T> {
  readonly data: T;
  readonly status: number;
  readonly etag: string | null;
}

/** A failed request: the HTTP status and the server's problem+json. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly problem: Problem;
  readonly etag: string | null;

  constructor(status: number, problem: Problem, etag: string | null) {
    super(problem.detail || problem.title);
    this.status = status;
    this.problem = problem;
    this.etag = etag;
  }

  /** Field errors by the last segment of their JSON pointer ("/body/values/go_live_date" → "go_live_date"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of this.problem.errors ?? []) {
      const key = error.pointer.split("/").filter(Boolean).at(-1) ?? "";
      out[key] = out[key] ? `${out[key]}; ${error.detail}` : error.detail;
    }
    return out;
  }
}

export function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/** Listeners told when the API says the session has ended (401), so the app can show the sign-in. */
const signedOut = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOut.add(listener);
  return () => signedOut.delete(listener);
}

export interface TransportOptions {
  readonly csrfCookie: string;
  /** Called on 401 from anything but the session probe. */
  readonly notifySignedOut: boolean;
}

export async function send<T>(
  method: string,
  template: string,
  options: {
    path?: Record<string, unknown>;
    query?: unknown;
    body?: unknown;
    headers?: Record<string, string>;
    signal?: AbortSignal;
    raw?: string | Blob;
    contentType?: string;
  } = {},
  transport: TransportOptions = { csrfCookie: "onboard_csrf", notifySignedOut: true },
): Promise<Reply<T>> {
  let url = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(options.path?.[name] ?? "")));
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries((options.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  if (query.size > 0) url += `?${query}`;
  const headers: Record<string, string> = { accept: "application/json, application/problem+json", ...options.headers };
  if (method !== "GET") {
    const csrf = cookie(transport.csrfCookie);
    if (csrf) headers["x-csrf-token"] = csrf;
  }
  let body: string | Blob | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers["content-type"] =
      options.contentType ?? (typeof options.raw === "string" ? "text/plain" : options.raw.type || "application/octet-stream");
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await fetch(url, { method, headers, body, credentials: "same-origin", signal: options.signal ?? null });
  const etag = response.headers.get("etag");
  const text = await response.text();
  const parsed: unknown = text && /json/.test(response.headers.get("content-type") ?? "") ? JSON.parse(text) : text;
  if (!response.ok) {
    const problem: Problem =
      parsed && typeof parsed === "object" && "title" in parsed
        ? (parsed as Problem)
        : {
            type: "about:blank",
            title: response.statusText || "Request failed",
            status: response.status,
            detail: String(parsed || ""),
            instance: url,
          };
    if (response.status === 401 && transport.notifySignedOut) for (const listener of signedOut) listener();
    throw new ApiError(response.status, problem, etag);
  }
  return { data: parsed as T, status: response.status, etag };
}

/** An API client, typed path by path, whose writes carry the CSRF token of `transport`. */
export function client(transport: TransportOptions) {
  return {
    get<P extends PathsWith<"get">>(path: P, options: RequestOptions<Op<P, "get">> = {}) {
      return send<Ok<Op<P, "get">>>("GET", path, options as never, transport);
    },
    post<P extends PathsWith<"post">>(path: P, options: RequestOptions<Op<P, "post">> = {}) {
      return send<Ok<Op<P, "post">>>("POST", path, options as never, transport);
    },
    put<P extends PathsWith<"put">>(path: P, options: RequestOptions<Op<P, "put">> = {}) {
      return send<Ok<Op<P, "put">>>("PUT", path, options as never, transport);
    },
    patch<P extends PathsWith<"patch">>(path: P, options: RequestOptions<Op<P, "patch">> = {}) {
      return send<Ok<Op<P, "patch">>>("PATCH", path, options as never, transport);
    },
    delete<P extends PathsWith<"delete">>(path: P, options: RequestOptions<Op<P, "delete">> = {}) {
      return send<Ok<Op<P, "delete">>>("DELETE", path, options as never, transport);
    },
  };
}

/** The team's API (session cookie + onboard_csrf). */
export const api = client({ csrfCookie: "onboard_csrf", notifySignedOut: true });

/** Every item of a paginated list (following nextCursor), up to `max` items. */
export async function all<T>(page: (cursor: string | undefined) => Promise<Reply<{ items: T[]; nextCursor: string | null }>>, max = 2000) {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const { data } = await page(cursor);
    items.push(...data.items);
    cursor = data.nextCursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail || error.problem.title;
  if (error instanceof Error) return error.message;
  return String(error);
}
