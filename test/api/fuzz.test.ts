// The HTTP fuzz suite: a real server (in-memory PGlite; PostgreSQL too, with fewer runs), its own
// /openapi.json, and for EVERY operation in it fast-check requests derived from the operation's
// schemas (support/fuzz-requests.ts): valid-ish values built from strings the server already knows,
// and hostile ones (wrong types, missing and extra members, NUL, lone surrogates, huge strings and
// arrays, nesting thousands deep, 1e308, invalid UTF-8 bytes, truncated or empty bodies, the wrong
// Content-Type or none, percent-encodings that are not UTF-8), sent over a socket as an admin (a
// session with its CSRF token, or an API token), a portal contact, or anonymously on public routes;
// signed webhooks are signed with the test's secrets so the fuzz reaches their parsers. The
// property: no answer is 5xx, and every 4xx is problem+json (a SOAP fault on the SOAP endpoint)
// without stack traces or SQL. New routes are fuzzed because the suite walks the document; a route
// the generator cannot describe fails here, loudly.
//
// FUZZ_RUNS: runs per operation (default 30, under a minute; `npm run fuzz` runs 500).
// FUZZ_SEED: printed in every failure; with FUZZ_ROUTE ("POST /clients") it replays that operation.
// FUZZ_SHRINK=1: shrink a failing request (slow). FUZZ_BACKEND=pglite|postgres: one backend only.
// FUZZ_LOG=error: the server's error log on stderr. FUZZ_TRACE=1: every request and its answer.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
// @ts-expect-error oidc-provider ships no type declarations (and @types/oidc-provider is no dependency)
import Provider from "oidc-provider";
import YAML from "yaml";
import { signGeneric, signHubspot } from "../../src/api/webhooks/signatures.ts";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { ensureSigningKeyFile } from "../../src/store/signed-note.ts";
import {
  type CallerKind,
  type CaseOptions,
  casesFor,
  type FuzzCase,
  namesOf,
  type Operation,
  operationsOf,
  percentEncode,
} from "./support/fuzz-requests.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Caller, cookieHeader, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { type RawResponse, sendRaw } from "./support/raw-http.ts";
import { HOSTILE_STRINGS, Pool, SchemaArbitraries } from "./support/schema-arbitrary.ts";
import { MINIMAL } from "./support/world.ts";

const BACKENDS = (await testBackends()).filter((b) => process.env.FUZZ_BACKEND === undefined || b.name === process.env.FUZZ_BACKEND);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
const ONLY = process.env.FUZZ_ROUTE;
const SHRINK = process.env.FUZZ_SHRINK === "1";
const TRACE = process.env.FUZZ_TRACE === "1";

const WEBHOOK_SECRET = "fuzz generic webhook secret, long enough";
const HUBSPOT_SECRET = "fuzz hubspot client secret";
const PIPEDRIVE = { user: "pipedrive", password: "fuzz pipedrive password" };
const ORG_ID = "00D5g000004SalEEAS";
const OIDC_SECRET = "a client secret long enough for HS256 at the provider";
const CONTACT_EMAIL = "sponsor@fuzz-acme.example";

/** Header parameters a signer fills from the final bytes (not generated). */
const SIGNED_HEADERS = new Set(["onboard-signature", "x-hubspot-signature-v3", "x-hubspot-request-timestamp", "authorization"]);

const CALLERS: Readonly<Record<Operation["access"], readonly CallerKind[]>> = {
  public: ["anonymous"],
  account: ["session", "token"],
  contact: ["contact"],
};

