// One user cannot stall or fill the server, over real HTTP on both backends: files of several MB
// stream into the file store and come back byte for byte; each client's files stay within their
// quota (413 and nothing stored), also when uploads race; template previews render off the request
// loop, so the server answers while runaway templates are stopped (422) and a full queue says
// when to retry (503); include/render/layout are refused when saved and in a draft (422).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const MB = 1024 * 1024;
const QUOTA_MB = 20;
const PLAYBOOK = { id: "onb_001", version: "1.0.0" };
const STORE = { pglite: "folder", postgres: "table", embedded: "table" } as const;
const NESTED_LOOPS = "{% for i in (1..2000) %}{% for j in (1..2000) %}{{ client.name }}{% endfor %}{% endfor %}";

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
}

/** A PDF of `size` bytes: the signature, then random bytes (nothing compresses or repeats). */
function pdf(size: number): Buffer {
  return Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(size - 9)]);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** POST a file as the body; `chunked` sends it as a stream without Content-Length. */
async function upload(t: TestServer, caller: Caller, path: string, body: Buffer, options: { chunked?: boolean } = {}) {
  const headers = {
    "content-type": "application/pdf",
    cookie: caller.credentials.cookie ?? "",
    "x-csrf-token": caller.credentials.csrfToken ?? "",
  };
  const response = options.chunked
    ? await fetch(`${t.url}${path}`, {
        method: "POST",
        headers,
        duplex: "half",
        body: new ReadableStream({
          start(controller) {
            for (let at = 0; at < body.length; at += 64 * 1024) controller.enqueue(body.subarray(at, at + 64 * 1024));
            controller.close();
          },
        }),
      } as RequestInit)
    : await fetch(`${t.url}${path}`, { method: "POST", headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : undefined };
}

/** A contact of `clientId`, signed in to the portal with the link mailed to them. */
async function portalContact(t: TestServer, mailer: RecordingMailer, clientId: string): Promise<Caller> {
  const email = `dana@${clientId}.example`;
  const created = await t.admin.post(`/clients/${clientId}/contacts`, { name: "Dana Sponsor", email, roles: ["client_primary_contact"] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await t.anonymous.post("/portal/api/magic-links", { email })).status, 202);
  await t.deliverSignInLinks();
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mailer.sent.at(-1)?.text ?? "")?.[1];
  const session = await t.anonymous.post("/portal/api/sessions", { token });
  assert.equal(session.status, 200, JSON.stringify(session.body));
  return new (t.anonymous.constructor as typeof Caller)(t.url, { cookie: cookieHeader(session), csrfToken: session.body.csrfToken });
}

