// The TOTP second factor over real HTTP, on PGlite and PostgreSQL, with real codes computed by
// otpauth at instants the test chooses (the server's clock is injected): enrolment confirmed by a
// first code, the two-step sign-in with no session before the code, codes that pass once, recovery
// codes used once, a pending sign-in that expires and ends after a few wrong codes, the admin's
// requirement (everyone, or one account) that leaves an unenrolled account nothing but the
// enrolment, the admin's reset, the rate limit, and the secret encrypted at rest.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import { parseConfig } from "../../src/api/config.ts";
import { startServer } from "../../src/api/server.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, Caller, cookieHeader, type Json, PASSWORD, type Response, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const START = Date.parse("2026-03-02T09:00:10.000Z");

function isProblem(response: Response, status: number, kind: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(response.body.type, `urn:onboard:problem:${kind}`);
}

/** The code the authenticator shows at `at` (ms). */
function codeAt(secret: string, at: number): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: at });
}

interface World {
  readonly url: string;
  readonly anonymous: Caller;
  readonly admin: Caller;
  readonly clock: { now: number };
  query<T = Json>(text: string, value: string): Promise<T[]>;
  close(): Promise<void>;
}

async function startWorld(backend: (typeof BACKENDS)[number], env: Record<string, string> = {}): Promise<World> {
  const fresh = await backend.fresh();
  const clock = { now: START };
  const config = parseConfig({
    PORT: "0",
    LOG_LEVEL: "silent",
    SCHEDULER: "off",
    OUTBOX: "off",
    ONBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOGIN_RATE_LIMIT: "10000",
    TOTP_ENCRYPTION_KEY: KEY,
    ...env,
  });
  const server = await startServer(config, { database: fresh.database, clock: () => new Date(clock.now).toISOString() });
  const url = await server.listen();
  const anonymous = new Caller(url);
  const login = await anonymous.post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  assert.equal(login.status, 200);
  const admin = new Caller(url, { cookie: cookieHeader(login), csrfToken: login.body.csrfToken });
  return {
    url,
    anonymous,
    admin,
    clock,
    async query<T>(text: string, value: string) {
      const [before = "", after = ""] = text.split("$1");
      const result = await sql<T>`${sql.raw(before)}${value}${sql.raw(after)}`.execute(fresh.database.db);
      return result.rows;
    },
    async close() {
      await server.close();
      await fresh.dispose();
    },
  };
}

/** Password step: returns the response and a caller holding the pending cookie. */
async function passwordStep(w: World, email: string, password = PASSWORD): Promise<{ response: Response; pending: Caller }> {
  const response = await w.anonymous.post("/auth/login", { email, password });
  return { response, pending: new Caller(w.url, { cookie: cookieHeader(response) }) };
}

function sessionOf(w: World, response: Response): Caller {
  return new Caller(w.url, { cookie: cookieHeader(response), csrfToken: response.body.csrfToken });
}

async function createAccount(w: World, id: string, roles: string[] = ["csm"]): Promise<void> {
  const created = await w.admin.post("/users", { id, email: `${id}@example.com`, name: id, roles, password: PASSWORD });
  assert.equal(created.status, 201, JSON.stringify(created.body));
}

