// The HTTP API end to end over real HTTP, on in-memory PGlite and on a fresh PostgreSQL database:
// health, problem+json, sessions with CSRF protection, API tokens, playbook uploads with located
// findings, clients and projects, commands under If-Match with the engine's role checks,
// Idempotency-Key, timeline, events and audit, and my tasks.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { validate } from "@readme/openapi-parser";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends, walk } from "./support/http.ts";
import { FACTS, lineOf, MINIMAL, MINIMAL_1_2, MINIMAL_REF, MISSPELT } from "./support/world.ts";

const BACKENDS = await testBackends();
/** The built web app's pages and assets (src/api/static.ts): served on the same port, not part of the API document. */
const WEB_APP_FILES = new Set(["/", "/app", "/app/*", "/portal", "/portal/*", "/assets/*"]);

function isProblem(response: { status: number; headers: Headers; body: Json }, status: number, kind?: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const { type, title, detail, instance } = response.body;
  assert.equal(response.body.status, status);
  assert.ok(typeof type === "string" && typeof title === "string" && typeof detail === "string" && typeof instance === "string");
  if (kind) assert.equal(type, `urn:onboard:problem:${kind}`);
  assert.doesNotMatch(JSON.stringify(response.body), /\n\s+at |\.ts:\d+/, "no stack trace");
}

