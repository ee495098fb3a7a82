// What the API tests share: a real server on a fresh database (in-memory PGlite or a fresh
// PostgreSQL database), listening on a free port, and clients that speak to it over real HTTP as
// a browser session (cookie + CSRF token) or with an API token.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../../src/api/config.ts";
import { type RunningServer, type StartOptions, startServer } from "../../../src/api/server.ts";
import { dispatchOutbox } from "../../../src/store/index.ts";
import { type FreshDatabase, type TestBackend, testBackends } from "../../store/support/backends.ts";

export { testBackends };

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "admin password for tests";
export const PASSWORD = "a long enough password";

/** A JSON body: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions, which check them
export type Json = any;

export interface Response<T = Json> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface Credentials {
  readonly cookie?: string;
  readonly csrfToken?: string;
  readonly token?: string;
}

/** One caller: its credentials go with every request. */
export class Caller {
  readonly base: string;
  readonly credentials: Credentials;

  constructor(base: string, credentials: Credentials = {}) {
    this.base = base;
    this.credentials = credentials;
  }

  async request<T = Json>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; raw?: string | Uint8Array } = {},
  ): Promise<Response<T>> {
    const headers: Record<string, string> = {};
    if (this.credentials.cookie) headers.cookie = this.credentials.cookie;
    if (this.credentials.csrfToken) headers["x-csrf-token"] = this.credentials.csrfToken;
    if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${this.base}${path}`, { method, headers: { ...headers, ...options.headers }, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get("content-type") ?? "") && text !== "") parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = Json>(path: string, headers?: Record<string, string>) {
    return this.request<T>("GET", path, headers ? { headers } : {});
  }

  post<T = Json>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>("POST", path, { body: body ?? {}, ...(headers ? { headers } : {}) });
  }
}

/** The cookie header a browser would send back after a response's Set-Cookie headers. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly fresh: FreshDatabase;
  readonly anonymous: Caller;
  readonly admin: Caller;
  /** Sign in and return a browser-like caller. */
  login(email: string, password: string): Promise<Caller>;
  /** Create an account with `roles` (as admin) and sign it in. */
  user(id: string, roles: readonly string[]): Promise<Caller>;
  /** Deliver the portal sign-in links asked for (the outbox is off in tests); returns how many requests went. */
  deliverSignInLinks(): Promise<number>;
  close(): Promise<void>;
}

/** A folder of its own for a test server's mail (MAIL_DIR), when no mailer is given. */
export function testMailDir(): string {
  return mkdtempSync(join(tmpdir(), "onboard-mail-"));
}

export async function startTestServer(
  backend: TestBackend,
  env: Record<string, string> = {},
  options: Omit<StartOptions, "database"> = {},
): Promise<TestServer> {
  const fresh = await backend.fresh();
  try {
    const config = parseConfig({
      PORT: "0",
      LOG_LEVEL: "silent",
      SCHEDULER: "off",
      OUTBOX: "off",
      ONBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
      ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: "10000",
      LOGIN_ACCOUNT_LIMIT: "10000",
      MAIL_DIR: testMailDir(),
      ...env,
    });
    const server = await startServer(config, { ...options, database: fresh.database });
    const url = await server.listen();
    const anonymous = new Caller(url);
    const login = async (email: string, password: string) => {
      const response = await anonymous.post("/auth/login", { email, password });
      if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${JSON.stringify(response.body)}`);
      return new Caller(url, { cookie: cookieHeader(response), csrfToken: response.body.csrfToken });
    };
    const admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    return {
      url,
      server,
      fresh,
      anonymous,
      admin,
      login,
      async user(id, roles) {
        const created = await admin.post("/users", { id, email: `${id}@example.com`, name: id, roles, password: PASSWORD });
        if (created.status !== 201) throw new Error(`create ${id}: ${created.status} ${JSON.stringify(created.body)}`);
        return login(`${id}@example.com`, PASSWORD);
      },
      async deliverSignInLinks() {
        const now = options.clock?.() ?? new Date().toISOString();
        const result = await dispatchOutbox(fresh.database, now, {
          handlers: server.outboxHandlers,
          kinds: ["send_sign_in_link"],
          batchSize: 1000,
        });
        return result.delivered;
      },
      async close() {
        await server.close();
        await fresh.dispose();
      },
    };
  } catch (error) {
    await fresh.dispose();
    throw error;
  }
}

/** Every item of a paginated list, following nextCursor; also returns the number of pages. */
export async function walk<T = Json>(caller: Caller, path: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const response: Response = await caller.get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 1000);
  return { items, pages };
}
