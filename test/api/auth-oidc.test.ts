// Single sign-on end to end, over real HTTP, against a real OpenID provider running in the test
// (oidc-provider on a loopback port, its development login and consent pages completed by posting
// their forms like a browser): GET /auth/oidc/login redirects there, the callback signs the
// browser in with the same session cookie as a password sign-in, the account is linked by its
// verified email and found again by issuer + subject; a wrong state, a foreign browser, an email
// domain outside OIDC_ALLOWED_DOMAINS, an unverified email and an unknown account are refused with
// problem+json; with OIDC_NEW_ACCOUNT_ROLE the first sign-in creates the account. No mocks.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
// @ts-expect-error oidc-provider ships no type declarations (and @types/oidc-provider is no dependency)
import Provider from "oidc-provider";
import { parseConfig } from "../../src/api/config.ts";
import { type RunningServer, startServer } from "../../src/api/server.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const CLIENT_SECRET = "a client secret long enough for HS256 at the provider";

/** The provider's people: subject → claims. */
const PEOPLE: Record<string, { email: string; email_verified: boolean; name: string }> = {
  "sub-ann": { email: "ann@example.com", email_verified: true, name: "Ann" },
  "sub-ann-unverified": { email: "ann@example.com", email_verified: false, name: "Not Ann" },
  "sub-eve": { email: "eve@evil.example", email_verified: true, name: "Eve" },
  "sub-newbie": { email: "newbie@example.com", email_verified: true, name: "New Person" },
};

/** A browser: a cookie jar per origin, redirects followed by hand so each hop can be seen. */
class Browser {
  readonly jar = new Map<string, Map<string, string>>();

  async fetch(url: URL | string, init: { method?: string; form?: Record<string, string> } = {}): Promise<globalThis.Response> {
    const target = new URL(url);
    const cookies = this.jar.get(target.origin) ?? new Map<string, string>();
    const headers: Record<string, string> = {};
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? "GET", headers, body, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0$/i.test(a));
      if (expired || value === "") cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(target.origin, cookies);
    return response;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }
}

function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, `no form in\n${html}`);
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]+)"/.exec(input[1] ?? "")?.[1];
    const value = /value="([^"]*)"/.exec(input[1] ?? "")?.[1];
    if (name) fields[name] = value ?? "";
  }
  return { action: action.replaceAll("&amp;", "&"), fields };
}

/**
 * Start single sign-on at `onboard` and go through the provider as `subject`: returns the URL the
 * provider sends the browser back to (the callback, not yet fetched).
 */
async function throughProvider(browser: Browser, onboard: string, subject: string): Promise<URL> {
  const start = await browser.fetch(`${onboard}/auth/oidc/login`);
  assert.equal(start.status, 302, await start.text());
  let location = new URL(start.headers.get("location") ?? "", onboard);
  for (let hop = 0; hop < 20; hop++) {
    if (location.origin === onboard) return location;
    const response = await browser.fetch(location);
    if (response.status >= 300 && response.status < 400) {
      location = new URL(response.headers.get("location") ?? "", location);
      continue;
    }
    const html = await response.text();
    assert.equal(response.status, 200, html);
    const { action, fields } = formOf(html);
    const filled = fields.prompt === "login" ? { ...fields, login: subject, password: "anything" } : fields;
    const submitted = await browser.fetch(new URL(action, location), { method: "POST", form: filled });
    assert.ok(submitted.status >= 300 && submitted.status < 400, `${submitted.status} ${await submitted.text()}`);
    location = new URL(submitted.headers.get("location") ?? "", location);
  }
  throw new Error("too many hops at the provider");
}

async function json(response: globalThis.Response): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: text === "" ? {} : JSON.parse(text) };
}

async function isProblem(response: globalThis.Response, status: number, kind: string): Promise<Record<string, unknown>> {
  const { status: got, type, body } = await json(response);
  assert.equal(got, status, JSON.stringify(body));
  assert.match(type, /^application\/problem\+json/);
  assert.equal(body.type, `urn:onboard:problem:${kind}`);
  return body;
}

interface Onboard {
  readonly url: string;
  readonly server: RunningServer;
  readonly fresh: FreshDatabase;
}