/** A raw request with a Host header fetch cannot set. */
function withHost(url: string, path: string, host: string, body: unknown): Promise<{ status: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const text = JSON.stringify(body);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { host, "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers["set-cookie"] ?? [] }));
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

async function command(
  caller: Caller,
  projectId: string,
  body: unknown,
  version: number | undefined,
  headers: Record<string, string> = {},
) {
  return caller.post(`/projects/${projectId}/commands`, body, {
    ...(version === undefined ? {} : { "if-match": `"${version}"` }),
    ...headers,
  });
}

for (const backend of BACKENDS) {
  describe(`the HTTP API on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    test("liveness, and readiness that asks the database", async () => {
      const live = await t.anonymous.get("/health/live");
      assert.equal(live.status, 200);
      assert.deepEqual(live.body, { status: "ok" });
      const ready = await t.anonymous.get("/health/ready");
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { status: "ready", database: backend.name });
    });

    test("every failure is problem+json, never a stack trace", async () => {
      isProblem(await t.anonymous.get("/nowhere"), 404, "route-not-found");
      isProblem(await t.anonymous.get("/projects"), 401, "unauthenticated");
      isProblem(await t.admin.request("POST", "/clients", { raw: "{not json", headers: { "content-type": "application/json" } }), 400);
      const invalid = await t.admin.post("/clients", { name: "Initech", timeZone: "Mars/Olympus", country: "germany" });
      isProblem(invalid, 400, "validation");
      assert.deepEqual(invalid.body.errors.map((e: { pointer: string }) => e.pointer).sort(), ["/body/country", "/body/timeZone"]);
    });

    describe("sessions", () => {
      test("login sets an HttpOnly, SameSite=Lax session cookie and returns the CSRF token", async () => {
        const wrong = await t.anonymous.post("/auth/login", { email: "admin@example.com", password: "not the password" });
        const unknown = await t.anonymous.post("/auth/login", { email: "nobody@example.com", password: "not the password" });
        isProblem(wrong, 401, "unauthenticated");
        isProblem(unknown, 401, "unauthenticated");
        assert.equal(wrong.body.detail, unknown.body.detail, "the answer does not say which emails exist");

        await t.user("session-user", ["csm"]);
        const login = await t.anonymous.post("/auth/login", { email: "session-user@example.com", password: "a long enough password" });
        assert.equal(login.status, 200);
        assert.deepEqual(login.body.user.roles, ["csm"]);
        const [session, csrf] = login.headers.getSetCookie();
        assert.match(session ?? "", /^onboard_session=[^;]+;/);
        assert.match(session ?? "", /; HttpOnly/i);
        assert.match(session ?? "", /; SameSite=Lax/i);
        assert.match(session ?? "", /; Path=\//);
        assert.doesNotMatch(session ?? "", /; Secure/i, "plain HTTP on localhost");
        assert.match(csrf ?? "", new RegExp(`^onboard_csrf=${login.body.csrfToken};`));
        assert.doesNotMatch(csrf ?? "", /HttpOnly/i, "our pages read it");

        const me = await t.anonymous.get("/auth/session", { cookie: cookieHeader(login) });
        assert.equal(me.status, 200);
        assert.equal(me.body.user.id, "session-user");
        assert.equal(me.body.credential.kind, "session");
        assert.ok(me.body.permissions.includes("projects:command"));
      });

      test("the session cookie is Secure when the server is not reached on localhost", async () => {
        const response = await withHost(t.url, "/auth/login", "onboard.example.com", {
          email: "admin@example.com",
          password: "admin password for tests",
        });
        assert.equal(response.status, 200);
        assert.ok(
          response.setCookie.every((c) => /; Secure/i.test(c)),
          response.setCookie.join("\n"),
        );
      });

      test("a cross-site write with the session cookie is refused (CSRF)", async () => {
        const { cookie, csrfToken } = t.admin.credentials;
        const body = { name: "Evil Corp", timeZone: "UTC" };
        const json = { "content-type": "application/json" };
        const forged = await t.anonymous.request("POST", "/clients", {
          raw: JSON.stringify(body),
          headers: { ...json, cookie: cookie ?? "", origin: "https://evil.example" },
        });
        isProblem(forged, 403, "csrf");
        const withToken = await t.anonymous.request("POST", "/clients", {
          raw: JSON.stringify(body),
          headers: { ...json, cookie: cookie ?? "", "x-csrf-token": csrfToken ?? "", origin: "https://evil.example" },
        });
        isProblem(withToken, 403, "csrf");
        const noToken = await t.anonymous.request("POST", "/clients", {
          raw: JSON.stringify(body),
          headers: { ...json, cookie: cookie ?? "" },
        });
        isProblem(noToken, 403, "csrf");
        const wrongToken = await t.anonymous.request("POST", "/clients", {
          raw: JSON.stringify(body),
          headers: { ...json, cookie: cookie ?? "", "x-csrf-token": "guessed" },
        });
        isProblem(wrongToken, 403, "csrf");
        const clients = await walk(t.admin, "/clients");
        assert.ok(!clients.items.some((c) => c.name === "Evil Corp"), "nothing was written");

        const own = await t.admin.post("/clients", body, { origin: t.url });
        assert.equal(own.status, 201, JSON.stringify(own.body));
        const read = await t.anonymous.get("/clients", { cookie: cookie ?? "", origin: "https://evil.example" });
        assert.equal(read.status, 200, "reads need no token (SameSite=Lax keeps cross-site reads cookie-less anyway)");
      });

      test("logout ends the session", async () => {
        const caller = await t.login("admin@example.com", "admin password for tests");
        assert.equal((await caller.post("/auth/logout")).status, 204);
        isProblem(await caller.get("/auth/session"), 401, "unauthenticated");
        assert.equal((await t.admin.get("/auth/session")).status, 200, "other sessions go on");
      });
    });

    describe("accounts", () => {
      test("deactivating an account ends its sessions and stops its tokens", async () => {
        const user = await t.user("leaver", ["csm"]);
        const { token } = (await user.post("/tokens", { name: "leaver script", scope: "read" })).body;
        const patched = await t.admin.request("PATCH", "/users/leaver", { body: { active: false } });
        assert.equal(patched.status, 200);
        assert.equal(patched.body.active, false);
        isProblem(await user.get("/auth/session"), 401, "unauthenticated");
        isProblem(await t.anonymous.get("/auth/session", { authorization: `Bearer ${token}` }), 401, "unauthenticated");
        isProblem(await t.anonymous.post("/auth/login", { email: "leaver@example.com", password: "a long enough password" }), 401);
      });

      test("the last active admin cannot be removed", async () => {
        const demoted = await t.admin.request("PATCH", "/users/admin", { body: { roles: ["csm"] } });
        isProblem(demoted, 409, "illegal-state");
        assert.equal((await t.admin.get("/auth/session")).body.user.roles[0], "admin");
      });

      test("changing your password needs the current one and ends your other sessions", async () => {
        const mover = await t.user("mover", ["support"]);
        const other = await t.login("mover@example.com", "a long enough password");
        const wrong = await mover.post("/auth/password", { currentPassword: "not it at all", newPassword: "another long password" });
        isProblem(wrong, 422, "invalid");
        assert.equal(wrong.body.errors[0].pointer, "/body/currentPassword");
        const short = await mover.post("/auth/password", { currentPassword: "a long enough password", newPassword: "short" });
        isProblem(short, 400, "validation");
        assert.equal(short.body.errors[0].pointer, "/body/newPassword");
        const changed = await mover.post("/auth/password", {
          currentPassword: "a long enough password",
          newPassword: "another long password",
        });
        assert.equal(changed.status, 204);
        assert.equal((await mover.get("/auth/session")).status, 200, "this session goes on");
        isProblem(await other.get("/auth/session"), 401, "unauthenticated");
        assert.equal(
          (await t.anonymous.post("/auth/login", { email: "mover@example.com", password: "another long password" })).status,
          200,
        );
      });

      test("the assignment directory lists people with their load", async () => {
        const put = await t.admin.request("PUT", "/people/dir-1", {
          body: { name: "Dana", roles: ["csm"], attributes: { territory: "EMEA" }, capacity: 5 },
        });
        assert.equal(put.status, 200);
        assert.deepEqual(put.body, {
          id: "dir-1",
          name: "Dana",
          roles: ["csm"],
          attributes: { territory: "EMEA" },
          capacity: 5,
          activeProjects: 0,
          lastAssignedAt: null,
          active: true,
        });
        const { items } = await walk(t.admin, "/people");
        assert.ok(items.some((p) => p.id === "dir-1"));
      });
    });

    describe("API tokens", () => {
      test("create, use without CSRF, list without the secret, revoke", async () => {
        const created = await t.admin.post("/tokens", { name: "nightly export", scope: "write" });
        assert.equal(created.status, 201);
        const { id, token } = created.body;
        assert.match(token, /^onb_[0-9a-f]{16}_/);
        const script = t.anonymous.request.bind(t.anonymous);
        const bearer = { authorization: `Bearer ${token}` };

        const me = await script("GET", "/auth/session", { headers: bearer });
        assert.equal(me.status, 200);
        assert.deepEqual(me.body.credential, { kind: "token", tokenId: id, scope: "write" });
        const write = await script("POST", "/clients", {
          raw: JSON.stringify({ name: "Scripted", timeZone: "UTC" }),
          headers: { ...bearer, "content-type": "application/json" },
        });
        assert.equal(write.status, 201, "a token needs no CSRF token");

        const listed = await t.admin.get("/tokens");
        const row = listed.body.items.find((item: { id: string }) => item.id === id);
        assert.equal(row.name, "nightly export");
        assert.equal(row.token, undefined, "the secret is shown once");
        assert.notEqual(row.lastUsedAt, null);

        const stored = await t.fresh.database.db
          .selectFrom("api_tokens" as never)
          .selectAll()
          .execute();
        // The secret is base64url and may itself contain "_": take all after the id, not a split piece.
        const secret = /^onb_[0-9a-f]{16}_(.+)$/.exec(token)?.[1] ?? "";
        assert.equal(secret.length, 43);
        assert.ok(!JSON.stringify(stored).includes(secret), "only a hash is stored");

        assert.equal((await t.admin.request("DELETE", `/tokens/${id}`)).status, 204);
        isProblem(await script("GET", "/auth/session", { headers: bearer }), 401, "unauthenticated");
        isProblem(await t.admin.request("DELETE", "/tokens/0000000000000000"), 404, "not-found");
      });

      test("a read token reads but cannot write", async () => {
        const { token } = (await t.admin.post("/tokens", { name: "dashboard", scope: "read" })).body;
        const headers = { authorization: `Bearer ${token}` };
        assert.equal((await t.anonymous.get("/clients", headers)).status, 200);
        const refused = await t.anonymous.request("POST", "/clients", {
          raw: JSON.stringify({ name: "Nope", timeZone: "UTC" }),
          headers: { ...headers, "content-type": "application/json" },
        });
        isProblem(refused, 403, "forbidden");
        assert.match(refused.body.detail, /read-only/);
        isProblem(await t.anonymous.get("/clients", { authorization: "Bearer onb_0123456789abcdef_forged" }), 401, "unauthenticated");
      });

      test("a replayed Idempotency-Key returns the token without its secret", async () => {
        const headers = { "idempotency-key": "token-once" };
        const first = await t.admin.post("/tokens", { name: "ci", scope: "read" }, headers);
        const again = await t.admin.post("/tokens", { name: "ci", scope: "read" }, headers);
        assert.equal(again.status, 201);
        assert.equal(again.headers.get("idempotent-replayed"), "true");
        assert.equal(again.body.id, first.body.id);
        assert.equal(again.body.token, undefined);
      });
    });

    describe("playbooks", () => {
      test("a misspelt role is refused with 422 problem+json naming line and column; nothing is stored", async () => {
        const response = await t.admin.post("/playbooks", { source: MISSPELT, file: "misspelt.yaml" });
        isProblem(response, 422, "invalid");
        const error = response.body.errors.find((e: { rule: string }) => e.rule === "ref/unknown-role");
        assert.ok(error, JSON.stringify(response.body.errors));
        assert.equal(error.pointer, "/body/source");
        assert.equal(error.line, lineOf(MISSPELT, "owner: cms"));
        assert.equal(error.column, 16);
        assert.match(error.detail, new RegExp(`^misspelt\\.yaml:${error.line}:16 unknown role "cms"`));
        assert.match(error.fix, /did you mean "csm"/);
        isProblem(await t.admin.get("/playbooks/minimal/versions/1.9"), 404, "not-found");
      });

      test("upload (JSON or the YAML itself), list with versions, read the source, compare versions", async () => {
        const first = await t.admin.post("/playbooks", { source: MINIMAL, file: "minimal.yaml" });
        assert.equal(first.status, 201, JSON.stringify(first.body));
        assert.deepEqual([first.body.id, first.body.version, first.body.created], ["minimal", "1.1", true]);
        const same = await t.admin.post("/playbooks", { source: MINIMAL });
        assert.equal(same.status, 200);
        assert.equal(same.body.created, false);
        isProblem(await t.admin.post("/playbooks", { source: `${MINIMAL}\n# edited\n` }), 409, "conflict");

        const yaml = await t.admin.request("POST", "/playbooks", { raw: MINIMAL_1_2, headers: { "content-type": "application/yaml" } });
        assert.equal(yaml.status, 201, JSON.stringify(yaml.body));
        assert.equal(yaml.body.version, "1.2");

        const { items } = await walk(t.admin, "/playbooks");
        const minimal = items.find((p) => p.id === "minimal");
        assert.deepEqual(
          minimal.versions.map((v: { version: string; origin: string; uploadedBy: string }) => [v.version, v.origin, v.uploadedBy]),
          [
            ["1.1", "upload", "admin"],
            ["1.2", "upload", "admin"],
          ],
        );
        assert.equal(minimal.latestVersion, "1.2");
        const builtIn = items.filter((p) => p.versions.some((v: { origin: string }) => v.origin === "built_in"));
        // Every file in playbooks/ is published as a built-in (the five seeds and the real procedures).
        const files = readdirSync(new URL("../../playbooks/", import.meta.url)).filter((f) => f.endsWith(".yaml"));
        assert.equal(builtIn.length, files.length, "every built-in playbook");

        const source = await t.admin.get("/playbooks/minimal/versions/1.1");
        assert.equal(source.status, 200);
        assert.equal(source.body.source, MINIMAL);

        const diff = await t.admin.get("/playbooks/minimal/diff?from=1.1&to=1.2");
        assert.equal(diff.status, 200);
        const ids = (steps: { id: string }[]) => steps.map((s) => s.id);
        assert.deepEqual(ids(diff.body.addedSteps), ["welcome_pack"]);
        assert.deepEqual(ids(diff.body.removedSteps), ["migrate"]);
        assert.deepEqual(
          diff.body.changedSteps.map((s: { id: string; changes: { field: string }[] }) => [s.id, s.changes.map((c) => c.field)]),
          [
            ["kickoff_call", ["deadline"]],
            ["uat", ["starts after"]],
          ],
        );
        assert.match(diff.body.revision, /Added .*Send the welcome pack/);
        isProblem(await t.admin.get("/playbooks/minimal/diff?from=1.1&to=9.9"), 404, "not-found");
      });
    });

    describe("clients, projects and commands", () => {
      let csm: Caller;
      let ae: Caller;
      let support: Caller;
      let version: number;

      before(async () => {
        await t.admin.post("/playbooks", { source: MINIMAL });
        csm = await t.user("csm-1", ["csm"]);
        ae = await t.user("ae-1", ["account_executive"]);
        support = await t.user("support-1", ["support"]);
        for (const [id, role] of [
          ["csm-1", "csm"],
          ["ae-1", "ae"],
        ] as const) {
          const put = await t.admin.request("PUT", `/people/${id}`, { body: { name: id, roles: [role] } });
          assert.equal(put.status, 200, JSON.stringify(put.body));
        }
      });

      test("create a client and a project; the project carries its version as ETag", async () => {
        const client = await csm.post("/clients", { id: "globex", name: "Globex", timeZone: "Europe/Berlin", country: "DE" });
        assert.equal(client.status, 201, JSON.stringify(client.body));
        assert.equal(client.headers.get("location"), "/clients/globex");
        assert.equal((await csm.get("/clients/globex")).body.name, "Globex");
        isProblem(await csm.post("/clients", { id: "globex", name: "Again", timeZone: "UTC" }), 409, "conflict");

        const created = await csm.post("/projects", { id: "p1", playbook: MINIMAL_REF, clientId: "globex", facts: FACTS });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal(created.body.project.id, "p1");
        assert.equal(created.headers.get("etag"), `"${created.body.project.version}"`);
        assert.ok(
          created.body.events.some((e: { type: string; data: { step?: string } }) => e.type === "step.opened" && e.data.step === "handoff"),
        );

        const read = await csm.get("/projects/p1");
        assert.equal(read.status, 200);
        assert.equal(read.headers.get("etag"), `"${read.body.version}"`);
        assert.equal(read.body.clientName, "Globex");
        assert.deepEqual(read.body.facts, FACTS);
        assert.equal((await csm.get("/projects/p1", { "if-none-match": `"${read.body.version}"` })).status, 304);
        version = read.body.version;

        const badFact = await csm.post("/projects", { playbook: MINIMAL_REF, clientId: "globex", facts: { ...FACTS, user_count: "many" } });
        isProblem(badFact, 422, "invalid");
        assert.deepEqual(
          badFact.body.errors.map((e: { pointer: string }) => e.pointer),
          ["/body/facts/user_count"],
        );
        const noClient = await csm.post("/projects", { playbook: MINIMAL_REF, clientId: "nobody", facts: FACTS });
        isProblem(noClient, 422, "invalid");
        assert.equal(noClient.body.errors[0].pointer, "/body/clientId");
        isProblem(await support.post("/projects", { playbook: MINIMAL_REF, clientId: "globex", facts: FACTS }), 403, "forbidden");
      });

      test("roles are assigned by CS operations (manager) under If-Match", async () => {
        const refused = await command(csm, "p1", { type: "assign", role: "ae", person: "ae-1" }, version);
        isProblem(refused, 403, "forbidden");
        for (const [role, person] of [
          ["ae", "ae-1"],
          ["csm", "csm-1"],
        ]) {
          const assigned = await command(t.admin, "p1", { type: "assign", role, person }, version);
          assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
          assert.equal(assigned.headers.get("etag"), `"${assigned.body.version}"`);
          version = assigned.body.version;
        }
        assert.deepEqual((await csm.get("/projects/p1")).body.assignments, { ae: "ae-1", csm: "csm-1" });
      });

      test("a step is completed by the role that owns it, and refused (403) to everyone else", async () => {
        const complete = { type: "complete_step", step: "handoff" };
        const bySupport = await command(support, "p1", complete, version);
        isProblem(bySupport, 403, "forbidden");
        const byCsm = await command(csm, "p1", complete, version);
        isProblem(byCsm, 403, "forbidden");
        assert.match(byCsm.body.detail, /your roles do not own "handoff"/);
        assert.equal((await csm.get("/projects/p1")).body.version, version, "refusals change nothing");

        const byAe = await command(ae, "p1", complete, version);
        assert.equal(byAe.status, 200, JSON.stringify(byAe.body));
        assert.ok(byAe.body.events.some((e: { type: string; actor: string }) => e.type === "step.completed" && e.actor === "ae-1"));
        version = byAe.body.version;
      });

      test("If-Match is required (428) and must be current (412); neither changes anything", async () => {
        const body = { type: "open_issue", severity: "high", title: "SSO not configured" };
        const missing = await command(csm, "p1", body, undefined);
        isProblem(missing, 428, "precondition-required");
        assert.equal(missing.body.errors[0].pointer, "/headers/if-match");
        isProblem(await command(csm, "p1", body, undefined, { "if-match": "*" }), 428, "precondition-required");
        isProblem(await command(csm, "p1", body, undefined, { "if-match": "7" }), 400, "validation");
        const stale = await command(csm, "p1", body, version - 1);
        isProblem(stale, 412, "precondition-failed");
        assert.equal(stale.headers.get("etag"), `"${version}"`);
        assert.equal(stale.body.currentVersion, version);
        assert.equal((await csm.get("/projects/p1")).body.version, version);
        const current = await command(csm, "p1", body, version);
        assert.equal(current.status, 200);
        version = current.body.version;
        isProblem(await command(csm, "nowhere", body, 1), 404, "not-found");
        const invalid = await command(csm, "p1", { type: "hold", reason: "" }, version);
        isProblem(invalid, 400, "validation");
        assert.equal(invalid.body.errors[0].pointer, "/body/reason");
        isProblem(await command(csm, "p1", { type: "tick" }, version), 400, "validation");
      });

      test("the same Idempotency-Key twice starts one project; another body under it is a 422", async () => {
        const body = { playbook: MINIMAL_REF, clientId: "globex", facts: FACTS };
        const key = { "idempotency-key": "start-globex-1" };
        const first = await csm.post("/projects", body, key);
        const second = await csm.post("/projects", body, key);
        assert.equal(first.status, 201);
        assert.equal(second.status, 201);
        assert.equal(second.headers.get("idempotent-replayed"), "true");
        assert.equal(second.body.project.id, first.body.project.id);
        assert.deepEqual(second.body, first.body, "the first response, replayed");
        const projects = await walk(csm, "/projects?clientId=globex");
        assert.equal(projects.items.filter((p) => p.id === first.body.project.id).length, 1);
        assert.equal(projects.items.length, 2, "p1 and one more");

        const other = await csm.post("/projects", { ...body, facts: { ...FACTS, user_count: 26 } }, key);
        isProblem(other, 422, "idempotency-mismatch");
        const theirs = await ae.post("/projects", body, key);
        assert.equal(theirs.status, 201, "keys belong to each account");
        assert.notEqual(theirs.body.project.id, first.body.project.id);

        const clientKey = { "idempotency-key": "client-initech" };
        const c1 = await csm.post("/clients", { name: "Initech", timeZone: "America/Chicago" }, clientKey);
        const c2 = await csm.post("/clients", { name: "Initech", timeZone: "America/Chicago" }, clientKey);
        assert.equal(c2.body.id, c1.body.id);
        isProblem(await csm.post("/clients", { name: "Initrode", timeZone: "America/Chicago" }, clientKey), 422, "idempotency-mismatch");

        const commandKey = { "idempotency-key": "note-1" };
        const body2 = { type: "set_health", health: "amber", reason: "SSO late" };
        const run1 = await command(csm, "p1", body2, version, commandKey);
        assert.equal(run1.status, 200);
        const run2 = await command(csm, "p1", body2, version, commandKey);
        assert.equal(run2.status, 200, "a retry with the version it first sent replays, not 412");
        assert.equal(run2.body.replayed, true);
        assert.equal(run2.body.version, run1.body.version);
        version = run1.body.version;
      });

      test("timeline, events (paginated) and the audit trail", async () => {
        const timeline = await csm.get("/projects/p1/timeline");
        assert.equal(timeline.status, 200);
        const steps = timeline.body.phases.flatMap((p: { steps: unknown[] }) => p.steps);
        const byId = Object.fromEntries(steps.map((s: { id: string }) => [s.id, s]));
        assert.equal(byId.handoff.status, "done");
        assert.equal(byId.kickoff_call.status, "open");
        assert.ok(byId.kickoff_call.dueAt);
        assert.deepEqual(byId.kickoff_call.gate.approvers, ["client_primary"]);
        assert.equal(byId.migrate.status, "not_applicable");
        assert.equal(timeline.body.issues.length, 1);

        const events = await walk(csm, "/projects/p1/events?limit=3");
        assert.deepEqual(
          events.items.map((e) => e.seq),
          Array.from({ length: version }, (_, i) => i + 1),
        );
        assert.ok(events.pages > 2);
        const audit = await csm.get("/projects/p1/audit");
        assert.equal(audit.status, 200);
        assert.equal(audit.body.intact, true);
        assert.equal(audit.body.events, version);
      });

      test("my tasks: open steps of the roles I hold, across projects", async () => {
        const mine = await walk(csm, "/tasks");
        assert.deepEqual((await walk(csm, "/tasks?limit=1")).items, mine.items, "the same tasks page by page");
        assert.ok(mine.items.some((t) => t.projectId === "p1" && t.stepId === "kickoff_call" && t.roles.includes("csm")));
        assert.ok(mine.items.every((t) => t.projectVersion >= 1 && t.status === "open"));
        assert.equal((await walk(ae, "/tasks")).items.filter((t) => t.projectId === "p1").length, 0, "the handoff is done");
        assert.equal((await walk(csm, "/tasks?role=ae")).items.length, 0);
        assert.equal((await walk(csm, "/tasks?overdue=true")).items.length, 0);
        assert.ok((await walk(csm, "/tasks?dueBefore=2999-01-01T00:00:00Z")).items.length >= 1);
        isProblem(await csm.get("/tasks?overdue=maybe"), 400, "validation");
      });
    });

    describe("the OpenAPI document", () => {
      test("is valid OpenAPI 3.1 and lists every route with its permission", async () => {
        const response = await t.anonymous.get("/openapi.json");
        assert.equal(response.status, 200);
        const document = response.body;
        assert.equal(document.openapi, "3.1.0");
        const result = await validate(structuredClone(document));
        assert.ok(result.valid, JSON.stringify(result, null, 2));

        const missing: string[] = [];
        for (const route of t.server.routes) {
          if (route.url === "/docs" || route.url.startsWith("/docs/") || WEB_APP_FILES.has(route.url)) continue;
          const path = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
          const operation = document.paths[path]?.[route.method.toLowerCase()];
          if (!operation) {
            missing.push(`${route.method} ${route.url}`);
            continue;
          }
          if (route.access === "public") assert.deepEqual(operation.security, [], route.url);
          else if (route.access === "contact") {
            assert.deepEqual(operation.security, [{ portal: [] }], route.url);
            assert.ok(operation.responses["401"], `${route.url} documents its refusal`);
          } else {
            assert.equal(operation["x-permission"], route.access, route.url);
            assert.ok(operation.responses["401"] && operation.responses["403"], `${route.url} documents its refusals`);
          }
        }
        assert.deepEqual(missing, []);
        const commands = document.paths["/projects/{id}/commands"].post;
        assert.ok(commands.parameters.some((p: { name: string; in: string }) => p.name === "if-match" && p.in === "header"));
        assert.ok(commands.responses["412"]?.content["application/problem+json"], "problems are documented as problem+json");
      });

      test("the interactive reference is served from this server (works offline)", async () => {
        const page = await t.anonymous.get("/docs/static/index.html");
        assert.equal(page.status, 200);
        assert.match(String(page.body), /swagger-ui/i);
        const bundle = await t.anonymous.get("/docs/static/swagger-ui-bundle.js");
        assert.equal(bundle.status, 200);
        assert.ok(String(bundle.body).length > 100_000);
        const root = await t.anonymous.get("/docs");
        assert.equal(root.status, 200);
        assert.match(String(root.body), /swagger-ui/i);
        assert.equal((await t.anonymous.get("/docs/json")).body.openapi, "3.1.0", "the reference reads this server's document");
      });
    });

    describe("pagination", () => {
      test("cursors walk every list exactly once", async () => {
        for (let i = 0; i < 12; i++) {
          const response = await t.admin.post("/clients", {
            id: `page-${String(i).padStart(2, "0")}`,
            name: `Pager ${i % 3}`,
            timeZone: "UTC",
          });
          assert.equal(response.status, 201);
        }
        for (const path of ["/clients", "/projects", "/playbooks", "/users", "/tokens", "/people", "/projects/p1/events"]) {
          const all = await t.admin.get(`${path}?limit=200`);
          assert.equal(all.body.nextCursor, null);
          const walked = await walk(t.admin, `${path}?limit=2`);
          assert.deepEqual(walked.items, all.body.items, path);
          assert.equal(walked.pages, Math.max(1, Math.ceil(all.body.items.length / 2)), path);
          assert.equal(new Set(walked.items.map((item) => JSON.stringify(item))).size, walked.items.length, `${path}: no duplicates`);
        }
      });

      test("a cursor from another list, or not a cursor, is a 400 naming ?cursor", async () => {
        const first = await t.admin.get("/clients?limit=1");
        const foreign = await t.admin.get(`/users?cursor=${encodeURIComponent(first.body.nextCursor)}`);
        isProblem(foreign, 400, "validation");
        assert.equal(foreign.body.errors[0].pointer, "/query/cursor");
        isProblem(await t.admin.get("/projects?cursor=garbage"), 400, "validation");
        isProblem(await t.admin.get("/projects?limit=0"), 400, "validation");
      });
    });
  });
}
