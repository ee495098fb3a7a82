// The client portal over real HTTP on both backends: a contact asks for a magic link, signs in
// with it (once), sees their company's plan and nothing internal, approves the success plan the
// CSM then sees signed; and every portal route refuses client B's ids to client A's session.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const PLAYBOOK = { id: "ops_sop_020", version: "1.1" };
const FACTS = { territory: "emea", complex_integrations: false, data_migration: false };
const HANDOFF = { key_stakeholders: "Dana (COO)", business_objectives: "Faster invoicing" };

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
  /** The token of the last link sent to `email`. */
  tokenFor(email: string): string {
    const mail = this.sent.findLast((m) => m.to.some((t) => t.address === email));
    const token = mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
    assert.ok(token, `a sign-in link was mailed to ${email}`);
    return token;
  }
}

async function portalSignIn(t: TestServer, mailer: RecordingMailer, email: string): Promise<Caller & { csrf: string }> {
  const asked = await t.anonymous.post("/portal/api/magic-links", { email });
  assert.equal(asked.status, 202);
  await t.deliverSignInLinks();
  const signedIn = await t.anonymous.post("/portal/api/sessions", { token: mailer.tokenFor(email) });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  const caller = new (t.anonymous.constructor as typeof Caller)(t.url, {
    cookie: cookieHeader(signedIn),
    csrfToken: signedIn.body.csrfToken,
  });
  return Object.assign(caller, { csrf: signedIn.body.csrfToken as string });
}