/** A stack frame or a database's own words in a refusal. */
const LEAKS =
  /\n\s+at |node:internal|node_modules\/|\/src\/[\w/-]+\.ts\b|violates (?:unique|foreign key|not-null|check) constraint|duplicate key value|relation "[^"]*" does not exist|invalid input syntax for|invalid byte sequence for encoding|unsupported Unicode escape sequence|stack depth limit/i;

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    if (this.sent.length > 200) this.sent.splice(0, 100);
  }
  tokenFor(email: string): string | undefined {
    const mail = this.sent.findLast((m) => m.to.some((t) => t.address === email) && /#token=/.test(m.text));
    return mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

/** A Salesforce Outbound Message; its values valid-ish or hostile, escaped or not. */
function outboundMessages(pool: Pool): fc.Arbitrary<string> {
  const text = fc.oneof(
    { weight: 3, arbitrary: pool.pick(() => pool.all, fc.string({ maxLength: 30 })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS, "&#0;", "&#xD800;", "&#1114112;", "]]>", "<x>", "&unknown;") },
  );
  const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{15,18}$/), text);
  const notification = fc.record({
    id,
    opportunity: id,
    account: fc.option(id, { nil: undefined }),
    name: text,
    stage: fc.oneof(fc.constantFrom("Closed Won", "Prospecting"), text),
    won: fc.constantFrom("true", "false", "TRUE", ""),
    amount: fc.constantFrom("48000.0", "-1", "1e308", "NaN", "abc", ""),
    type: fc.constantFrom("sf:Opportunity", "sf:Opportunity", "sf:Lead", "Opportunity", ""),
  });
  return fc
    .record({
      org: fc.oneof({ weight: 5, arbitrary: fc.constant(ORG_ID) }, fc.constant("00D000000000062EAA"), text),
      notifications: fc.array(notification, { maxLength: 3 }),
      escaped: fc.boolean(),
    })
    .map(({ org, notifications, escaped }) => {
      const x = (v: string) => (escaped ? v.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`) : v);
      const body = notifications
        .map(
          (n) =>
            `<Notification><Id>${x(n.id)}</Id><sObject xsi:type="${n.type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">` +
            `<sf:Id>${x(n.opportunity)}</sf:Id>${n.account === undefined ? "" : `<sf:AccountId>${x(n.account)}</sf:AccountId>`}` +
            `<sf:Amount>${n.amount}</sf:Amount><sf:IsWon>${n.won}</sf:IsWon><sf:Name>${x(n.name)}</sf:Name>` +
            `<sf:StageName>${x(n.stage)}</sf:StageName></sObject></Notification>`,
        )
        .join("");
      return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
        `<OrganizationId>${x(org)}</OrganizationId>${body}</notifications></soapenv:Body></soapenv:Envelope>`
      );
    });
}

/** Playbook text: the real ones, the real ones with a line broken, YAML of any shape, a billion laughs. */
function playbookTexts(): fc.Arbitrary<string> {
  const folder = new URL("../../playbooks/", import.meta.url);
  const texts = [
    MINIMAL,
    ...readdirSync(folder)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => readFileSync(new URL(f, folder), "utf8")),
  ];
  const broken = fc
    .tuple(
      fc.constantFrom(...texts),
      fc.nat(),
      fc.constantFrom(...HOSTILE_STRINGS, "\t", ": :", "- [", "&a *a", "!!binary x", "<<: *b", "? [a]"),
    )
    .map(([text, at, insert]) => {
      const lines = text.split("\n");
      lines.splice(at % (lines.length + 1), 0, insert);
      return lines.join("\n");
    });
  // A value written as a double-quoted scalar with an escape: "\0" and "\ud800" decode to text no database holds.
  const escaped = fc
    .tuple(
      fc.constantFrom(...texts),
      fc.nat(),
      fc.constantFrom("\\0", "\\x00", "\\u0000", "\\ud800", "\\udfff", "\\U0001F7E2", "\\e", "\\N", "\\uFFFE"),
    )
    .map(([text, at, sequence]) => {
      const lines = text.split("\n");
      const plain = lines.flatMap((line, i) => (/^\s*(- )?[a-z_]+: [A-Za-z]/.test(line) ? [i] : []));
      const i = plain[at % Math.max(plain.length, 1)] ?? 0;
      lines[i] = (lines[i] ?? "").replace(/: (.*)$/, (_, value: string) => `: "${value.replaceAll('"', "")} ${sequence}"`);
      return lines.join("\n");
    });
  const laughs = `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
    { length: 9 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(",")}]`,
  ).join("\n")}\n`;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...texts) },
    { weight: 3, arbitrary: broken },
    { weight: 3, arbitrary: escaped },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => YAML.stringify(v)) },
    { weight: 1, arbitrary: fc.constant(laughs) },
  );
}

/** Files as an upload sends them: the right magic bytes, the wrong ones, text with NULs, too big. */
function files(): fc.Arbitrary<{ type: string; bytes: Buffer }> {
  return fc.oneof(
    fc.constant({ type: "text/plain", bytes: Buffer.from("meeting notes\n") }),
    fc.constant({ type: "text/csv", bytes: Buffer.from("a,b\n1,\u0000\n") }),
    fc.constant({ type: "application/pdf", bytes: Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "latin1") }),
    fc.constant({ type: "image/png", bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) }),
    fc.constant({ type: "image/png", bytes: Buffer.from("not a png") }),
    fc.constant({ type: "application/zip", bytes: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe]) }),
    fc.constant({ type: "text/plain", bytes: Buffer.alloc(11 * 1024 * 1024, 0x61) }),
    fc
      .tuple(fc.constantFrom("text/plain", "image/gif", "application/octet-stream"), fc.uint8Array({ maxLength: 256 }))
      .map(([type, b]) => ({ type, bytes: Buffer.from(b) })),
  );
}

/** The server under fuzz, its credentials (renewed when a fuzzed request ends them) and the strings it knows. */
class Harness {
  readonly t: TestServer;
  readonly port: number;
  readonly mailer: RecordingMailer;
  readonly idp: Server;
  document: unknown;
  readonly pool = new Pool((value) => this.reserved.has(value) || value.startsWith("onb_"));
  session: Caller | undefined;
  token = "";
  contact: { cookie: string; csrf: string } | undefined;
  /** Never fuzzed as a path parameter: the harness's own account and credentials. */
  readonly reserved = new Set<string>([ADMIN_EMAIL, ADMIN_PASSWORD]);

  private constructor(t: TestServer, mailer: RecordingMailer, idp: Server) {
    this.t = t;
    this.port = Number(new URL(t.url).port);
    this.mailer = mailer;
    this.idp = idp;
    this.session = t.admin;
  }

  static async start(backend: (typeof BACKENDS)[number]): Promise<Harness> {
    // A real OpenID provider, so the single sign-on routes are fuzzed rather than 503 (not configured).
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
    const idp = createServer((req, res) => handle(req, res));
    const issuer = `http://127.0.0.1:${await listen(idp)}`;
    const auditKeyFile = join(mkdtempSync(join(tmpdir(), "onboard-fuzz-key-")), "audit.pem");
    await ensureSigningKeyFile(auditKeyFile);
    const mailer = new RecordingMailer();
    const t = await startTestServer(
      backend,
      {
        LOG_LEVEL: process.env.FUZZ_LOG ?? "silent",
        ONBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET,
        HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
        CRM_DEFAULT_PLAYBOOK: "minimal",
        PIPEDRIVE_WEBHOOK_USER: PIPEDRIVE.user,
        PIPEDRIVE_WEBHOOK_PASSWORD: PIPEDRIVE.password,
        SALESFORCE_ORGANIZATION_ID: ORG_ID,
        WEBHOOK_RATE_LIMIT: "1000000",
        LOGIN_RATE_LIMIT: "100000",
        MAGIC_LINK_RATE_LIMIT: "100000",
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: "onboard",
        OIDC_CLIENT_SECRET: OIDC_SECRET,
        // A signing key, so the audit checkpoint routes are fuzzed rather than 503 (checkpoints off).
        AUDIT_SIGNING_KEY: auditKeyFile,
        AUDIT_CHECKPOINT_INTERVAL: "0",
      },
      // CRM_DEFAULT_PLAYBOOK must be published when the server starts (checked then).
      { mailer, publish: [MINIMAL] },
    ).catch((error: unknown) => {
      idp.close();
      throw error;
    });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: "onboard",
          client_secret: OIDC_SECRET,
          redirect_uris: [`${t.url}/auth/oidc/callback`],
          grant_types: ["authorization_code"],
          response_types: ["code"],
        },
      ],
      cookies: { keys: ["a cookie signing key for the fuzz provider"] },
      pkce: { required: () => true },
    });
    handle = provider.callback();
    const h = new Harness(t, mailer, idp);
    try {
      await h.seed();
    } catch (error) {
      await h.close();
      throw error;
    }
    return h;
  }

  async seed(): Promise<void> {
    const { admin } = this.t;
    const ok = async (what: string, response: Promise<{ status: number; body: unknown }>) => {
      const r = await response;
      assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Record<string, unknown>;
    };
    // Published at start; uploading the same version again is accepted as the same.
    await ok("minimal playbook", admin.request("POST", "/playbooks", { raw: MINIMAL, headers: { "content-type": "application/yaml" } }));
    // Two of each listed thing at least, so that a page of one has a nextCursor to fuzz ?cursor with.
    await ok("client", admin.post("/clients", { id: "fuzz-acme", name: "Fuzz Acme GmbH", timeZone: "Europe/Berlin", country: "DE" }));
    await ok("client", admin.post("/clients", { id: "fuzz-globex", name: "Globex Ltd", timeZone: "America/New_York", country: "US" }));
    for (const id of ["fuzz-ann", "fuzz-bob"])
      await ok("person", admin.request("PUT", `/people/${id}`, { body: { name: id, roles: ["csm"], capacity: 5 } }));
    await ok("token", admin.post("/tokens", { name: "another", scope: "read" }));
    await ok(
      "contact",
      admin.post("/clients/fuzz-acme/contacts", { name: "Sponsor", email: CONTACT_EMAIL, roles: ["client_primary_contact"] }),
    );
    const facts = { territory: "emea", complex_integrations: false, data_migration: false };
    await ok(
      "project",
      admin.post("/projects", { id: "fuzz-onboarding", playbook: { id: "ops_sop_020", version: "1.1" }, clientId: "fuzz-acme", facts }),
    );
    await ok(
      "minimal project",
      admin.post("/projects", {
        id: "fuzz-minimal",
        playbook: { id: "minimal", version: "1.1" },
        clientId: "fuzz-acme",
        facts: { user_count: 25, data_migration: false },
      }),
    );
    await ok("comment", admin.post("/projects/fuzz-onboarding/comments", { body: "A comment to fuzz around" }));
    await ok(
      "attachment",
      admin.request("POST", "/projects/fuzz-onboarding/attachments?fileName=notes.txt", {
        raw: "notes",
        headers: { "content-type": "text/plain" },
      }),
    );
    await ok(
      "user",
      admin.post("/users", {
        id: "fuzz-victim",
        email: "victim@example.com",
        name: "Victim",
        roles: ["csm"],
        password: "a long enough password",
      }),
    );
    const token = await ok("token", admin.post("/tokens", { name: "fuzz", scope: "write" }));
    this.token = String(token.token);
    this.reserved.add(String(token.id));
    const me = await ok("session", admin.get("/auth/session"));
    this.reserved.add(String((me.user as { id: string }).id));
    this.document = await ok("openapi", this.t.anonymous.get("/openapi.json"));
    await this.signInContact();
  }

  async signInContact(): Promise<void> {
    this.contact = undefined;
    const asked = await this.t.anonymous.post("/portal/api/magic-links", { email: CONTACT_EMAIL });
    await this.t.deliverSignInLinks();
    const token = this.mailer.tokenFor(CONTACT_EMAIL);
    if (asked.status !== 202 || token === undefined) return;
    const signedIn = await this.t.anonymous.post("/portal/api/sessions", { token });
    if (signedIn.status === 200) this.contact = { cookie: cookieHeader(signedIn), csrf: signedIn.body.csrfToken };
  }

  /** The strings the server knows (ids, emails, stages, ETags), read from every GET it answers. */
  async harvest(operations: readonly Operation[]): Promise<void> {
    /** Read one target; true when the answer taught nothing: a success that is neither JSON nor has an ETag (a ZIP, a calendar). */
    const read = async (operation: Operation, target: string) => {
      const caller: CallerKind = operation.access === "contact" ? "contact" : operation.access === "public" ? "anonymous" : "token";
      const response = await sendRaw(this.port, { method: "GET", target, headers: this.credentials(caller) });
      this.learn(response, operation.path);
      return response.status < 300 && !/json/.test(response.headers["content-type"] ?? "") && !response.headers.etag;
    };
    const gets = operations.filter((o) => o.method === "GET" && o.path !== "/openapi.json");
    for (const operation of gets.filter((o) => !o.path.includes("{"))) {
      await read(operation, operation.path);
      // A page of one, for a nextCursor to fuzz ?cursor with.
      if (operation.parameters.some((p) => p.name === "limit")) await read(operation, `${operation.path}?limit=1`);
    }
    // Then the GETs with parameters, filled from what the first pass found (a project's steps, its meetings).
    const random = fc.sample(fc.nat(), { numRuns: 1000, seed: SEED });
    let next = 0;
    for (const operation of gets.filter((o) => o.path.includes("{"))) {
      for (let i = 0; i < 6; i++) {
        const target = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const named =
            namesOf(operation.path, name)
              .map((n) => this.pool.named(n))
              .find((v) => v.length > 0) ?? [];
          const values = named.length > 0 ? named : this.pool.all;
          return percentEncode(values[(random[next++ % random.length] ?? 0) % values.length] ?? "x");
        });
        // A download without an ETag (only JSON bodies are harvested) teaches nothing from other
        // targets either: an evidence package alone, signed and zipped, takes a second to make.
        if (await read(operation, target)) break;
      }
    }
  }

  /** Keep what an answer says: its ETag for If-Match, a success's strings by member name. */
  learn(response: RawResponse, scope: string): void {
    // A 412 names the current ETag too: the next command on that project can match it.
    if (response.headers.etag) for (const name of ["if-match", "if-none-match"]) this.pool.add(name, response.headers.etag);
    if (response.status >= 300) return;
    if (/json/.test(response.headers["content-type"] ?? "")) {
      try {
        this.pool.addAll(JSON.parse(response.body.toString("utf8")), scope);
      } catch {}
    }
  }

  credentials(caller: CallerKind): [string, string][] {
    switch (caller) {
      case "anonymous":
        return [];
      case "token":
        return [["authorization", `Bearer ${this.token}`]];
      case "session":
        return this.session
          ? [
              ["cookie", this.session.credentials.cookie ?? ""],
              ["x-csrf-token", this.session.credentials.csrfToken ?? ""],
            ]
          : [["authorization", `Bearer ${this.token}`]];
      case "contact":
        return this.contact
          ? [
              ["cookie", this.contact.cookie],
              ["x-csrf-token", this.contact.csrf],
            ]
          : [];
    }
  }

  /** After an operation's runs: credentials a fuzzed request ended (sign-out, a TOTP policy, a revoked token) are renewed. */
  async renew(): Promise<string[]> {
    const renewed: string[] = [];
    const alive = async (headers: [string, string][], path: string) =>
      (await sendRaw(this.port, { method: "GET", target: path, headers })).status === 200;
    if (!(await alive(this.credentials("token"), "/auth/session"))) {
      // Revoked by DELETE /tokens/{id}? The harness's own id is never in the pool: a new token from the session.
      const session = this.session ?? (await this.t.login(ADMIN_EMAIL, ADMIN_PASSWORD));
      const created = await session.post("/tokens", { name: "fuzz", scope: "write" });
      assert.equal(created.status, 201, `the fuzz lost its admin token and cannot make another: ${JSON.stringify(created.body)}`);
      this.token = created.body.token;
      this.reserved.add(created.body.id);
      renewed.push("token");
    }
    if (!this.session || !(await alive(this.credentials("session"), "/auth/session"))) {
      // A fuzzed PUT /auth/totp/policy may require TOTP of everyone: turn it off again to sign in with a password.
      await sendRaw(this.port, {
        method: "PUT",
        target: "/auth/totp/policy",
        headers: [...this.credentials("token"), ["content-type", "application/json"]],
        body: Buffer.from('{"requiredForEveryone":false}'),
      });
      this.session = await this.t.login(ADMIN_EMAIL, ADMIN_PASSWORD).catch(() => undefined);
      renewed.push("session");
    }
    if (!this.contact || !(await alive(this.credentials("contact"), "/portal/api/session"))) {
      await this.signInContact();
      renewed.push("contact session");
    }
    return renewed;
  }

  async close(): Promise<void> {
    await this.t.close();
    this.idp.closeAllConnections();
    await new Promise((resolve) => this.idp.close(resolve));
  }
}

