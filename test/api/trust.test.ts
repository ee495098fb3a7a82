// Trust (issue #13): nobody but its addressee ever reads a sign-in or survey link; portal access is
// revoked at once; limits hold under concurrent requests; tokens die with the password; webhooks
// cannot be pointed into the private network by whoever may not. Over real HTTP, on both backends,
// with the server's own mailer (a mail folder), so what is stored is what production stores.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { ACCESS_ROLES } from "../../src/api/auth/roles.ts";
import { dispatchOutbox, enqueueKeyed } from "../../src/store/index.ts";
import {
  ADMIN_EMAIL,
  Caller,
  cookieHeader,
  type Json,
  PASSWORD,
  startTestServer,
  type TestServer,
  testBackends,
  testMailDir,
} from "./support/http.ts";

const BACKENDS = await testBackends();
const PLAYBOOK = { id: "ops_sop_020", version: "1.1" };
const FACTS = { territory: "emea", complex_integrations: false, data_migration: false };
const PUBLIC_URL = "https://onboard.example.com";
const SIGNER = "signer@acme.example";
const BYSTANDER = "bystander@acme.example";

/** Every .eml written to the mail folder, as text. */
async function mailFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".eml")).sort();
  return Promise.all(names.map((n) => readFile(join(dir, n), "utf8")));
}

/** The token of the newest sign-in link in the folder addressed to `email` (quoted-printable undone). */
async function linkIn(dir: string, email: string, kind: "sign-in" | "survey"): Promise<string> {
  const files = (await mailFiles(dir)).filter((m) => m.includes(email)).reverse();
  for (const file of files) {
    const text = file.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const match = new RegExp(`/portal/${kind}#token=([A-Za-z0-9_.-]+)`).exec(text);
    if (match?.[1]) return match[1];
  }
  throw new Error(`no ${kind} link to ${email} in ${dir}`);
}