async function signedIn(w: World, id: string): Promise<Caller> {
  const { response } = await passwordStep(w, `${id}@example.com`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return sessionOf(w, response);
}

/** Enrol `id` from a signed-in browser; returns its secret and recovery codes. */
async function enrol(w: World, id: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const session = await signedIn(w, id);
  const started = await session.post("/auth/totp/enrolment");
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const confirmed = await session.post("/auth/totp/enrolment/confirm", { code: codeAt(started.body.secret, w.clock.now) });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { secret: started.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
}

for (const backend of BACKENDS) {
  describe(`TOTP second factor on ${backend.name}`, { skip: backend.skip }, () => {
    let w: World;
    before(async () => {
      w = await startWorld(backend);
    });
    after(() => w?.close());

    test("enrolment: the URI and the secret once, confirmed by a first valid code; the secret is encrypted at rest", async () => {
      await createAccount(w, "alice");
      const alice = await signedIn(w, "alice");
      assert.deepEqual((await alice.get("/auth/totp")).body, {
        enrolled: false,
        pending: false,
        required: false,
        requiredForUser: false,
        requiredForEveryone: false,
        confirmedAt: null,
        recoveryCodesLeft: 0,
      });
      const started = await alice.post("/auth/totp/enrolment");
      assert.equal(started.status, 200);
      const parsed = OTPAuth.URI.parse(started.body.uri);
      assert.ok(parsed instanceof OTPAuth.TOTP);
      assert.equal(parsed.issuer, "Onboard");
      assert.equal(parsed.label, "alice@example.com");
      assert.equal(parsed.secret.base32, started.body.secret);
      assert.equal(parsed.digits, 6);
      assert.equal(parsed.period, 30);

      const [row] = await w.query<{ secret: string }>("SELECT secret FROM user_totp WHERE user_id = $1", "alice");
      assert.match(row?.secret ?? "", /^aes256gcm:/);
      assert.ok(!row?.secret.includes(started.body.secret), "not stored in the clear");
      assert.equal((await alice.get("/auth/totp")).body.pending, true);

      // Not enrolled yet: the password alone still signs in.
      assert.equal((await passwordStep(w, "alice@example.com")).response.status, 200);

      const wrongCode = codeAt(started.body.secret, w.clock.now + 5 * 60_000);
      isProblem(await alice.post("/auth/totp/enrolment/confirm", { code: wrongCode }), 422, "invalid");
      const confirmed = await alice.post("/auth/totp/enrolment/confirm", { code: codeAt(started.body.secret, w.clock.now) });
      assert.equal(confirmed.status, 200);
      assert.equal(confirmed.body.recoveryCodes.length, 10);
      assert.equal(new Set(confirmed.body.recoveryCodes).size, 10);
      for (const code of confirmed.body.recoveryCodes) assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
      const hashes = await w.query<{ code_hash: string }>("SELECT code_hash FROM totp_recovery_codes WHERE user_id = $1", "alice");
      assert.equal(hashes.length, 10);
      assert.ok(hashes.every((h) => !confirmed.body.recoveryCodes.some((c: string) => h.code_hash.includes(c.replaceAll("-", "")))));

      const status = (await alice.get("/auth/totp")).body;
      assert.equal(status.enrolled, true);
      assert.equal(status.recoveryCodesLeft, 10);
      isProblem(await alice.post("/auth/totp/enrolment"), 409, "illegal-state");
    });

    test("an enrolled account signs in in two steps: no session until the code is right", async () => {
      await createAccount(w, "bruno");
      const { secret } = await enrol(w, "bruno");
      w.clock.now += 60_000;

      const { response, pending } = await passwordStep(w, "bruno@example.com");
      assert.equal(response.status, 202);
      assert.equal(response.body.next, "totp");
      const cookies = response.headers.getSetCookie();
      assert.equal(cookies.length, 1, cookies.join("\n"));
      assert.match(cookies[0] ?? "", /^onboard_pending=[^;]+;/);
      assert.match(cookies[0] ?? "", /; Path=\/auth\/login/);
      assert.match(cookies[0] ?? "", /; HttpOnly/i);
      assert.match(cookies[0] ?? "", /; SameSite=Strict/i);
      // The pending cookie is no session.
      isProblem(await pending.get("/auth/session"), 401, "unauthenticated");

      const wrong = await pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now + 10 * 60_000) });
      isProblem(wrong, 401, "unauthenticated");
      assert.equal(wrong.body.attemptsLeft, 4);
      assert.equal(wrong.headers.getSetCookie().length, 0);
      isProblem(await pending.post("/auth/login/totp", { code: "12345" }), 400, "validation");

      const right = await pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) });
      assert.equal(right.status, 200, JSON.stringify(right.body));
      assert.equal(right.body.user.id, "bruno");
      assert.equal(right.body.recoveryCodes, undefined);
      assert.ok(right.headers.getSetCookie().some((c) => /^onboard_session=[^;]+;.*HttpOnly/i.test(c)));
      const session = sessionOf(w, right);
      const me = await session.get("/auth/session");
      assert.equal(me.status, 200);
      assert.equal(me.body.user.id, "bruno");
      // The session remembers how it was signed in: its sign-offs record it in the audit trail.
      const methods = await w.query<{ auth_method: string }>("SELECT auth_method FROM sessions WHERE user_id = $1", "bruno");
      assert.ok(
        methods.some((r) => r.auth_method === "password_totp"),
        JSON.stringify(methods),
      );
      // The pending sign-in is over.
      isProblem(await pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) }), 409, "illegal-state");
    });

    test("a code passes once: not again in its window, and not an earlier step after a later one", async () => {
      await createAccount(w, "chen");
      const { secret } = await enrol(w, "chen");
      w.clock.now += 90_000;
      const first = await passwordStep(w, "chen@example.com");
      const code = codeAt(secret, w.clock.now);
      assert.equal((await first.pending.post("/auth/login/totp", { code })).status, 200);

      const second = await passwordStep(w, "chen@example.com");
      isProblem(await second.pending.post("/auth/login/totp", { code }), 401, "unauthenticated");
      w.clock.now += 10_000;
      isProblem(await second.pending.post("/auth/login/totp", { code }), 401, "unauthenticated");
      // Within the drift window the previous step's code would be valid, but a later step was used.
      w.clock.now += 30_000;
      isProblem(await second.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now - 60_000) }), 401, "unauthenticated");
      assert.equal((await second.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) })).status, 200);

      // One new code sent by two sign-ins at once: one of them wins.
      w.clock.now += 30_000;
      const a = await passwordStep(w, "chen@example.com");
      const b = await passwordStep(w, "chen@example.com");
      const fresh = codeAt(secret, w.clock.now);
      const results = await Promise.all([
        a.pending.post("/auth/login/totp", { code: fresh }),
        b.pending.post("/auth/login/totp", { code: fresh }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    });

    test("a code from one step of drift either way passes; two steps off does not", async () => {
      await createAccount(w, "dara");
      const { secret } = await enrol(w, "dara");
      w.clock.now += 120_000;
      const late = await passwordStep(w, "dara@example.com");
      isProblem(await late.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now - 60_000) }), 401, "unauthenticated");
      assert.equal((await late.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now - 30_000) })).status, 200);
      const early = await passwordStep(w, "dara@example.com");
      assert.equal((await early.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now + 30_000) })).status, 200);
    });

    test("recovery codes sign in instead of a code, each once", async () => {
      await createAccount(w, "emil");
      const { recoveryCodes } = await enrol(w, "emil");
      const [one = "", two = ""] = recoveryCodes;
      const first = await passwordStep(w, "emil@example.com");
      const used = await first.pending.post("/auth/login/totp", { recoveryCode: one.toLowerCase() });
      assert.equal(used.status, 200, JSON.stringify(used.body));
      assert.equal((await sessionOf(w, used).get("/auth/totp")).body.recoveryCodesLeft, 9);

      const again = await passwordStep(w, "emil@example.com");
      isProblem(await again.pending.post("/auth/login/totp", { recoveryCode: one }), 401, "unauthenticated");
      isProblem(await again.pending.post("/auth/login/totp", { recoveryCode: "AAAA-BBBB-CCCC-DDDD" }), 401, "unauthenticated");
      assert.equal((await again.pending.post("/auth/login/totp", { recoveryCode: two.replaceAll("-", "") })).status, 200);
      isProblem(await again.pending.post("/auth/login/totp", {}), 400, "validation");
    });

    test("the pending sign-in expires after five minutes and ends after five wrong codes", async () => {
      await createAccount(w, "fay");
      const { secret } = await enrol(w, "fay");
      const slow = await passwordStep(w, "fay@example.com");
      w.clock.now += 5 * 60_000 + 1000;
      isProblem(await slow.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) }), 409, "illegal-state");

      const guesser = await passwordStep(w, "fay@example.com");
      for (let left = 4; left >= 0; left--) {
        const wrong = await guesser.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now + 3_600_000 + left * 30_000) });
        isProblem(wrong, 401, "unauthenticated");
        assert.equal(wrong.body.attemptsLeft, left);
      }
      isProblem(await guesser.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) }), 409, "illegal-state");
      // Without a pending sign-in the steps answer 409, whoever asks.
      isProblem(await w.anonymous.post("/auth/login/totp", { code: "123456" }), 409, "illegal-state");
      isProblem(await w.admin.post("/auth/login/totp-enrolment"), 409, "illegal-state");
    });

    test("ten wrong codes in a row lock the authenticator for a while, across sign-ins", async () => {
      await createAccount(w, "gus");
      const { secret, recoveryCodes } = await enrol(w, "gus");
      w.clock.now += 30_000;
      for (let i = 0; i < 2; i++) {
        const attempt = await passwordStep(w, "gus@example.com");
        for (let j = 0; j < 5; j++)
          await attempt.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now + 3_600_000 + j * 30_000) });
      }
      const locked = await passwordStep(w, "gus@example.com");
      isProblem(await locked.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) }), 429, "rate-limited");
      // A recovery code still works.
      assert.equal((await locked.pending.post("/auth/login/totp", { recoveryCode: recoveryCodes[0] })).status, 200);
      w.clock.now += 16 * 60_000;
      const later = await passwordStep(w, "gus@example.com");
      assert.equal((await later.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) })).status, 200);
    });

    test("required for everyone: sessions without TOTP end, and such an account reaches only the enrolment", async () => {
      await createAccount(w, "hana");
      const hana = await signedIn(w, "hana");
      isProblem(await hana.request("PUT", "/auth/totp/policy", { body: { requiredForEveryone: true } }), 403, "forbidden");
      const set = await w.admin.request("PUT", "/auth/totp/policy", { body: { requiredForEveryone: true } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual((await w.admin.get("/auth/totp/policy")).body, { requiredForEveryone: true });
      isProblem(await hana.get("/auth/session"), 401, "unauthenticated");
      assert.equal((await w.admin.get("/auth/session")).status, 200, "the admin who set it keeps the session");

      const { response, pending } = await passwordStep(w, "hana@example.com");
      assert.equal(response.status, 202);
      assert.equal(response.body.next, "totp_enrolment");
      isProblem(await pending.get("/projects"), 401, "unauthenticated");
      isProblem(await pending.post("/auth/totp/enrolment"), 401, "unauthenticated");
      isProblem(await pending.post("/auth/login/totp", { code: "123456" }), 409, "illegal-state");
      const started = await pending.post("/auth/login/totp-enrolment");
      assert.equal(started.status, 200, JSON.stringify(started.body));
      assert.equal(OTPAuth.URI.parse(started.body.uri).label, "hana@example.com");
      isProblem(await pending.post("/auth/login/totp", { recoveryCode: "AAAA-BBBB-CCCC-DDDD" }), 400, "validation");
      const done = await pending.post("/auth/login/totp", { code: codeAt(started.body.secret, w.clock.now) });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.recoveryCodes.length, 10);
      const session = sessionOf(w, done);
      assert.equal((await session.get("/projects")).status, 200);
      assert.equal((await session.get("/auth/totp")).body.enrolled, true);

      // An account already enrolled is asked for its code as before.
      w.clock.now += 30_000;
      const next = await passwordStep(w, "hana@example.com");
      assert.equal(next.response.body.next, "totp");
      assert.equal((await w.admin.request("PUT", "/auth/totp/policy", { body: { requiredForEveryone: false } })).status, 200);
    });

    test("required for one account, status and reset by an admin", async () => {
      await createAccount(w, "ivo");
      await createAccount(w, "jun");
      const ivo = await signedIn(w, "ivo");
      const jun = await signedIn(w, "jun");
      isProblem(await w.admin.request("PUT", "/users/nobody/totp", { body: { required: true } }), 404, "not-found");
      const required = await w.admin.request("PUT", "/users/ivo/totp", { body: { required: true } });
      assert.equal(required.status, 200, JSON.stringify(required.body));
      assert.equal(required.body.required, true);
      assert.equal(required.body.requiredForUser, true);
      isProblem(await ivo.get("/auth/session"), 401, "unauthenticated");
      assert.equal((await jun.get("/auth/session")).status, 200, "others keep their sessions");
      assert.equal((await passwordStep(w, "ivo@example.com")).response.body.next, "totp_enrolment");
      assert.equal((await passwordStep(w, "jun@example.com")).response.status, 200);

      // Reset: the authenticator and the recovery codes go; the account signs in with its password again.
      const { secret } = await enrol(w, "jun");
      w.clock.now += 30_000;
      assert.equal((await passwordStep(w, "jun@example.com")).response.status, 202);
      const status = await w.admin.get("/users/jun/totp");
      assert.equal(status.body.enrolled, true);
      assert.equal(status.body.recoveryCodesLeft, 10);
      isProblem(await jun.request("DELETE", "/users/jun/totp"), 403, "forbidden");
      assert.equal((await w.admin.request("DELETE", "/users/jun/totp")).status, 204);
      assert.equal((await w.admin.get("/users/jun/totp")).body.enrolled, false);
      assert.equal((await passwordStep(w, "jun@example.com")).response.status, 200);
      const rows = await w.query("SELECT * FROM totp_recovery_codes WHERE user_id = $1", "jun");
      assert.equal(rows.length, 0);
      assert.ok(secret);

      assert.equal((await w.admin.request("PUT", "/users/ivo/totp", { body: { required: false } })).body.required, false);
      assert.equal((await passwordStep(w, "ivo@example.com")).response.status, 200);
    });

    test("new recovery codes need a current code; an API token cannot manage the factor", async () => {
      await createAccount(w, "kim");
      const { secret, recoveryCodes } = await enrol(w, "kim");
      const kim = await (async () => {
        w.clock.now += 30_000;
        const step = await passwordStep(w, "kim@example.com");
        const done = await step.pending.post("/auth/login/totp", { code: codeAt(secret, w.clock.now) });
        return sessionOf(w, done);
      })();
      isProblem(await kim.post("/auth/totp/recovery-codes", { code: codeAt(secret, w.clock.now) }), 422, "invalid");
      w.clock.now += 30_000;
      const renewed = await kim.post("/auth/totp/recovery-codes", { code: codeAt(secret, w.clock.now) });
      assert.equal(renewed.status, 200);
      const step = await passwordStep(w, "kim@example.com");
      isProblem(await step.pending.post("/auth/login/totp", { recoveryCode: recoveryCodes[0] }), 401, "unauthenticated");
      assert.equal((await step.pending.post("/auth/login/totp", { recoveryCode: renewed.body.recoveryCodes[0] })).status, 200);

      const { token } = (await kim.post("/tokens", { name: "script", scope: "write" })).body;
      const script = new Caller(w.url, { token });
      isProblem(await script.post("/auth/totp/enrolment"), 403, "forbidden");
      assert.equal((await script.get("/auth/totp")).body.enrolled, true);
    });
  });
}

describe("the TOTP step is rate limited like the login", () => {
  const [pglite] = BACKENDS;
  test("past LOGIN_RATE_LIMIT attempts a minute, 429", async () => {
    assert.ok(pglite);
    const w = await startWorld(pglite, { LOGIN_RATE_LIMIT: "3" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await w.anonymous.post("/auth/login/totp", { code: "123456" })).status);
      assert.deepEqual(statuses, [409, 409, 409, 429]);
    } finally {
      await w.close();
    }
  });
});