/** Sign the final bytes as the operation's signed headers require. */
function signatureHeaders(h: Harness, operation: Operation, c: FuzzCase, bytes: Buffer): [string, string][] {
  if (c.signature === undefined || c.signature === "missing") return [];
  const names = new Set(operation.parameters.filter((p) => p.in === "header").map((p) => p.name));
  const wrong = c.signature === "wrong";
  const headers: [string, string][] = [];
  if (names.has("onboard-signature")) {
    const seconds = Math.floor(Date.now() / 1000) - (wrong ? 3600 : 0);
    headers.push(["onboard-signature", signGeneric(wrong ? "not the secret" : WEBHOOK_SECRET, bytes, seconds)]);
  }
  if (names.has("x-hubspot-signature-v3")) {
    const timestamp = String(Date.now());
    const uri = `http://127.0.0.1:${h.port}${c.target}`;
    headers.push(["x-hubspot-request-timestamp", timestamp]);
    headers.push([
      "x-hubspot-signature-v3",
      signHubspot(wrong ? "not the secret" : HUBSPOT_SECRET, operation.method, uri, bytes, timestamp),
    ]);
  }
  if (names.has("authorization")) {
    const credentials = wrong ? "pipedrive:wrong" : `${PIPEDRIVE.user}:${PIPEDRIVE.password}`;
    headers.push(["authorization", `Basic ${Buffer.from(credentials).toString("base64")}`]);
  }
  return headers;
}