/** Every row of every table of the database, as text: where a secret at rest would be. */
async function everyRow(t: TestServer): Promise<string> {
  const db = t.fresh.database.db;
  const { rows: tables } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(db);
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(name)} t`.execute(db);
    for (const r of rows) parts.push(`${name}: ${r.row}`);
  }
  return parts.join("\n");
}

async function signInContact(t: TestServer, token: string): Promise<Caller & { csrf: string }> {
  const session = await t.anonymous.post("/portal/api/sessions", { token });
  assert.equal(session.status, 200, JSON.stringify(session.body));
  return Object.assign(new Caller(t.url, { cookie: cookieHeader(session), csrfToken: session.body.csrfToken }), {
    csrf: session.body.csrfToken as string,
  });
}

for (const backend of BACKENDS) {
  describe(`trust on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let mailDir: string;
    // The server's clock: ten minutes into the current hour, so an hour's limits are not split by a
    // window boundary in the middle of a test; moved forward by tests that need a new window.
    let now = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 10 * 60_000;
    const clock = () => new Date(now).toISOString();
    const deliver = () => dispatchOutbox(t.fresh.database, clock(), { handlers: t.server.outboxHandlers, batchSize: 1000 });

    before(async () => {
      mailDir = testMailDir();
      t = await startTestServer(
        backend,
        { MAIL_DIR: mailDir, PUBLIC_URL, MAGIC_LINK_RATE_LIMIT: "1000", LOGIN_ACCOUNT_LIMIT: "5", SURVEY_SECRET: "s".repeat(40) },
        { clock },
      );
      assert.equal(
        (await t.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      for (const [name, email] of [
        ["Sam Signer", SIGNER],
        ["Bo Bystander", BYSTANDER],
      ] as const) {
        const contact = await t.admin.post("/clients/acme/contacts", { name, email, roles: ["client_primary_contact"] });
        assert.equal(contact.status, 201, JSON.stringify(contact.body));
      }
      const project = await t.admin.post("/projects", { id: "acme-onboarding", playbook: PLAYBOOK, clientId: "acme", facts: FACTS });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      // A second onboarding on a playbook with a survey, whose links are secrets too.
      const surveyed = await t.admin.post("/projects", {
        id: "acme-nps",
        playbook: { id: "onb_001", version: "1.0.0" },
        clientId: "acme",
        facts: { account_type: "smb", project_duration_weeks: 8 },
      });
      assert.equal(surveyed.status, 201, JSON.stringify(surveyed.body));
    });
    after(() => t?.close());

    test("a sign-in link reaches its addressee whole and nobody else, through any route, role or table", async () => {
      // The attack the issue found: ask for the signer's link (public), then read it back as the team.
      assert.equal((await t.anonymous.post("/portal/api/magic-links", { email: SIGNER })).status, 202);
      assert.equal((await t.anonymous.post("/portal/api/magic-links", { email: BYSTANDER })).status, 202);
      await deliver();
      // A survey link too, mailed to both contacts by the playbook's own delivery path.
      await t.fresh.database.db
        .transaction()
        .execute((trx) =>
          enqueueKeyed(
            trx,
            "acme-nps",
            "trust-survey",
            { kind: "send_survey", survey: "nps_survey", to: ["client_primary_contact"] },
            clock(),
          ),
        );
      const delivered = await deliver();
      assert.equal(delivered.failed + delivered.retried, 0, JSON.stringify(delivered));
      const signInToken = await linkIn(mailDir, SIGNER, "sign-in");
      const surveyToken = await linkIn(mailDir, SIGNER, "survey");
      const bystanderToken = await linkIn(mailDir, BYSTANDER, "sign-in");
      const mails = await mailFiles(mailDir);
      assert.ok(
        mails.some((m) => m.includes(`${PUBLIC_URL}/portal/sign-in#token=`)),
        "links point at PUBLIC_URL, whatever Host the request named",
      );

      const callers = new Map<string, Caller>();
      for (const role of ACCESS_ROLES.filter((r) => r !== "service")) callers.set(role, await t.user(`trust-${role}`, [role]));
      // A service account (an automation) calls with its API token.
      const service = (await t.admin.post("/service-accounts", { id: "trust-service", name: "Trust service" })).body;
      callers.set("service", new Caller(t.url, { token: service.token }));
      const { token: readToken } = (await t.admin.post("/tokens", { name: "reader", scope: "read" })).body;
      callers.set("read-only admin token", new Caller(t.url, { token: readToken }));
      callers.set("anonymous", t.anonymous);
      // Another contact of the same client, signed in with their own link: a stranger to the signer's.
      callers.set("another contact", await signInContact(t, bystanderToken));

      const mailList = await t.admin.get("/mail?limit=100");
      assert.equal(mailList.status, 200);
      const mailIds: string[] = mailList.body.items.map((m: Json) => m.id);
      assert.ok(mailIds.length >= 2);
      const secrets = [signInToken, surveyToken, readToken as string];
      const seen: string[] = [];
      const visited: string[] = [];
      const paths = (url: string): string[] => {
        if (url.includes("*") || url.startsWith("/docs")) return [];
        if (url === "/mail/:id") return mailIds.map((id) => `/mail/${id}`);
        return [
          url
            .replace("/projects/:id", "/projects/acme-onboarding")
            .replace("/clients/:id", "/clients/acme")
            .replace("/users/:id", "/users/admin")
            .replace("/playbooks/:id/versions/:version", `/playbooks/${PLAYBOOK.id}/versions/${PLAYBOOK.version}`)
            .replace("/playbooks/:id", `/playbooks/${PLAYBOOK.id}`)
            .replace(":step", "kickoff_call")
            .replace(":meeting", "kickoff_call")
            .replace(":kind", "thirty_day")
            .replace(/:[A-Za-z]+/g, "trust-none"),
        ];
      };
      for (const rule of t.server.routes.filter((r) => r.method === "GET")) {
        for (const path of paths(rule.url)) {
          for (const [who, caller] of callers) {
            const response = await caller.get(path);
            visited.push(`${who} ${path} ${response.status}`);
            const text = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
            for (const secret of secrets) if (text.includes(secret)) seen.push(`${who}: GET ${path} shows a secret it was not sent`);
          }
        }
      }
      assert.deepEqual(seen, []);
      assert.ok(
        visited.some((v) => v.startsWith("admin /mail/") && v.endsWith(" 200")),
        "the admin did read the mail log",
      );
      const signerMail =
        mailIds.length > 0 ? await t.admin.get(`/mail/${mailList.body.items.find((m: Json) => m.to[0].address === SIGNER).id}`) : undefined;
      assert.match(signerMail?.body.text ?? "", /#token=\[redacted\]/, "the log says a link was sent, without the link");
      assert.equal((await callers.get("csm")?.get("/mail"))?.status, 403, "the mail log is for admins");

      // At rest: no table holds the token (magic_links keeps its SHA-256 only).
      const rows = await everyRow(t);
      assert.ok(!rows.includes(signInToken), "no row holds the sign-in token");
      assert.ok(!rows.includes(surveyToken), "no row holds the survey token");
      assert.equal((await t.anonymous.get(`/surveys/${surveyToken}`)).status, 200, "the addressee's survey link works");
      // The addressee's link works, once.
      const signer = await signInContact(t, signInToken);
      assert.equal((await signer.get("/portal/api/session")).status, 200);
    });

    test("asking for a link does the same work for a contact and a stranger, and mails nothing in the request", async () => {
      const before = (await mailFiles(mailDir)).length;
      const outbox = async () =>
        Number(
          (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE kind = 'send_sign_in_link'`.execute(t.fresh.database.db)).rows[0]
            ?.n,
        );
      const start = await outbox();
      const known = await t.anonymous.post("/portal/api/magic-links", { email: SIGNER });
      const unknown = await t.anonymous.post("/portal/api/magic-links", { email: "nobody@nowhere.example" });
      assert.deepEqual([known.status, unknown.status], [202, 202]);
      assert.deepEqual(known.body, unknown.body);
      assert.equal(await outbox(), start + 2, "one queued row each");
      assert.equal((await mailFiles(mailDir)).length, before, "nothing is mailed while the caller waits");
      await deliver();
      assert.equal((await mailFiles(mailDir)).length, before + 1, "the delivery mails the contact only");
    });

    test("links per contact are capped atomically, however many deliveries run at once", async () => {
      assert.equal((await t.admin.post("/clients/acme/contacts", { name: "Burst", email: "burst@acme.example" })).status, 201);
      const requests = await Promise.all(
        Array.from({ length: 30 }, () => t.anonymous.post("/portal/api/magic-links", { email: "burst@acme.example" })),
      );
      assert.ok(requests.every((r) => r.status === 202));
      // Ten dispatchers at once, three rows each: on PostgreSQL they really run side by side.
      await Promise.all(
        Array.from({ length: 10 }, () =>
          dispatchOutbox(t.fresh.database, clock(), { handlers: t.server.outboxHandlers, kinds: ["send_sign_in_link"], batchSize: 3 }),
        ),
      );
      const { rows } = await sql<{ n: string }>`
        SELECT count(*) AS n FROM magic_links l JOIN contacts c ON c.id = l.contact_id WHERE c.email = 'burst@acme.example'`.execute(
        t.fresh.database.db,
      );
      assert.equal(Number(rows[0]?.n), 5, "five links an hour, not one more");
    });

    test("revoking a contact's access ends their session and unused links at once; history keeps their name", async () => {
      const created = await t.admin.post("/clients/acme/contacts", {
        name: "Rita Revoked",
        email: "rita@acme.example",
        roles: ["client_primary_contact"],
      });
      assert.equal(created.status, 201);
      const id = created.body.id as string;
      await t.anonymous.post("/portal/api/magic-links", { email: "rita@acme.example" });
      await t.anonymous.post("/portal/api/magic-links", { email: "rita@acme.example" });
      await deliver();
      const tokens = (await mailFiles(mailDir))
        .filter((m) => m.includes("rita@acme.example"))
        .map((m) => /#token=([A-Za-z0-9_-]+)/.exec(m.replace(/=\r?\n/g, "").replace(/=3D/g, "="))?.[1] ?? "");
      assert.equal(tokens.length, 2);
      const rita = await signInContact(t, tokens[0] ?? "");
      assert.equal((await rita.post("/portal/api/projects/acme-onboarding/comments", { body: "Hello team" })).status, 201);

      const path = `/clients/acme/contacts/${id}`;
      assert.equal((await t.admin.request("PATCH", path, { body: { active: false } })).status, 428, "If-Match is required");
      const stale = await t.admin.request("PATCH", path, { body: { active: false }, headers: { "if-match": '"7"' } });
      assert.equal(stale.status, 412);
      const revoked = await t.admin.request("PATCH", path, {
        body: { active: false },
        headers: { "if-match": `"${created.body.version}"` },
      });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.equal(revoked.body.active, false);
      assert.equal(revoked.body.deactivatedBy, "admin");
      assert.equal((await rita.get("/portal/api/session")).status, 401, "the session died at once");
      assert.equal((await t.anonymous.post("/portal/api/sessions", { token: tokens[1] })).status, 401, "the unused link died too");
      await t.anonymous.post("/portal/api/magic-links", { email: "rita@acme.example" });
      const mailed = (await mailFiles(mailDir)).length;
      await deliver();
      assert.equal((await mailFiles(mailDir)).length, mailed, "no new link for a revoked contact");

      const comments = await t.admin.get("/projects/acme-onboarding/comments");
      assert.ok(
        comments.body.items.some((c: Json) => c.author === "Rita Revoked"),
        JSON.stringify(comments.body.items),
      );
      // Restored, then removed: hidden from the list, the address free for a new contact.
      const restored = await t.admin.request("PATCH", path, {
        body: { active: true },
        headers: { "if-match": `"${revoked.body.version}"` },
      });
      assert.equal(restored.body.active, true);
      assert.equal((await t.admin.request("DELETE", path)).status, 204);
      assert.equal((await t.admin.request("DELETE", path)).status, 204, "removing twice is fine");
      const listed = await t.admin.get("/clients/acme/contacts");
      assert.ok(!listed.body.items.some((c: Json) => c.id === id));
      const all = await t.admin.get("/clients/acme/contacts?include=removed");
      assert.equal(all.body.items.find((c: Json) => c.id === id)?.name, "Rita Revoked");
      assert.equal((await t.admin.post("/clients/acme/contacts", { name: "Rita again", email: "rita@acme.example" })).status, 201);
    });

    test("password attempts per account are capped for every server together; a sign-in starts again", async () => {
      await t.user("locked", ["csm"]);
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () => t.anonymous.post("/auth/login", { email: "locked@example.com", password: "wrong password!" })),
      );
      const statuses = attempts.map((a) => a.status);
      assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(","));
      assert.equal(statuses.filter((s) => s === 429).length, 15);
      const refused = await t.anonymous.post("/auth/login", { email: "LOCKED@example.com", password: PASSWORD });
      assert.equal(refused.status, 429, "the right password waits too: guesses cannot go on");
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      now += 16 * 60_000;
      assert.equal((await t.anonymous.post("/auth/login", { email: "locked@example.com", password: PASSWORD })).status, 200);
      assert.equal((await t.anonymous.post("/auth/login", { email: ADMIN_EMAIL, password: "no" })).status, 401);
    });

    test("API tokens die with the password, a reset and a deactivation, and an admin sees them", async () => {
      const owner = await t.user("tokens", ["csm"]);
      const make = async () => (await owner.post("/tokens", { name: "script", scope: "write" })).body.token as string;
      const works = async (token: string) => (await new Caller(t.url, { token }).get("/projects")).status;
      const first = await make();
      assert.equal(await works(first), 200);
      const listed = await t.admin.get("/users/tokens/tokens");
      assert.equal(listed.status, 200);
      assert.equal(listed.body.items.length, 1);
      // The secret is everything after the id (it may itself contain "_").
      assert.ok(!JSON.stringify(listed.body).includes(first.split("_").slice(2).join("_") || "?"), "never the secret");
      assert.equal((await owner.post("/auth/password", { currentPassword: PASSWORD, newPassword: "another long password" })).status, 204);
      assert.equal(await works(first), 401, "a password change revokes the account's tokens");

      const relogged = await t.login("tokens@example.com", "another long password");
      const second = (await relogged.post("/tokens", { name: "script 2", scope: "read" })).body.token as string;
      assert.equal(await works(second), 200);
      assert.equal((await t.admin.request("PATCH", "/users/tokens", { body: { password: "reset by the admin" } })).status, 200);
      assert.equal(await works(second), 401, "an admin's reset revokes them");

      const third = (await (await t.login("tokens@example.com", "reset by the admin")).post("/tokens", { name: "s3", scope: "read" })).body
        .token as string;
      assert.equal((await t.admin.request("PATCH", "/users/tokens", { body: { active: false } })).status, 200);
      assert.equal((await t.admin.request("PATCH", "/users/tokens", { body: { active: true } })).status, 200);
      assert.equal(await works(third), 401, "reactivating the account does not bring its tokens back");
      const history = await t.admin.get("/users/tokens/tokens");
      assert.equal(history.body.items.length, 3);
      assert.ok(history.body.items.every((token: Json) => token.revokedAt !== null));
      assert.equal((await (await t.user("nosy", ["csm"])).get("/users/tokens/tokens")).status, 403);
    });

    test("a private-network webhook target stays with the URL an admin allowed", async () => {
      const created = await t.admin.post("/webhook-subscriptions", {
        url: "http://10.1.2.3/hook",
        eventTypes: ["step.completed"],
        allowPrivateNetwork: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ops = await t.user("ops", ["cs_ops"]);
      const path = `/webhook-subscriptions/${created.body.id}`;
      const moved = await ops.request("PATCH", path, { body: { url: "http://169.254.169.254/latest/meta-data" } });
      assert.equal(moved.status, 400, JSON.stringify(moved.body));
      const asked = await ops.request("PATCH", path, { body: { url: "http://10.9.9.9/", allowPrivateNetwork: true } });
      assert.equal(asked.status, 403);
      const renamed = await ops.request("PATCH", path, { body: { description: "still the admin's target" } });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.allowPrivateNetwork, true, "other changes keep the admin's allowance");
      const publicTarget = await ops.request("PATCH", path, { body: { url: "https://hooks.example.com/onboard" } });
      assert.equal(publicTarget.status, 200);
      assert.equal(publicTarget.body.allowPrivateNetwork, false, "the allowance did not follow to the new URL");
    });

    test("comments and files name a step of the project, and the portal only one the client sees", async () => {
      const unknown = await t.admin.post("/projects/acme-onboarding/comments", {
        body: "x",
        stepId: "no_such_step",
        visibility: "internal",
      });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors[0].pointer, "/body/stepId");
      assert.equal(
        (await t.admin.post("/projects/acme-onboarding/comments", { body: "x", stepId: "kickoff_call", visibility: "internal" })).status,
        201,
      );
      await t.anonymous.post("/portal/api/magic-links", { email: BYSTANDER });
      await deliver();
      const contact = await signInContact(t, await linkIn(mailDir, BYSTANDER, "sign-in"));
      const internal = await contact.post("/portal/api/projects/acme-onboarding/comments", { body: "x", stepId: "csm_assignment" });
      assert.equal(internal.status, 400, "an internal step is not the client's to comment on");
      const csv = { raw: "a,b\n", headers: { "content-type": "text/csv" } };
      const file = await t.admin.request("POST", "/projects/acme-onboarding/attachments?fileName=a.csv&stepId=nope", csv);
      assert.equal(file.status, 400, JSON.stringify(file.body));
      assert.equal(file.body.errors[0].pointer, "/query/stepId");
      const portalFile = await contact.request(
        "POST",
        "/portal/api/projects/acme-onboarding/attachments?fileName=a.csv&stepId=csm_assignment",
        csv,
      );
      assert.equal(portalFile.status, 400, JSON.stringify(portalFile.body));
      assert.equal(
        (await t.admin.request("POST", "/projects/acme-onboarding/attachments?fileName=a.csv&stepId=kickoff_call", csv)).status,
        201,
      );
    });
  });
}
