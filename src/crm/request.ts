// One JSON request to a CRM's REST API: auth header, a time bound, bounded 429 retries, and errors
// that say what went wrong without ever carrying the token.
import type { z } from "zod";
import type { CrmKind } from "./deal.ts";

export interface CrmApiSettings {
  readonly baseUrl: string;
  readonly token: string;
  /** The fetch to use (a test's, a proxy's); default: the global one. */
  readonly fetch?: typeof fetch;
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number;
}

export class CrmApiError extends Error {
  readonly status: number | undefined;
  readonly vendor: CrmKind;
  /** true: the same call may succeed later (rate limit, outage, timeout). */
  readonly retryable: boolean;

  constructor(vendor: CrmKind, message: string, options: { status?: number; retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CrmApiError";
    this.vendor = vendor;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

export const VENDOR_NAMES: Readonly<Record<CrmKind, string>> = { hubspot: "HubSpot", pipedrive: "Pipedrive", salesforce: "Salesforce" };

export interface CrmRequest {
  readonly method?: "GET" | "POST";
  /** Starts with "/"; joined to the base URL so the token only ever goes to that host. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export type Requester = <T>(request: CrmRequest, schema: z.ZodType<T>) => Promise<T>;

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_RETRIES = 2;
const MAX_TOTAL_WAIT_MS = 5_000;
const DEFAULT_RETRY_WAIT_MS = 1_000;

/** How a vendor wants the token: HubSpot and Salesforce as a bearer token, a Pipedrive API token in x-api-token. */
export type TokenHeader = "bearer" | "x-api-token";

export function requester(vendor: CrmKind, settings: CrmApiSettings, tokenHeader: TokenHeader): Requester {
  const base = settings.baseUrl.replace(/\/+$/, "");
  const doFetch = settings.fetch ?? fetch;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const name = VENDOR_NAMES[vendor];
  const auth: Record<string, string> =
    tokenHeader === "bearer" ? { authorization: `Bearer ${settings.token}` } : { "x-api-token": settings.token };
  const fail = (message: string, options: { status?: number; retryable: boolean; cause?: unknown }) =>
    new CrmApiError(vendor, scrub(message, settings.token), options);

  return async <T>(request: CrmRequest, schema: z.ZodType<T>): Promise<T> => {
    if (!request.path.startsWith("/") || request.path.startsWith("//"))
      throw fail(`${name}: refusing a path outside the API`, { retryable: false });
    const search = request.query ? new URLSearchParams(request.query).toString() : "";
    const url = `${base}${request.path}${search ? (request.path.includes("?") ? "&" : "?") + search : ""}`;
    const method = request.method ?? "GET";
    const what = `${method} ${request.path}`;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await doFetch(url, {
          method,
          headers: { accept: "application/json", ...auth, ...(request.body === undefined ? {} : { "content-type": "application/json" }) },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: "error",
        });
        text = await response.text();
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
        throw fail(
          timedOut
            ? `${name} did not answer ${what} within ${timeoutMs} ms`
            : `${name} could not be reached for ${what} (${errorText(error)})`,
          { retryable: true, cause: error },
        );
      }
      if (response.ok)
        return parse(text, schema, (message) =>
          fail(`${name} answered ${what} with ${message}`, { status: response.status, retryable: false }),
        );

      const said = vendorMessage(text);
      const status = response.status;
      if (status === 429) {
        const wait = retryAfterMs(response.headers.get("retry-after"));
        if (attempt < MAX_RETRIES && waited + wait <= MAX_TOTAL_WAIT_MS) {
          waited += wait;
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        throw fail(`${name} is rate limiting ${what}; try again later${said ? ` (${said})` : ""}`, { status, retryable: true });
      }
      if (status === 401 || status === 403)
        throw fail(`${name}: the CRM refused the token${said ? ` (${said})` : ""}`, { status, retryable: false });
      if (status === 404) throw fail(`${name}: not found: ${what}${said ? ` (${said})` : ""}`, { status, retryable: false });
      if (status >= 500) throw fail(`${name} failed on ${what} with ${status}${said ? ` (${said})` : ""}`, { status, retryable: true });
      throw fail(`${name} rejected ${what} with ${status}${said ? ` (${said})` : ""}`, { status, retryable: false });
    }
  };
}

function parse<T>(text: string, schema: z.ZodType<T>, fail: (message: string) => Error): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail("something that is not JSON");
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw fail(`an unexpected shape${issue ? ` (${issue.path.join(".") || "body"}: ${issue.message})` : ""}`);
  }
  return result.data;
}

/** Retry-After in seconds or as an HTTP date; absent or unreadable: a second. */
function retryAfterMs(header: string | null): number {
  if (header === null || header.trim() === "") return DEFAULT_RETRY_WAIT_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_RETRY_WAIT_MS : Math.max(0, at - Date.now());
}

/** What the vendor said about the failure: HubSpot {message}, Pipedrive {error}, Salesforce [{message, errorCode}]. */
function vendorMessage(text: string): string {
  let said = text;
  try {
    const json: unknown = JSON.parse(text);
    const first = Array.isArray(json) ? json[0] : json;
    if (first && typeof first === "object") {
      const record = first as Record<string, unknown>;
      const message = [record.message, record.error_description, record.error].find((value) => typeof value === "string");
      if (typeof message === "string") said = typeof record.errorCode === "string" ? `${record.errorCode}: ${message}` : message;
    }
  } catch {
    // Not JSON: the text itself, shortened below.
  }
  said = said.replace(/\s+/g, " ").trim();
  return said.length > 300 ? `${said.slice(0, 300)}…` : said;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** A vendor may echo the token back (in an error, a URL); it never leaves in a message. */
function scrub(message: string, token: string): string {
  return token.length >= 4 ? message.split(token).join("[token]") : message;
}