function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text;
}

function describeCase(c: FuzzCase, method: string): string {
  const body = c.body
    ? `\n  body: ${c.body.bytes.length} bytes as ${c.body.type ?? "(no Content-Type)"}: ${JSON.stringify(shorten(c.body.bytes.toString("latin1"), 200))}`
    : "";
  return (
    `\n  ${method} ${shorten(c.target)} as ${c.caller}${c.signature ? ` (signature ${c.signature})` : ""}` +
    `${c.headers.length > 0 ? `\n  headers: ${JSON.stringify(c.headers.map(([n, v]) => [n, shorten(v, 80)]))}` : ""}${body}` +
    `\n  hostile: ${c.notes.length > 0 ? c.notes.join("; ") : "nothing (valid-ish)"}`
  );
}

/** Why `response` breaks the property, or undefined. */
function violation(operation: Operation, response: RawResponse, requestType: string | undefined): string | undefined {
  const text = response.body.toString("utf8");
  const type = response.headers["content-type"] ?? "";
  if (response.status >= 500) return `answered ${response.status}: ${shorten(text, 500)}`;
  if (response.status < 400) return undefined;
  if (LEAKS.test(text)) return `the refusal shows a stack trace or the database's words: ${shorten(text, 500)}`;
  // A SOAP request may be refused with a SOAP fault wherever SOAP can come in (a CRM connection's
  // address takes Salesforce's messages as well as JSON); the SOAP-only endpoint refuses only so.
  const soapRequest = /xml/.test(requestType ?? "");
  if ((operation.soap || soapRequest) && /^text\/xml/.test(type)) {
    return /<soapenv:Fault>/.test(text) ? undefined : `a ${response.status} that is not a SOAP fault: ${shorten(text)}`;
  }
  if (!/^application\/problem\+json/.test(type))
    return `a ${response.status} as ${type || "no Content-Type"}, not problem+json: ${shorten(text)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text);
  } catch {
    return `a problem+json ${response.status} that is not JSON: ${shorten(text)}`;
  }
  if (problem.status !== response.status || typeof problem.type !== "string" || !problem.type.startsWith("urn:onboard:problem:")) {
    return `a problem document that does not match its status: ${shorten(text)}`;
  }
  if (typeof problem.title !== "string" || typeof problem.detail !== "string")
    return `a problem document without title or detail: ${shorten(text)}`;
  // Before routing (Node's parser refused the request) even the SOAP endpoint can only answer problem+json.
  if (operation.soap && problem.instance !== "/") return `the SOAP endpoint answered problem+json, not a SOAP fault: ${shorten(text)}`;
  return undefined;
}

/** A seed per operation, so FUZZ_ROUTE replays one operation's sequence under the run's FUZZ_SEED. */
function seedOf(key: string): number {
  let hash = SEED;
  for (const ch of key) hash = (Math.imul(hash, 31) + (ch.codePointAt(0) ?? 0)) | 0;
  return hash;
}

for (const backend of BACKENDS) {
  // PostgreSQL gets a quarter of the runs: the same handlers, a real server's own refusals.
  const runs = backend.name === "pglite" ? RUNS : Math.max(2, Math.ceil(RUNS / 4));
  describe(`HTTP fuzz on ${backend.name} (FUZZ_SEED=${SEED}, ${runs} runs per operation)`, { skip: backend.skip }, () => {
    let h: Harness;
    let operations: Operation[];
    let options: CaseOptions;

    before(async () => {
      h = await Harness.start(backend);
      operations = operationsOf(h.document);
      await h.harvest(operations);
      const schemas = new SchemaArbitraries(h.document, h.pool);
      options = {
        schemas,
        pool: h.pool,
        signedHeaders: SIGNED_HEADERS,
        sources: { xml: outboundMessages(h.pool), yaml: playbookTexts(), files: files() },
      };
    });
    after(() => h?.close());

    test("every operation in /openapi.json can be fuzzed (a new kind of schema needs support in support/schema-arbitrary.ts)", () => {
      assert.ok(operations.length > 50, `only ${operations.length} operations`);
      for (const operation of operations) casesFor(operation, CALLERS[operation.access], options);
      assert.ok(h.pool.all.length > 20, `the harvest found only ${h.pool.all.length} strings`);
    });

    test("no request answers 5xx; every refusal is problem+json (a SOAP fault for SOAP) without stack traces or SQL", async (t) => {
      for (const operation of operations) {
        if (ONLY !== undefined && operation.key !== ONLY) continue;
        const seed = seedOf(operation.key);
        await t.test(operation.key, async (tt) => {
          const statuses = new Map<number, number>();
          const arbitrary = casesFor(operation, CALLERS[operation.access], options).map((c) =>
            Object.assign(c, { [fc.toStringMethod]: () => describeCase(c, operation.method) }),
          );
          await fc.assert(
            fc.asyncProperty(arbitrary, async (c) => {
              const bytes = c.body?.bytes;
              const headers: [string, string][] = [
                ...h.credentials(c.caller),
                ...signatureHeaders(h, operation, c, bytes ?? Buffer.alloc(0)),
                ...c.headers.map(([n, v]) => [n, v] as [string, string]),
                ...(c.body?.type !== undefined ? [["content-type", c.body.type] as [string, string]] : []),
              ];
              const response = await sendRaw(h.port, {
                method: operation.method,
                target: c.target,
                headers,
                ...(bytes ? { body: bytes } : {}),
              });
              statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
              h.learn(response, operation.path);
              if (TRACE)
                process.stderr.write(
                  `${describeCase(c, operation.method)}\n  => ${response.status} ${shorten(response.body.toString("utf8"), 300)}\n`,
                );
              const why = violation(operation, response, c.body?.type);
              if (why !== undefined) {
                throw new Error(
                  `${operation.key} ${why}\n  replay: FUZZ_SEED=${SEED} FUZZ_ROUTE='${operation.key}' npx node --test test/api/fuzz.test.ts` +
                    " (the strings it learns from answers differ run to run; the request below is the exact reproduction)",
                );
              }
            }),
            { numRuns: runs, seed, endOnFailure: !SHRINK },
          );
          const renewed = await h.renew();
          tt.diagnostic(
            `${[...statuses]
              .sort(([a], [b]) => a - b)
              .map(([s, n]) => `${s}×${n}`)
              .join(" ")}${renewed.length > 0 ? `; renewed ${renewed.join(", ")}` : ""}`,
          );
        });
      }
    });
  });
}