async function startOnboard(backend: (typeof BACKENDS)[number], env: Record<string, string>): Promise<Onboard> {
  const fresh = await backend.fresh();
  const config = parseConfig({
    PORT: "0",
    LOG_LEVEL: "silent",
    SCHEDULER: "off",
    OUTBOX: "off",
    ONBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOGIN_RATE_LIMIT: "10000",
    ...env,
  });
  const server = await startServer(config, { database: fresh.database });
  return { url: await server.listen(), server, fresh };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

for (const backend of BACKENDS) {
  describe(`single sign-on through OpenID Connect on ${backend.name}`, { skip: backend.skip }, () => {
    let idp: Server;
    let issuer: string;
    /** Accounts must exist; only example.com may sign in. */
    let closed: Onboard;
    /** New accounts are created as csm; any domain. */
    let open: Onboard;

    before(async () => {
      let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
      idp = createServer((req, res) => handle(req, res));
      issuer = `http://127.0.0.1:${await listen(idp)}`;
      const common = { OIDC_ISSUER: issuer, OIDC_CLIENT_SECRET: CLIENT_SECRET };
      closed = await startOnboard(backend, { ...common, OIDC_CLIENT_ID: "onboard-closed", OIDC_ALLOWED_DOMAINS: "example.com" });
      open = await startOnboard(backend, { ...common, OIDC_CLIENT_ID: "onboard-open", OIDC_NEW_ACCOUNT_ROLE: "csm" });
      const client = (id: string, onboard: Onboard) => ({
        client_id: id,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${onboard.url}/auth/oidc/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      });
      const provider = new Provider(issuer, {
        clients: [client("onboard-closed", closed), client("onboard-open", open)],
        async findAccount(_ctx: unknown, id: string) {
          const person = PEOPLE[id];
          return person ? { accountId: id, claims: async () => ({ sub: id, ...person }) } : undefined;
        },
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
        cookies: { keys: ["a cookie signing key for the test provider"] },
        features: { devInteractions: { enabled: true } },
        pkce: { required: () => true },
      });
      handle = provider.callback();
      // The closed server knows Ann already (by email); the provider has not been used yet.
      const login = await fetch(`${closed.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      });
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const created = await fetch(`${closed.url}/users`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
        body: JSON.stringify({ id: "ann", email: "Ann@Example.com", name: "Ann", roles: ["csm"], password: PASSWORD }),
      });
      assert.equal(created.status, 201, await created.text());
    });

    after(async () => {
      await Promise.all([closed?.server.close(), open?.server.close()]);
      await Promise.all([closed?.fresh.dispose(), open?.fresh.dispose()]);
      idp?.closeAllConnections();
      await new Promise((resolve) => idp?.close(resolve));
    });

    test("GET /auth/methods offers single sign-on, naming the provider, to anyone", async () => {
      const methods = await fetch(`${closed.url}/auth/methods`);
      assert.equal(methods.status, 200);
      assert.deepEqual(await methods.json(), {
        password: true,
        singleSignOn: { enabled: true, loginUrl: "/auth/oidc/login", provider: new URL(issuer).host },
      });
    });

    test("login redirects to the provider with PKCE (S256), state and nonce; the flow's cookie is HttpOnly", async () => {
      const browser = new Browser();
      const start = await browser.fetch(`${closed.url}/auth/oidc/login`);
      assert.equal(start.status, 302);
      const location = new URL(start.headers.get("location") ?? "");
      assert.equal(location.origin, issuer);
      const params = location.searchParams;
      assert.equal(params.get("client_id"), "onboard-closed");
      assert.equal(params.get("response_type"), "code");
      assert.equal(params.get("redirect_uri"), `${closed.url}/auth/oidc/callback`);
      assert.equal(params.get("code_challenge_method"), "S256");
      assert.match(params.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
      assert.ok((params.get("state") ?? "").length >= 32);
      assert.ok((params.get("nonce") ?? "").length >= 32);
      assert.match(params.get("scope") ?? "", /\bopenid\b.*\bemail\b/);
      const [cookie] = start.headers.getSetCookie();
      assert.match(cookie ?? "", /^onboard_oidc=[^;]+;.*Path=\/auth\/oidc/);
      assert.match(cookie ?? "", /HttpOnly/i);
      assert.match(cookie ?? "", /SameSite=Lax/i);
    });

    test("the callback signs in with the same session as a password sign-in, linking the account by its verified email", async () => {
      const browser = new Browser();
      const callback = await throughProvider(browser, closed.url, "sub-ann");
      assert.equal(callback.pathname, "/auth/oidc/callback");
      const flowToken = browser.cookie(closed.url, "onboard_oidc") ?? "";
      const flowHash = createHash("sha256").update(flowToken).digest("hex");
      const flow = await sql`SELECT state FROM oidc_flows WHERE token_hash = ${flowHash}`.execute(closed.fresh.database.db);
      assert.deepEqual(flow.rows, [{ state: callback.searchParams.get("state") }], "the flow waits, server-side");
      const done = await browser.fetch(callback);
      assert.equal(done.status, 303, await done.clone().text());
      assert.equal(done.headers.get("location"), "/");
      const setCookies = done.headers.getSetCookie();
      assert.ok(setCookies.some((c) => /^onboard_session=[^;]+;.*HttpOnly/i.test(c) && /SameSite=Lax/i.test(c)));
      const csrfToken = browser.cookie(closed.url, "onboard_csrf");
      assert.ok(csrfToken);

      const me = await json(await browser.fetch(`${closed.url}/auth/session`));
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal((me.body.user as { id: string }).id, "ann");
      assert.equal((me.body.credential as { kind: string }).kind, "session");
      // The session remembers it was single sign-on, and the issuer: sign-offs record it in the audit trail.
      const how = await sql<{
        auth_method: string;
        auth_detail: string;
      }>`SELECT auth_method, auth_detail FROM sessions WHERE user_id = 'ann'`.execute(closed.fresh.database.db);
      assert.ok(
        how.rows.some((r) => r.auth_method === "sso" && /^https?:\/\//.test(r.auth_detail)),
        JSON.stringify(how.rows),
      );
      // A write with the session and its CSRF token, like any browser session.
      const jar = browser.jar.get(closed.url) ?? new Map();
      const write = await fetch(`${closed.url}/clients`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
          "x-csrf-token": csrfToken,
        },
        body: JSON.stringify({ name: "Initech", timeZone: "Europe/Berlin" }),
      });
      assert.equal(write.status, 201, await write.text());

      const links = await sql<{ issuer: string; subject: string; user_id: string; email: string }>`
        SELECT issuer, subject, user_id, email FROM oidc_identities`.execute(closed.fresh.database.db);
      assert.deepEqual(links.rows, [{ issuer, subject: "sub-ann", user_id: "ann", email: "ann@example.com" }]);
      const recorded = await sql<{ change: string; subject_user: string; actor: string; details: { issuer: string; subject: string } }>`
        SELECT change, subject_user, actor, details FROM access_changes WHERE change = 'sso_identity_linked'`.execute(
        closed.fresh.database.db,
      );
      assert.deepEqual(
        recorded.rows.map((r) => [r.change, r.subject_user, r.actor, r.details.issuer, r.details.subject]),
        [["sso_identity_linked", "ann", "sso", issuer, "sub-ann"]],
        "the link is an access change, recorded with it",
      );
      const used = await sql`SELECT * FROM oidc_flows WHERE token_hash = ${flowHash}`.execute(closed.fresh.database.db);
      assert.equal(used.rows.length, 0, "the flow was used up");
      assert.equal(browser.cookie(closed.url, "onboard_oidc"), undefined, "and its cookie cleared");
    });

    test("the linked identity is found again by issuer and subject, whatever its email now", async () => {
      const person = PEOPLE["sub-ann"];
      assert.ok(person);
      person.email = "ann.renamed@example.com";
      try {
        const browser = new Browser();
        const done = await browser.fetch(await throughProvider(browser, closed.url, "sub-ann"));
        assert.equal(done.status, 303);
        const me = await json(await browser.fetch(`${closed.url}/auth/session`));
        assert.equal((me.body.user as { id: string }).id, "ann");
      } finally {
        person.email = "ann@example.com";
      }
    });

    test("a wrong state is refused, and the flow cannot be finished afterwards", async () => {
      const browser = new Browser();
      const callback = await throughProvider(browser, closed.url, "sub-ann");
      const forged = new URL(callback);
      forged.searchParams.set("state", "not-the-state-this-browser-was-given-xxxxxxxx");
      const refused = await browser.fetch(forged);
      const body = await isProblem(refused, 403, "csrf");
      assert.match(String(body.detail), /state/);
      assert.ok(!refused.headers.getSetCookie().some((c) => c.startsWith("onboard_session=")));
      // The real answer comes too late: the flow was consumed.
      await isProblem(await browser.fetch(callback), 400, "bad-request");
      await isProblem(await browser.fetch(`${closed.url}/auth/session`), 401, "unauthenticated");
    });

    test("another browser cannot finish someone's sign-in (no flow cookie)", async () => {
      const victim = new Browser();
      const callback = await throughProvider(victim, closed.url, "sub-ann");
      const attacker = new Browser();
      await isProblem(await attacker.fetch(callback), 400, "bad-request");
    });

    test("an email domain outside OIDC_ALLOWED_DOMAINS is refused", async () => {
      const browser = new Browser();
      const refused = await browser.fetch(await throughProvider(browser, closed.url, "sub-eve"));
      const body = await isProblem(refused, 403, "forbidden");
      assert.match(String(body.detail), /example\.com/);
      assert.ok(!refused.headers.getSetCookie().some((c) => c.startsWith("onboard_session=")));
      const links = await sql`SELECT * FROM oidc_identities WHERE subject = 'sub-eve'`.execute(closed.fresh.database.db);
      assert.equal(links.rows.length, 0);
    });

    test("an unverified email links nothing, and an unknown account is refused when accounts must exist", async () => {
      const unverified = new Browser();
      await isProblem(await unverified.fetch(await throughProvider(unverified, closed.url, "sub-ann-unverified")), 403, "forbidden");
      const stranger = new Browser();
      const body = await isProblem(await stranger.fetch(await throughProvider(stranger, closed.url, "sub-newbie")), 403, "forbidden");
      assert.match(String(body.detail), /newbie@example\.com/);
    });

    test("with OIDC_NEW_ACCOUNT_ROLE the first sign-in creates the account, with that role and no password", async () => {
      const browser = new Browser();
      const done = await browser.fetch(await throughProvider(browser, open.url, "sub-newbie"));
      assert.equal(done.status, 303, await done.clone().text());
      const me = await json(await browser.fetch(`${open.url}/auth/session`));
      assert.equal(me.status, 200);
      const user = me.body.user as { email: string; name: string; roles: string[] };
      assert.equal(user.email, "newbie@example.com");
      assert.equal(user.name, "New Person");
      assert.deepEqual(user.roles, ["csm"]);
      const login = await fetch(`${open.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "newbie@example.com", password: "!sso" }),
      });
      assert.equal(login.status, 401, "no password signs in to an account SSO created");
      // Any domain here; the second sign-in finds the same account.
      const again = new Browser();
      assert.equal((await again.fetch(await throughProvider(again, open.url, "sub-eve"))).status, 303);
      const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(open.fresh.database.db);
      const second = new Browser();
      assert.equal((await second.fetch(await throughProvider(second, open.url, "sub-newbie"))).status, 303);
      const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(open.fresh.database.db);
      assert.equal(after.rows[0]?.n, count.rows[0]?.n);
      const recorded = await sql<{ change: string; actor: string; roles_after: string[] | null }>`
        SELECT c.change, c.actor, c.roles_after FROM access_changes c JOIN users u ON u.id = c.subject_user
         WHERE u.email = 'newbie@example.com' ORDER BY c.id`.execute(open.fresh.database.db);
      assert.deepEqual(
        recorded.rows.map((r) => [r.change, r.actor, r.roles_after]),
        [
          ["account_created", "sso", ["csm"]],
          ["sso_identity_linked", "sso", null],
        ],
        "made and linked once, however often it signs in",
      );
    });
  });
}