async function command(caller: Caller, path: string, body: Json): Promise<Json> {
  const current = await caller.get(path.replace(/\/commands$/, ""));
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const response = await caller.request("POST", path, { body, headers: { "if-match": current.headers.get("etag") ?? "" } });
  assert.equal(response.status, 200, `${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

for (const backend of BACKENDS) {
  describe(`client portal (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let acme: Caller;
    const mailer = new RecordingMailer();

    before(async () => {
      t = await startTestServer(backend, { MAGIC_LINK_RATE_LIMIT: "40" }, { mailer });
      for (const [id, name] of [
        ["acme", "Acme GmbH"],
        ["globex", "Globex Ltd"],
      ] as const) {
        assert.equal((await t.admin.post("/clients", { id, name, timeZone: "Europe/Berlin", country: "DE" })).status, 201);
        const contact = await t.admin.post(`/clients/${id}/contacts`, {
          name: `${name} Sponsor`,
          email: `sponsor@${id}.example`,
          roles: ["client_primary_contact"],
        });
        assert.equal(contact.status, 201, JSON.stringify(contact.body));
        const project = await t.admin.post("/projects", { id: `${id}-onboarding`, playbook: PLAYBOOK, clientId: id, facts: FACTS });
        assert.equal(project.status, 201, JSON.stringify(project.body));
      }
      // The team's side of the plan up to the success plan, on Acme's project only.
      const p = "/projects/acme-onboarding/commands";
      await command(t.admin, p, { type: "submit_form", step: "sales_to_cs_handoff", values: HANDOFF });
      for (const step of ["sales_to_cs_handoff", "csm_assignment", "schedule_kickoff_call", "kickoff_call"]) {
        const timeline = await t.admin.get("/projects/acme-onboarding/timeline");
        const status = timeline.body.phases.flatMap((ph: Json) => ph.steps).find((s: Json) => s.id === step)?.status;
        if (status !== "done") await command(t.admin, p, { type: "complete_step", step });
      }
      acme = await portalSignIn(t, mailer, "sponsor@acme.example");
    });
    after(() => t?.close());

    test("a magic link is mailed, works once, and only before it expires", async () => {
      const unknown = await t.anonymous.post("/portal/api/magic-links", { email: "nobody@nowhere.example" });
      assert.equal(unknown.status, 202, "an unknown address gets the same answer");
      const before = mailer.sent.length;
      await t.anonymous.post("/portal/api/magic-links", { email: "Sponsor@Acme.example" });
      assert.equal(mailer.sent.length, before, "the request only queues the link");
      assert.equal(await t.deliverSignInLinks(), 2, "both requests are delivered: the unknown one sends nothing");
      assert.equal(mailer.sent.length, before + 1, "the address is matched without regard to case");
      assert.deepEqual(mailer.sent.at(-1)?.secrets, [mailer.tokenFor("sponsor@acme.example")], "the token is declared secret");
      const token = mailer.tokenFor("sponsor@acme.example");
      assert.match(mailer.sent.at(-1)?.text ?? "", /\/portal\/sign-in#token=/);
      const first = await t.anonymous.post("/portal/api/sessions", { token });
      assert.equal(first.status, 200);
      assert.equal(first.body.client.id, "acme");
      const cookies = first.headers.getSetCookie().join("\n");
      assert.match(cookies, /onboard_portal=[^;]+;.*HttpOnly/i);
      const again = await t.anonymous.post("/portal/api/sessions", { token });
      assert.equal(again.status, 401, "a link works once");
      assert.equal((await t.anonymous.post("/portal/api/sessions", { token: "x".repeat(43) })).status, 401);
    });

    test("the portal shows the client's plan, nothing internal, and what they owe", async () => {
      const list = await acme.get("/portal/api/projects");
      assert.deepEqual(
        list.body.items.map((p: Json) => p.id),
        ["acme-onboarding"],
      );
      const view = await acme.get("/portal/api/projects/acme-onboarding");
      assert.equal(view.status, 200);
      const steps = view.body.phases.flatMap((ph: Json) => ph.steps);
      assert.ok(steps.some((s: Json) => s.id === "success_plan"));
      assert.ok(!steps.some((s: Json) => s.id === "sales_to_cs_handoff"), "the internal handoff is not shown");
      const text = JSON.stringify(view.body);
      assert.doesNotMatch(text, /Faster invoicing|admin@example\.com|sales_to_cs_handoff/, "no internal data leaks");
      assert.deepEqual(
        view.body.owed.map((o: Json) => o.step),
        ["success_plan"],
      );
      const plan = steps.find((s: Json) => s.id === "success_plan");
      assert.deepEqual(plan.gate.canSignAs, ["client_primary_contact"]);
      // A team write is not the portal's: its session is no account.
      assert.equal((await acme.get("/projects/acme-onboarding")).status, 401);
    });

    test("the client approves the success plan; the CSM sees the approval; a stale write is refused", async () => {
      const view = await acme.get("/portal/api/projects/acme-onboarding");
      const etag = view.headers.get("etag") ?? "";
      const approve = { type: "approve", step: "success_plan", role: "client_primary_contact", comment: "Looks right to us" };
      const noCsrf = await acme.request("POST", "/portal/api/projects/acme-onboarding/commands", {
        body: approve,
        headers: { "if-match": etag, "x-csrf-token": "wrong" },
      });
      assert.equal(noCsrf.status, 403, "a write needs the portal's CSRF token");
      const done = await acme.request("POST", "/portal/api/projects/acme-onboarding/commands", {
        body: approve,
        headers: { "if-match": etag },
      });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(Object.hasOwn(done.body, "events"), false, "the portal is not told the internal events");
      const stale = await acme.request("POST", "/portal/api/projects/acme-onboarding/commands", {
        body: approve,
        headers: { "if-match": etag },
      });
      assert.equal(stale.status, 412);
      const timeline = await t.admin.get("/projects/acme-onboarding/timeline");
      const plan = timeline.body.phases.flatMap((ph: Json) => ph.steps).find((s: Json) => s.id === "success_plan");
      assert.equal(plan.gate.approvals.client_primary_contact.decision, "approved");
      const contacts = await t.admin.get("/clients/acme/contacts");
      const sponsor = contacts.body.items.find((c: Json) => c.email === "sponsor@acme.example");
      assert.equal(plan.gate.approvals.client_primary_contact.by, sponsor.id, "signed by the contact, not by the team");
      // The client may not sign for the vendor's roles, nor act on internal steps.
      const refused = await acme.request("POST", "/portal/api/projects/acme-onboarding/commands", {
        body: { type: "complete_step", step: "account_setup" },
        headers: { "if-match": `"${done.body.version}"` },
      });
      assert.ok([403, 409, 422].includes(refused.status), `${refused.status} ${JSON.stringify(refused.body)}`);
    });

    test("comments: the team's internal notes stay internal; shared ones and the client's reach both sides", async () => {
      await t.admin.post("/projects/acme-onboarding/comments", { body: "Internal: watch the budget" });
      await t.admin.post("/projects/acme-onboarding/comments", { body: "Welcome aboard!", visibility: "client" });
      const posted = await acme.post("/portal/api/projects/acme-onboarding/comments", { body: "Thanks, see you Monday" });
      assert.equal(posted.status, 201);
      const seen = await acme.get("/portal/api/projects/acme-onboarding/comments");
      assert.deepEqual(
        seen.body.items.map((c: Json) => c.body),
        ["Welcome aboard!", "Thanks, see you Monday"],
      );
      const team = await t.admin.get("/projects/acme-onboarding/comments");
      assert.equal(team.body.items.length, 3);
      assert.equal(team.body.items.at(-1).fromClient, true);
    });

    test("files: the client sees only what is shared, downloads it, and sends their own", async () => {
      const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(2000, 0x20), Buffer.from("\n%%EOF\n")]);
      const upload = (caller: Caller, path: string, body: Buffer, type: string) =>
        fetch(`${t.url}${path}`, {
          method: "POST",
          body,
          headers: {
            "content-type": type,
            cookie: caller.credentials.cookie ?? "",
            "x-csrf-token": caller.credentials.csrfToken ?? "",
          },
        });
      const shared = await upload(
        t.admin,
        "/projects/acme-onboarding/attachments?fileName=Erfolgsplan%20Q1%20%E2%9C%93.pdf&visibility=client",
        pdf,
        "application/pdf",
      );
      assert.equal(shared.status, 201, await shared.clone().text());
      const sharedId = ((await shared.json()) as Json).id;
      const internal = await upload(t.admin, "/projects/acme-onboarding/attachments?fileName=margin.pdf", pdf, "application/pdf");
      const internalId = ((await internal.json()) as Json).id;
      const fake = await upload(
        t.admin,
        "/projects/acme-onboarding/attachments?fileName=x.pdf",
        Buffer.from("<html>not a pdf"),
        "application/pdf",
      );
      assert.equal(fake.status, 400, "a file must look like its type");
      assert.equal(
        (await upload(t.admin, "/projects/acme-onboarding/attachments?fileName=x.html", Buffer.from("<script>"), "text/html")).status,
        415,
      );
      const tooBig = await upload(
        t.admin,
        "/projects/acme-onboarding/attachments?fileName=big.pdf",
        Buffer.concat([pdf, Buffer.alloc(11 * 1024 * 1024)]),
        "application/pdf",
      );
      assert.equal(tooBig.status, 413);

      const seen = await acme.get("/portal/api/projects/acme-onboarding/attachments");
      assert.deepEqual(
        seen.body.items.map((a: Json) => a.fileName),
        ["Erfolgsplan Q1 ✓.pdf"],
      );
      const download = await acme.request("GET", `/portal/api/projects/acme-onboarding/attachments/${sharedId}`);
      assert.equal(download.status, 200);
      assert.match(download.headers.get("content-disposition") ?? "", /^attachment; .*filename\*=UTF-8''Erfolgsplan%20Q1%20%E2%9C%93\.pdf/);
      assert.equal(download.headers.get("x-content-type-options"), "nosniff");
      assert.equal((await acme.request("GET", `/portal/api/projects/acme-onboarding/attachments/${internalId}`)).status, 404);
      const fromClient = await upload(
        acme,
        "/portal/api/projects/acme-onboarding/attachments?fileName=users.csv",
        Buffer.from("name,email\nDana,dana@acme.example\n"),
        "text/csv",
      );
      assert.equal(fromClient.status, 201);
      const team = await t.admin.get("/projects/acme-onboarding/attachments");
      assert.equal(team.body.items.length, 3);
      const teamDownload = await fetch(`${t.url}/attachments/${internalId}`, { headers: { cookie: t.admin.credentials.cookie ?? "" } });
      assert.deepEqual(Buffer.from(await teamDownload.arrayBuffer()), pdf);
    });

    test("client A's session gets 404 for every portal route given client B's ids", async () => {
      const portalRoutes = t.server.routes.filter((r) => r.access === "contact");
      const shared = await fetch(`${t.url}/projects/globex-onboarding/attachments?fileName=plan.csv&visibility=client`, {
        method: "POST",
        body: "step,owner\n",
        headers: {
          "content-type": "text/csv",
          cookie: t.admin.credentials.cookie ?? "",
          "x-csrf-token": t.admin.credentials.csrfToken ?? "",
        },
      });
      const globexFile = ((await shared.json()) as Json).id as string;
      assert.ok(portalRoutes.length >= 7, "the portal's routes are in the route table");
      const bodies: Record<string, Json> = {
        "POST /portal/api/projects/:id/commands": { type: "approve", step: "success_plan", role: "client_primary_contact" },
        "POST /portal/api/projects/:id/comments": { body: "Hello from A" },
      };
      let checked = 0;
      for (const route of portalRoutes.filter((r) => r.url.includes(":id"))) {
        const key = `${route.method} ${route.url}`;
        const path = route.url.replace(":id", "globex-onboarding").replace(":attachment", globexFile);
        const upload = key === "POST /portal/api/projects/:id/attachments";
        const response = await acme.request(route.method, upload ? `${path}?fileName=a.csv` : path, {
          ...(route.method === "GET" ? {} : upload ? { raw: "a,b\n" } : { body: bodies[key] ?? {} }),
          headers: { "if-match": '"1"', ...(upload ? { "content-type": "text/csv" } : {}) },
        });
        assert.equal(response.status, 404, `${key} with client B's project: ${response.status} ${JSON.stringify(response.body)}`);
        checked++;
      }
      assert.ok(checked >= 4);
      const list = await acme.get("/portal/api/projects");
      assert.ok(!JSON.stringify(list.body).includes("globex"));
      // B's own contact does reach it: the 404 was about A.
      const globex = await portalSignIn(t, mailer, "sponsor@globex.example");
      assert.equal((await globex.get("/portal/api/projects/globex-onboarding")).status, 200);
      assert.equal((await globex.get("/portal/api/projects/acme-onboarding")).status, 404);
    });

    test("links are capped per contact and requests per caller", async () => {
      assert.equal((await t.admin.post("/clients/acme/contacts", { name: "Lee", email: "lee@acme.example" })).status, 201);
      const before = mailer.sent.length;
      const statuses: number[] = [];
      for (let i = 0; i < 45; i++) statuses.push((await t.anonymous.post("/portal/api/magic-links", { email: "lee@acme.example" })).status);
      await t.deliverSignInLinks();
      assert.equal(mailer.sent.length - before, 5, "at most five links an hour reach one inbox");
      assert.ok(statuses.includes(429), "one caller is slowed down");
      assert.ok(statuses.slice(0, 30).every((s) => s === 202));
    });

    test("signing out ends the portal session", async () => {
      assert.equal((await acme.request("DELETE", "/portal/api/session")).status, 204);
      assert.equal((await acme.get("/portal/api/session")).status, 401);
    });
  });
}