async function download(t: TestServer, caller: Caller, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(`${t.url}${path}`, { headers: { cookie: caller.credentials.cookie ?? "" } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

for (const backend of BACKENDS) {
  describe(`files and templates within bounds (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let contact: Caller;
    const mailer = new RecordingMailer();

    const usage = async (clientId: string) =>
      Number(
        (
          await t.server.database.db
            .selectFrom("client_file_usage" as never)
            .select("used_bytes" as never)
            .where("client_id" as never, "=", clientId as never)
            .executeTakeFirst()
        )?.used_bytes ?? 0,
      );
    /** Rows, chunk rows and files in the files folder (temporary ones included). */
    const stored = async () => {
      const files = t.server.database.files;
      const chunks = await t.server.database.db
        .selectFrom("file_chunks")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      const entries =
        files.kind === "folder" ? await readdir(files.description, { recursive: true, withFileTypes: true }).catch(() => []) : [];
      return {
        attachments: (await t.admin.get("/projects/globex-onboarding/attachments")).body.items.length as number,
        chunks: Number(chunks.n),
        files: entries.filter((e) => e.isFile()).length,
      };
    };

    before(async () => {
      t = await startTestServer(
        backend,
        { CLIENT_FILE_QUOTA_MB: String(QUOTA_MB), TEMPLATE_THREADS: "1", TEMPLATE_QUEUE: "16", TEMPLATE_RENDER_MS: "200" },
        { mailer },
      );
      for (const id of ["acme", "globex", "initech"]) {
        assert.equal((await t.admin.post("/clients", { id, name: `${id} Ltd`, timeZone: "Europe/Berlin", country: "DE" })).status, 201);
        const project = await t.admin.post("/projects", {
          id: `${id}-onboarding`,
          playbook: PLAYBOOK,
          clientId: id,
          facts: { account_type: "smb", project_duration_weeks: 8 },
          params: { company_name: "Acmé" },
        });
        assert.equal(project.status, 201, JSON.stringify(project.body));
      }
      contact = await portalContact(t, mailer, "acme");
    });
    after(() => t?.close());

    test("files of several MB from the team and the portal come back byte for byte, from the file store", async () => {
      const plan = pdf(6 * MB + 123);
      const team = await upload(t, t.admin, "/projects/acme-onboarding/attachments?fileName=plan.pdf&visibility=client", plan);
      assert.equal(team.status, 201, JSON.stringify(team.body));
      assert.equal(team.body.size, plan.length);
      assert.equal(team.body.sha256, sha256(plan));
      const signed = pdf(4 * MB + 7);
      const portal = await upload(t, contact, "/portal/api/projects/acme-onboarding/attachments?fileName=signed.pdf", signed, {
        chunked: true,
      });
      assert.equal(portal.status, 201, JSON.stringify(portal.body));

      const teamCopy = await download(t, t.admin, `/attachments/${team.body.id}`);
      assert.equal(teamCopy.status, 200);
      assert.equal(teamCopy.headers.get("content-length"), String(plan.length));
      assert.equal(teamCopy.headers.get("content-type"), "application/pdf");
      assert.equal(teamCopy.headers.get("x-content-type-options"), "nosniff");
      assert.ok(teamCopy.bytes.equals(plan), "the team's file comes back identical");
      const portalCopy = await download(t, contact, `/portal/api/projects/acme-onboarding/attachments/${team.body.id}`);
      assert.ok(portalCopy.bytes.equals(plan), "the shared file reaches the portal identical");
      const contactCopy = await download(t, t.admin, `/attachments/${portal.body.id}`);
      assert.ok(contactCopy.bytes.equals(signed), "the contact's streamed upload comes back identical");

      // Not in the rows: the bytes live in the file store (PostgreSQL: chunk rows; the embedded database: a folder).
      const rows = await t.server.database.db
        .selectFrom("attachments" as never)
        .select(["content", "blob_store", "blob_key"] as never[])
        .where("project_id" as never, "=", "acme-onboarding" as never)
        .execute();
      assert.deepEqual(
        rows.map((r: Json) => [r.content, r.blob_store]),
        [
          [null, STORE[backend.name]],
          [null, STORE[backend.name]],
        ],
      );
      assert.equal(await usage("acme"), plan.length + signed.length);
    });

    test("past the client's quota: 413 saying the quota and what is used, and nothing is stored", async () => {
      const file = pdf(8 * MB);
      for (const name of ["a.pdf", "b.pdf"]) {
        assert.equal((await upload(t, t.admin, `/projects/globex-onboarding/attachments?fileName=${name}`, file)).status, 201);
      }
      const before = await stored();
      const used = await usage("globex");
      assert.equal(used, 16 * MB);
      // With Content-Length the upload is refused before its bytes are read; streamed, once they are.
      for (const chunked of [false, true]) {
        const refused = await upload(t, t.admin, "/projects/globex-onboarding/attachments?fileName=c.pdf", file, { chunked });
        assert.equal(refused.status, 413, JSON.stringify(refused.body));
        assert.match(refused.headers.get("content-type") ?? "", /application\/problem\+json/);
        assert.equal(refused.body.type, "urn:onboard:problem:quota-exceeded");
        assert.equal(refused.body.quotaBytes, QUOTA_MB * MB);
        assert.equal(refused.body.usedBytes, used);
        assert.match(refused.body.detail, /quota of 20 MB: 16 MB are used/);
        assert.deepEqual(await stored(), before, "no row and no chunk left behind");
        assert.equal(await usage("globex"), used);
      }
      // The size limit per file still holds (413, not a quota problem), and a file must look like its type.
      const big = await upload(t, t.admin, "/projects/initech-onboarding/attachments?fileName=big.pdf", pdf(11 * MB), { chunked: true });
      assert.equal(big.status, 413);
      assert.equal(big.body.type, "urn:onboard:problem:payload-too-large");
      const fake = await upload(t, t.admin, "/projects/initech-onboarding/attachments?fileName=x.pdf", Buffer.from("<html>not a pdf"));
      assert.equal(fake.status, 400);
      assert.equal(await usage("initech"), 0);
      assert.equal((await t.admin.get("/projects/initech-onboarding/attachments")).body.items.length, 0);
    });

    test("uploads racing past the quota never take more than it together", async () => {
      const size = 4 * MB;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => upload(t, t.admin, `/projects/initech-onboarding/attachments?fileName=r${i}.pdf`, pdf(size))),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 413, 413, 413], "exactly what fits in 20 MB: five files of 4 MB");
      for (const r of results.filter((r) => r.status === 413)) assert.equal(r.body.type, "urn:onboard:problem:quota-exceeded");
      const items = (await t.admin.get("/projects/initech-onboarding/attachments")).body.items as Json[];
      const total = items.reduce((sum, a) => sum + a.size, 0);
      assert.equal(total, 5 * size);
      assert.equal(await usage("initech"), total, "the usage counts exactly the stored files");
      assert.ok(total <= QUOTA_MB * MB);
    });

    test("include, render and layout are refused with 422 naming the tag and line, when saved and in a draft", async () => {
      const saved = await t.admin.request("PUT", "/templates/ONB-001-WELCOME", {
        body: { subject: "Welcome", body: "Dear {{ client.name }},\n{% include 'signature' %}" },
      });
      assert.equal(saved.status, 422, JSON.stringify(saved.body));
      assert.match(saved.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.deepEqual(
        saved.body.errors.map((e: Json) => [e.pointer, e.tag, e.line]),
        [["/body/body", "include", 2]],
      );
      assert.match(saved.body.detail, /\{% include %\} on line 2/);
      for (const [tag, body] of [
        ["render", "{% render 'card' %}"],
        ["layout", "Hi\n\n{% layout 'base' %}"],
      ] as const) {
        const draft = await t.admin.post("/templates/ONB-001-WELCOME/preview", { projectId: "acme-onboarding", body });
        assert.equal(draft.status, 422, JSON.stringify(draft.body));
        assert.equal(draft.body.errors[0].tag, tag);
      }
      const subject = await t.admin.post("/templates/ONB-001-WELCOME/preview", {
        projectId: "acme-onboarding",
        subject: "{% include 'x' %}",
      });
      assert.equal(subject.status, 422);
      assert.equal(subject.body.errors[0].pointer, "/body/subject");
    });

    test("the server answers while runaway previews run; each is stopped with 422", async () => {
      const order: string[] = [];
      const previews = Array.from({ length: 4 }, async () => {
        const response = await t.admin.post("/templates/ONB-001-WELCOME/preview", { projectId: "acme-onboarding", body: NESTED_LOOPS });
        order.push("preview");
        return response;
      });
      // Asked after the previews: answered before the last of them, which wait for the one template thread.
      const live = await t.anonymous.get("/health/live");
      order.push("live");
      const project = await t.admin.get("/projects/acme-onboarding");
      order.push("project");
      assert.equal(live.status, 200);
      assert.equal(project.status, 200);
      for (const response of await Promise.all(previews)) {
        assert.equal(response.status, 422, JSON.stringify(response.body));
        assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
        assert.match(response.body.detail, /took too long to render/);
      }
      assert.ok(order.indexOf("project") < order.lastIndexOf("preview"), `answered while previews ran: ${order.join(", ")}`);
      // And a normal preview still renders.
      const normal = await t.admin.post("/templates/ONB-001-WELCOME/preview", {
        projectId: "acme-onboarding",
        body: "Hi {{ client.name }}",
      });
      assert.equal(normal.status, 200, JSON.stringify(normal.body));
      assert.equal(normal.body.text, "Hi acme Ltd");
    });
  });
}

describe("tighter limits: the template queue, portal uploads per hour", () => {
  let t: TestServer;
  const mailer = new RecordingMailer();
  before(async () => {
    const [pglite] = BACKENDS;
    assert.ok(pglite);
    t = await startTestServer(
      pglite,
      { TEMPLATE_THREADS: "1", TEMPLATE_QUEUE: "0", TEMPLATE_RENDER_MS: "300", PORTAL_UPLOADS_PER_HOUR: "2" },
      { mailer },
    );
    await t.admin.post("/clients", { id: "acme", name: "Acme", timeZone: "Europe/Berlin", country: "DE" });
    const project = await t.admin.post("/projects", {
      id: "p",
      playbook: PLAYBOOK,
      clientId: "acme",
      facts: { account_type: "smb", project_duration_weeks: 8 },
      params: { company_name: "Acmé" },
    });
    assert.equal(project.status, 201);
  });
  after(() => t?.close());

  test("previews beyond the threads and the queue are refused at once with 503 and Retry-After, as problem+json", async () => {
    const responses = await Promise.all(
      Array.from({ length: 3 }, () => t.admin.post("/templates/ONB-001-WELCOME/preview", { projectId: "p", body: NESTED_LOOPS })),
    );
    const busy = responses.filter((r) => r.status === 503);
    assert.ok(busy.length >= 1, `some were refused: ${responses.map((r) => r.status).join(", ")}`);
    assert.ok(
      responses.some((r) => r.status === 422),
      "the one that had the thread was stopped",
    );
    for (const r of busy) {
      assert.match(r.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.ok(Number(r.headers.get("retry-after")) >= 1);
      assert.match(r.body.detail, /try again/);
    }
  });

  test("a contact's uploads past the hourly allowance answer 429, before the file is read", async () => {
    const contact = await portalContact(t, mailer, "acme");
    const path = "/portal/api/projects/p/attachments?fileName=plan.pdf";
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await upload(t, contact, path, pdf(1000))).status);
    assert.deepEqual(statuses, [201, 201, 429]);
    assert.equal((await t.admin.get("/projects/p/attachments")).body.items.length, 2);
    // The team is not counted against a contact's allowance.
    assert.equal((await upload(t, t.admin, "/projects/p/attachments?fileName=team.pdf", pdf(1000))).status, 201);
  });
});