describe("single sign-on not configured", () => {
  test("its routes answer 503 problem+json, and GET /auth/methods offers no single sign-on", async () => {
    const [pglite] = BACKENDS;
    assert.ok(pglite);
    const onboard = await startOnboard(pglite, {});
    try {
      assert.deepEqual(await (await fetch(`${onboard.url}/auth/methods`)).json(), {
        password: true,
        singleSignOn: { enabled: false, loginUrl: null, provider: null },
      });
      await isProblem(await fetch(`${onboard.url}/auth/oidc/login`, { redirect: "manual" }), 503, "unavailable");
      await isProblem(await fetch(`${onboard.url}/auth/oidc/callback?code=x&state=y`, { redirect: "manual" }), 503, "unavailable");
    } finally {
      await onboard.server.close();
      await onboard.fresh.dispose();
    }
  });

  test("OIDC_ISSUER needs OIDC_CLIENT_ID, and https unless on a loopback address", () => {
    assert.throws(() => parseConfig({ OIDC_ISSUER: "https://id.example.com" }), /OIDC_CLIENT_ID/);
    assert.throws(() => parseConfig({ OIDC_ISSUER: "http://id.example.com", OIDC_CLIENT_ID: "x" }), /OIDC_ISSUER/);
    assert.throws(() => parseConfig({ OIDC_NEW_ACCOUNT_ROLE: "boss" }), /OIDC_NEW_ACCOUNT_ROLE/);
    const config = parseConfig({
      OIDC_ISSUER: "https://id.example.com/realms/x",
      OIDC_CLIENT_ID: "onboard",
      OIDC_ALLOWED_DOMAINS: "Example.com, @corp.example",
      OIDC_NEW_ACCOUNT_ROLE: "support",
    });
    assert.deepEqual(config.oidc, {
      issuer: "https://id.example.com/realms/x",
      clientId: "onboard",
      clientSecret: undefined,
      allowedDomains: ["example.com", "corp.example"],
      newAccountRole: "support",
    });
    assert.equal(parseConfig({}).oidc, undefined);
  });
});
