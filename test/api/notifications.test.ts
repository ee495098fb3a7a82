// In-app notifications over real HTTP on both backends, made by the real path: a playbook rule
// (an issue opened → notify the CSM in the app) fires on a command sent through the API, the outbox
// delivers the effect through src/notify's handler, and each person reads, pages through, filters
// and clears only their own. Another person's notification is a 404 like a missing one; a client
// contact's portal session reaches none of it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { listNotifications } from "../../src/api/data/notifications.ts";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { inboxOf, Notifications } from "../../src/notify/notifications.ts";
import { notifyDb } from "../../src/notify/tables.ts";
import { dispatchOutbox } from "../../src/store/outbox.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { edited } from "../support/fixtures.ts";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends, walk } from "./support/http.ts";
import { FACTS, MINIMAL_REF } from "./support/world.ts";

const BACKENDS = await testBackends();
const T0 = Date.parse("2026-03-02T08:00:00.000Z");
const MINUTE = 60_000;

/** The minimal playbook, with a rule that tells the project's CSM in the app about every new issue. */
const PLAYBOOK = edited([
  [
    ["rules", 1],
    {
      id: "issue_alert",
      title: "Tell the CSM about new issues",
      category: "exception",
      on: "issue.opened",
      actions: [{ notify: { to: ["csm"], message: "{{client.name}}: an issue was opened" } }],
    },
  ],
]);

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
}

function isProblem(response: { status: number; headers: Headers; body: Json }, status: number): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(response.body.status, status);
}

