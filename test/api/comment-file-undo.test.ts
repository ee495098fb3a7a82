// Undo and sharing in a project's conversation, over real HTTP on both backends: the author of a
// comment or file deletes it within 15 minutes (nobody else, and not later); a team member shares
// a comment or file with the client and takes it back; the portal sees exactly what is shared;
// each change is recorded in item_changes, which cannot be edited.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const PLAYBOOK = { id: "ops_sop_020", version: "1.1" };
const FACTS = { territory: "emea", complex_integrations: false, data_migration: false };
const MINUTE = 60_000;

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
  tokenFor(email: string): string {
    const mail = this.sent.findLast((m) => m.to.some((t) => t.address === email));
    const token = mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
    assert.ok(token, `a sign-in link was mailed to ${email}`);
    return token;
  }
}

for (const backend of BACKENDS) {
  describe(`deleting and sharing comments and files (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let casey: Caller;
    let jordan: Caller;
    let contact: Caller;
    let now = Date.parse("2026-03-02T09:00:00Z");
    const mailer = new RecordingMailer();
    const p = "/projects/acme-onboarding";

    before(async () => {
      t = await startTestServer(backend, {}, { mailer, clock: () => new Date(now).toISOString() });
      assert.equal(
        (await t.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      const added = await t.admin.post("/clients/acme/contacts", {
        name: "Dana Sponsor",
        email: "dana@acme.example",
        roles: ["client_primary_contact"],
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const project = await t.admin.post("/projects", { id: "acme-onboarding", playbook: PLAYBOOK, clientId: "acme", facts: FACTS });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      casey = await t.user("casey", ["csm"]);
      jordan = await t.user("jordan", ["csm"]);
      await t.anonymous.post("/portal/api/magic-links", { email: "dana@acme.example" });
      await t.deliverSignInLinks();
      const signedIn = await t.anonymous.post("/portal/api/sessions", { token: mailer.tokenFor("dana@acme.example") });
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      contact = new (t.anonymous.constructor as typeof Caller)(t.url, {
        cookie: cookieHeader(signedIn),
        csrfToken: signedIn.body.csrfToken,
      });
    });
    after(() => t?.close());

    const portalComments = async () => ((await contact.get(`/portal/api${p}/comments`)).body.items as Json[]).map((c) => c.body);
    const portalFiles = async () => ((await contact.get(`/portal/api${p}/attachments`)).body.items as Json[]).map((f) => f.fileName);
    const changes = async () =>
      (
        await sql<{
          item_kind: string;
          action: string;
          actor: string;
        }>`SELECT item_kind, action, actor FROM item_changes ORDER BY at, id`.execute(t.fresh.database.db)
      ).rows.map((r) => `${r.item_kind} ${r.action} by ${r.actor}`);

    test("a comment: its author deletes it within 15 minutes, nobody else and not later", async () => {
      const mine = await casey.post(`${p}/comments`, { body: "Call notes: internal" });
      assert.equal(mine.status, 201);
      assert.equal(mine.body.authorId, "casey");
      const other = await jordan.request("DELETE", `${p}/comments/${mine.body.id}`);
      assert.equal(other.status, 403, "only the author");
      assert.match(other.body.detail, /only the person who added this comment/);
      now += 10 * MINUTE;
      assert.equal((await casey.request("DELETE", `${p}/comments/${mine.body.id}`)).status, 204);
      const listed = (await casey.get(`${p}/comments`)).body.items as Json[];
      assert.equal(
        listed.some((c) => c.id === mine.body.id),
        false,
        "gone from the list",
      );
      assert.equal((await casey.request("DELETE", `${p}/comments/${mine.body.id}`)).status, 404, "deleting twice: not found");

      const late = await casey.post(`${p}/comments`, { body: "Older note" });
      now += 16 * MINUTE;
      const refused = await casey.request("DELETE", `${p}/comments/${late.body.id}`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail, /within 15 minutes/);
      assert.deepEqual(await changes(), ["comment deleted by user:casey"]);
    });

    test("sharing a comment with the client is reversible, and the portal follows", async () => {
      const note = await casey.post(`${p}/comments`, { body: "Your workspace is ready" });
      assert.equal(note.body.visibility, "internal", "internal unless said otherwise");
      assert.equal((await portalComments()).includes("Your workspace is ready"), false);
      const shared = await jordan.request("PUT", `${p}/comments/${note.body.id}/visibility`, { body: { visibility: "client" } });
      assert.equal(shared.status, 200, JSON.stringify(shared.body));
      assert.equal(shared.body.visibility, "client");
      assert.equal((await portalComments()).includes("Your workspace is ready"), true);
      const unshared = await casey.request("PUT", `${p}/comments/${note.body.id}/visibility`, { body: { visibility: "internal" } });
      assert.equal(unshared.body.visibility, "internal");
      assert.equal((await portalComments()).includes("Your workspace is ready"), false);
      const bad = await casey.request("PUT", `${p}/comments/${note.body.id}/visibility`, { body: { visibility: "everyone" } });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body.errors), /\/body\/visibility/);
      // A client's message is always shared.
      const fromClient = await contact.post(`/portal/api${p}/comments`, { body: "Thanks!" });
      assert.equal(fromClient.status, 201, JSON.stringify(fromClient.body));
      const hide = await casey.request("PUT", `${p}/comments/${fromClient.body.id}/visibility`, { body: { visibility: "internal" } });
      assert.equal(hide.status, 409);
      // The clock stands still in this test: compare what was recorded, not in which order.
      assert.deepEqual((await changes()).sort(), [
        "comment deleted by user:casey",
        "comment shared by user:jordan",
        "comment unshared by user:casey",
      ]);
    });

    test("a file: shared and unshared; deleted by who uploaded it, then neither listed nor downloadable", async () => {
      const upload = await casey.request("POST", `${p}/attachments?fileName=plan.txt`, {
        raw: "the plan",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(upload.status, 201, JSON.stringify(upload.body));
      const id = upload.body.id as string;
      assert.equal(upload.body.visibility, "internal");
      assert.equal((await portalFiles()).includes("plan.txt"), false);
      assert.equal((await casey.request("PUT", `${p}/attachments/${id}/visibility`, { body: { visibility: "client" } })).status, 200);
      assert.deepEqual(await portalFiles(), ["plan.txt"]);
      assert.equal((await casey.request("PUT", `${p}/attachments/${id}/visibility`, { body: { visibility: "internal" } })).status, 200);
      assert.deepEqual(await portalFiles(), []);
      assert.equal((await jordan.request("DELETE", `${p}/attachments/${id}`)).status, 403);
      assert.equal((await casey.request("DELETE", `${p}/attachments/${id}`)).status, 204);
      assert.equal((await casey.get(`${p}/attachments`)).body.items.length, 0);
      assert.equal((await casey.get(`/attachments/${id}`)).status, 404, "no download of a deleted file");
      assert.deepEqual((await changes()).filter((c) => c.startsWith("attachment")).sort(), [
        "attachment deleted by user:casey",
        "attachment shared by user:casey",
        "attachment unshared by user:casey",
      ]);
      const edit = await sql`UPDATE item_changes SET actor = 'someone else'`.execute(t.fresh.database.db).then(
        () => "changed",
        () => "refused",
      );
      assert.equal(edit, "refused", "item_changes is append-only");
    });
  });
}
