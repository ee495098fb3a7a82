// Issue 14 item 9: what a client does in the portal reaches the team. An approval, a message and a
// file from the portal each notify the people holding the project's internal roles in the app;
// one who asked for email also gets a mail; "Sign-offs waiting for you" lists only gates still
// missing that person's sign-off; preferences are one's own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { dispatchOutbox } from "../../src/store/index.ts";
import { type Caller, cookieHeader, type Json, PASSWORD, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const PLAYBOOK = { id: "ops_sop_020", version: "1.1" };
const FACTS = { territory: "emea", complex_integrations: false, data_migration: false };
const HANDOFF = { key_stakeholders: "Dana (COO)", business_objectives: "Faster invoicing" };
const P = "/projects/acme-onboarding";

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
}

async function command(caller: Caller, path: string, body: Json): Promise<Json> {
  const current = await caller.get(path.replace(/\/commands$/, ""));
  const response = await caller.request("POST", path, { body, headers: { "if-match": current.headers.get("etag") ?? "" } });
  assert.equal(response.status, 200, `${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

for (const backend of BACKENDS) {
  describe(`client actions notify the team (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let casey: Caller;
    let sam: Caller;
    let acme: Caller;
    const mailer = new RecordingMailer();
    const deliver = () =>
      dispatchOutbox(t.fresh.database, new Date().toISOString(), { handlers: t.server.outboxHandlers, batchSize: 1000 });
    const inbox = async (who: Caller) => ((await who.get("/notifications?limit=200")).body.items as Json[]).map((n) => n.message as string);

    before(async () => {
      t = await startTestServer(backend, {}, { mailer });
      for (const [id, name, role] of [
        ["casey", "Casey Morgan", "csm"],
        ["sam", "Sam Support", "support"],
      ] as const) {
        assert.equal(
          (await t.admin.post("/users", { id, email: `${id}@example.com`, name, roles: ["csm"], password: PASSWORD })).status,
          201,
        );
        assert.equal((await t.admin.request("PUT", `/people/${id}`, { body: { name, roles: [role], capacity: 10 } })).status, 200);
      }
      casey = await t.login("casey@example.com", PASSWORD);
      sam = await t.login("sam@example.com", PASSWORD);
      assert.equal(
        (await t.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      assert.equal(
        (
          await t.admin.post("/clients/acme/contacts", {
            name: "Dana Sponsor",
            email: "dana@acme.example",
            roles: ["client_primary_contact"],
          })
        ).status,
        201,
      );
      assert.equal(
        (await t.admin.post("/projects", { id: "acme-onboarding", playbook: PLAYBOOK, clientId: "acme", facts: FACTS })).status,
        201,
      );
      await command(t.admin, `${P}/commands`, { type: "assign", role: "csm", person: "casey" });
      await command(t.admin, `${P}/commands`, { type: "assign", role: "support", person: "sam" });
      await command(t.admin, `${P}/commands`, { type: "submit_form", step: "sales_to_cs_handoff", values: HANDOFF });
      for (const step of ["sales_to_cs_handoff", "csm_assignment", "schedule_kickoff_call", "kickoff_call"]) {
        const timeline = await t.admin.get(`${P}/timeline`);
        const status = timeline.body.phases.flatMap((ph: Json) => ph.steps).find((s: Json) => s.id === step)?.status;
        if (status !== "done") await command(t.admin, `${P}/commands`, { type: "complete_step", step });
      }
      await t.anonymous.post("/portal/api/magic-links", { email: "dana@acme.example" });
      await t.deliverSignInLinks();
      const token = /#token=([A-Za-z0-9_-]+)/.exec(mailer.sent.at(-1)?.text ?? "")?.[1];
      const session = await t.anonymous.post("/portal/api/sessions", { token });
      assert.equal(session.status, 200);
      acme = new (t.anonymous.constructor as typeof Caller)(t.url, { cookie: cookieHeader(session), csrfToken: session.body.csrfToken });
    });
    after(() => t?.close());

    test("preferences are one's own: defaults, saved, validated", async () => {
      assert.deepEqual((await casey.get("/notifications/preferences")).body, { clientActionsEmail: false, clientActionsChat: false });
      const saved = await casey.request("PUT", "/notifications/preferences", {
        body: { clientActionsEmail: true, clientActionsChat: false },
      });
      assert.equal(saved.status, 200);
      assert.deepEqual((await casey.get("/notifications/preferences")).body, { clientActionsEmail: true, clientActionsChat: false });
      assert.deepEqual((await sam.get("/notifications/preferences")).body.clientActionsEmail, false, "Sam's are his own");
      const bad = await casey.request("PUT", "/notifications/preferences", { body: { clientActionsEmail: "yes" } });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.errors.some((e: Json) => e.pointer === "/body/clientActionsEmail"));
    });

    test("an approval, a message and a file from the portal notify the team; email for who asked", async () => {
      const before = mailer.sent.length;
      const view = await acme.get(`/portal/api/projects/acme-onboarding`);
      const approved = await acme.request("POST", "/portal/api/projects/acme-onboarding/commands", {
        body: { type: "approve", step: "success_plan", role: "client_primary_contact", comment: "Looks right" },
        headers: { "if-match": view.headers.get("etag") ?? "" },
      });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(
        (await acme.post("/portal/api/projects/acme-onboarding/comments", { body: "Thanks {{ secret }}, see you Monday" })).status,
        201,
      );
      const file = await acme.request("POST", "/portal/api/projects/acme-onboarding/attachments?fileName=notes.txt&stepId=success_plan", {
        raw: "Our notes for the plan",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(file.status, 201, JSON.stringify(file.body));
      await deliver();
      for (const who of [casey, sam]) {
        const messages = await inbox(who);
        assert.ok(
          messages.some((m) => /Acme GmbH: Dana Sponsor approved “.+”/.test(m)),
          messages.join("\n"),
        );
        assert.ok(messages.some((m) => /Dana Sponsor wrote a message/.test(m)));
        assert.ok(messages.some((m) => /Dana Sponsor sent a file, “notes.txt”/.test(m)));
        assert.ok(!messages.some((m) => /secret|\{\{/.test(m)), "the client's text is never a template");
      }
      const mails = mailer.sent.slice(before);
      assert.ok(
        mails.some((m) => m.to.some((r) => r.address === "casey@example.com") && /approved/.test(m.subject + m.text)),
        "Casey asked for email",
      );
      assert.ok(!mails.some((m) => m.to.some((r) => r.address === "sam@example.com")), "Sam did not");
      // Delivered once: a second dispatch sends nothing more.
      const count = (await inbox(casey)).length;
      await deliver();
      assert.equal((await inbox(casey)).length, count);
    });

    test("sign-offs waiting for me are gates still missing my sign-off", async () => {
      const tasks = (await casey.get("/tasks?limit=200")).body.items as Json[];
      for (const task of tasks.filter((x) => x.signOff.length > 0)) {
        const timeline = await t.admin.get(`/projects/${task.projectId}/timeline`);
        const step = timeline.body.phases.flatMap((ph: Json) => ph.steps).find((s: Json) => s.id === task.stepId);
        for (const role of task.signOff) assert.notEqual(step.gate.approvals[role]?.decision, "approved", `${task.title}: ${role} signed`);
      }
    });
  });
}