for (const backend of BACKENDS) {
  describe(`in-app notifications (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let alice: Caller;
    let bob: Caller;
    let now = T0;
    const clock = () => new Date(now).toISOString();
    const mailer = new RecordingMailer();
    let notifications: Notifications;

    /** A command on a project as `caller`, under the project's current version. */
    async function command(caller: Caller, projectId: string, body: Json): Promise<void> {
      const current = await caller.get(`/projects/${projectId}`);
      assert.equal(current.status, 200, JSON.stringify(current.body));
      const response = await caller.request("POST", `/projects/${projectId}/commands`, {
        body,
        headers: { "if-match": current.headers.get("etag") ?? "" },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    }

    /** Open `count` issues on a project (a minute apart) and deliver the outbox once: one notification each. */
    async function openIssues(projectId: string, count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        now += MINUTE;
        await command(t.admin, projectId, { type: "open_issue", severity: "high", title: `Issue ${i + 1}` });
      }
      now += MINUTE;
      await dispatchOutbox(t.fresh.database, clock(), { handlers: notifications.handlers() });
    }

    before(async () => {
      t = await startTestServer(backend, {}, { mailer, clock });
      notifications = new Notifications({
        database: t.fresh.database,
        service: new ProjectService(t.fresh.database),
        mailer,
        publicUrl: t.url,
        surveySecret: "a-test-secret-of-at-least-32-characters!",
        clock,
      });
      const uploaded = await t.admin.post("/playbooks", { source: PLAYBOOK });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      alice = await t.user("alice", ["csm"]);
      bob = await t.user("bob", ["implementation"]);
      for (const id of ["alice", "bob"]) {
        const put = await t.admin.request("PUT", `/people/${id}`, { body: { name: id, roles: ["csm"] } });
        assert.equal(put.status, 200, JSON.stringify(put.body));
      }
      for (const [client, name, projectId, csm] of [
        ["globex", "Globex Ltd", "p-alice", "alice"],
        ["initech", "Initech", "p-bob", "bob"],
      ] as const) {
        assert.equal((await t.admin.post("/clients", { id: client, name, timeZone: "Europe/Berlin", country: "DE" })).status, 201);
        const created = await t.admin.post("/projects", { id: projectId, playbook: MINIMAL_REF, clientId: client, facts: FACTS });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        await command(t.admin, projectId, { type: "assign", role: "csm", person: csm });
      }
      // Three at the same instant (the page order then falls back on the id), then two more later.
      await openIssues("p-alice", 3);
      await openIssues("p-alice", 2);
      await openIssues("p-bob", 2);
      // One about no project at all (the handler always has one; older rows or other writers may not).
      await notifyDb(t.fresh.database)
        .insertInto("notifications")
        .values({ id: "n-general", key: "general", project_id: null, person_id: "alice", message: "Welcome", created_at: new Date(T0) })
        .execute();
    });
    after(() => t?.close());

    test("each person sees only their own, newest first, with the project's client and the unread count", async () => {
      const mine = await alice.get("/notifications");
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.equal(mine.body.items.length, 6);
      assert.equal(mine.body.unread, 6);
      assert.equal(mine.body.nextCursor, null);
      const fromRule = mine.body.items.filter((n: Json) => n.projectId !== null);
      assert.equal(fromRule.length, 5);
      for (const n of fromRule) {
        assert.deepEqual(
          { projectId: n.projectId, clientName: n.clientName, message: n.message, readAt: n.readAt },
          { projectId: "p-alice", clientName: "Globex Ltd", message: "Globex Ltd: an issue was opened", readAt: null },
        );
      }
      assert.deepEqual(mine.body.items.at(-1), {
        id: "n-general",
        projectId: null,
        clientName: null,
        message: "Welcome",
        createdAt: new Date(T0).toISOString(),
        readAt: null,
      });
      const order = mine.body.items.map((n: Json) => [n.createdAt, n.id]);
      const sorted = [...order].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? 1 : -1) : a[0] < b[0] ? 1 : -1));
      assert.deepEqual(order, sorted, "newest first, then by id");

      const theirs = await bob.get("/notifications");
      assert.equal(theirs.body.unread, 2);
      assert.deepEqual(
        theirs.body.items.map((n: Json) => [n.projectId, n.clientName]),
        [
          ["p-bob", "Initech"],
          ["p-bob", "Initech"],
        ],
      );
      const aliceIds = new Set(mine.body.items.map((n: Json) => n.id));
      assert.ok(!theirs.body.items.some((n: Json) => aliceIds.has(n.id)), "nothing of Alice's");

      const admin = await t.admin.get("/notifications");
      assert.deepEqual([admin.body.items, admin.body.unread], [[], 0], "an admin sees no one else's either");
    });

    test("the cursor walks the list exactly once, ties included; a foreign or forged cursor is a 400", async () => {
      const all = (await alice.get("/notifications")).body.items.map((n: Json) => n.id);
      const walked = await walk(alice, "/notifications?limit=2");
      assert.equal(walked.pages, 3);
      assert.deepEqual(
        walked.items.map((n: Json) => n.id),
        all,
      );
      const first = await alice.get("/notifications?limit=2");
      assert.equal(first.body.unread, 6, "the count is of all unread, not of the page");
      assert.ok(first.body.nextCursor);

      const tasksCursor = Buffer.from(JSON.stringify(["tasks", "~", "p", "x"])).toString("base64url");
      for (const query of [
        `cursor=${tasksCursor}`,
        `cursor=${Buffer.from(JSON.stringify(["notifications", "not a date", "x"])).toString("base64url")}`,
        "cursor=%25%25",
        "limit=0",
        "limit=201",
        "unread=yes",
      ]) {
        const response = await alice.get(`/notifications?${query}`);
        isProblem(response, 400);
        assert.ok(response.body.errors?.[0]?.pointer.startsWith("/query/"), `${query}: ${JSON.stringify(response.body)}`);
      }
    });

    test("mark one read: idempotent, reflected in the count and the unread filter", async () => {
      const [newest] = (await alice.get("/notifications?limit=1")).body.items;
      now += MINUTE;
      const readAt = new Date(now).toISOString();
      const marked = await alice.post(`/notifications/${newest.id}/read`);
      assert.equal(marked.status, 200, JSON.stringify(marked.body));
      assert.deepEqual(marked.body, { ...newest, readAt });

      now += MINUTE;
      const again = await alice.post(`/notifications/${newest.id}/read`);
      assert.equal(again.status, 200);
      assert.equal(again.body.readAt, readAt, "the first time it was read stands");

      const unread = await alice.get("/notifications?unread=true");
      assert.equal(unread.body.unread, 5);
      assert.equal(unread.body.items.length, 5);
      assert.ok(unread.body.items.every((n: Json) => n.readAt === null && n.id !== newest.id));
      const read = await alice.get("/notifications?unread=false");
      assert.deepEqual(
        read.body.items.map((n: Json) => [n.id, n.readAt]),
        [[newest.id, readAt]],
      );
      assert.equal(read.body.unread, 5);
      const walkedUnread = await walk(alice, "/notifications?unread=true&limit=2");
      assert.deepEqual(
        walkedUnread.items.map((n: Json) => n.id),
        unread.body.items.map((n: Json) => n.id),
      );
    });

    test("someone else's notification is a 404 exactly like a missing one, and stays unread", async () => {
      const [hers] = (await alice.get("/notifications?unread=true&limit=1")).body.items;
      const stranger = await bob.post(`/notifications/${hers.id}/read`);
      isProblem(stranger, 404);
      assert.doesNotMatch(JSON.stringify(stranger.body), /Globex|issue was opened/, "nothing of it is revealed");
      const missing = await bob.post("/notifications/no-such-notification/read");
      isProblem(missing, 404);
      assert.equal(stranger.body.title, missing.body.title);
      assert.equal(stranger.body.detail.replace(hers.id, "ID"), missing.body.detail.replace("no-such-notification", "ID"));
      const still = (await alice.get("/notifications?unread=true")).body.items.find((n: Json) => n.id === hers.id);
      assert.equal(still?.readAt, null);
    });

    test("read-all marks every unread one of mine and says how many; nobody else's changes", async () => {
      now += MINUTE;
      const all = await alice.post("/notifications/read-all");
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.deepEqual(all.body, { marked: 5 });
      const after = await alice.get("/notifications");
      assert.equal(after.body.unread, 0);
      assert.ok(after.body.items.every((n: Json) => n.readAt !== null));
      assert.equal((await alice.get("/notifications?unread=true")).body.items.length, 0);
      assert.deepEqual((await alice.post("/notifications/read-all")).body, { marked: 0 }, "again: nothing left");
      assert.equal((await bob.get("/notifications")).body.unread, 2, "Bob's are untouched");

      // A new one arrives: the badge counts it.
      await openIssues("p-alice", 1);
      assert.equal((await alice.get("/notifications")).body.unread, 1);
    });

    test("a read-only API token may list but not mark; a client contact's portal session reaches none of it", async () => {
      const { token } = (await alice.post("/tokens", { name: "reader", scope: "read" })).body;
      const reader = new (alice.constructor as typeof Caller)(t.url, { token });
      assert.equal((await reader.get("/notifications")).status, 200);
      isProblem(await reader.post("/notifications/read-all"), 403);

      const contact = await t.admin.post("/clients/globex/contacts", {
        name: "Gina Globex",
        email: "gina@globex.example",
        roles: ["client_primary"],
      });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      assert.equal((await t.anonymous.post("/portal/api/magic-links", { email: "gina@globex.example" })).status, 202);
      await t.deliverSignInLinks();
      const link = mailer.sent.findLast((m) => m.to.some((to) => to.address === "gina@globex.example"));
      const portalToken = link ? /#token=([A-Za-z0-9_-]+)/.exec(link.text)?.[1] : undefined;
      assert.ok(portalToken, "a sign-in link was mailed");
      const session = await t.anonymous.post("/portal/api/sessions", { token: portalToken });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const gina = new (alice.constructor as typeof Caller)(t.url, { cookie: cookieHeader(session), csrfToken: session.body.csrfToken });
      assert.equal((await gina.get("/portal/api/session")).status, 200, "the portal session works in the portal");
      const [some] = (await alice.get("/notifications")).body.items;
      for (const response of [
        await gina.get("/notifications"),
        await gina.post(`/notifications/${some.id}/read`),
        await gina.post("/notifications/read-all"),
      ])
        isProblem(response, 401);
    });

    test("a contact with the same id as a user: the client's notification never reaches the user's list", async () => {
      // A project of its own, whose rule also tells the client's primary contact, held by a contact
      // that was given the id "alice" (a CRM id can be anything).
      const source = edited([
        [["document", "version"], "9.0"],
        [["document", "revisions", 2], { version: "9.0", date: "2026-02-01", changes: "The client hears about issues too" }],
        [
          ["rules", 1],
          {
            id: "issue_alert",
            title: "Tell the CSM and the client about new issues",
            category: "exception",
            on: "issue.opened",
            actions: [
              { notify: { to: ["csm"], message: "{{client.name}}: an issue was opened" } },
              { notify: { to: ["client_primary"], message: "We are on it: an issue was opened" } },
            ],
          },
        ],
      ]);
      const published = await t.admin.post("/playbooks", { source });
      assert.equal(published.status, 201, JSON.stringify(published.body));
      assert.equal((await t.admin.post("/clients", { id: "hooli", name: "Hooli", timeZone: "Europe/Berlin", country: "DE" })).status, 201);
      const contact = await t.admin.post("/clients/hooli/contacts", {
        id: "alice",
        name: "Alice of Hooli",
        email: "alice@hooli.example",
        roles: ["client_primary"],
      });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      const created = await t.admin.post("/projects", {
        id: "p-hooli",
        playbook: { id: "minimal", version: "9.0" },
        clientId: "hooli",
        facts: FACTS,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await command(t.admin, "p-hooli", { type: "assign", role: "csm", person: "bob" });
      const before = (await alice.get("/notifications?limit=100")).body;
      await openIssues("p-hooli", 1);
      const after = (await alice.get("/notifications?limit=100")).body;
      assert.deepEqual(
        after.items.filter((n: Json) => n.projectId === "p-hooli"),
        [],
        "the user alice is not the contact alice",
      );
      assert.equal(after.unread, before.unread);
      const bobs = (await bob.get("/notifications?limit=100")).body.items.filter((n: Json) => n.projectId === "p-hooli");
      assert.equal(bobs.length, 1, "the CSM was told");
      const inbox = await listNotifications(notifications.db, inboxOf({ id: "alice", kind: "contact" }), { limit: 100 });
      assert.deepEqual(
        inbox.map((n) => n.message),
        ["We are on it: an issue was opened"],
        "the contact's own inbox has it",
      );
    });
  });
}
