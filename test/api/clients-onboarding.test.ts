// Issue 14, item 1 over HTTP: a CSM edits a client (If-Match), invites a contact to the portal,
// plans an onboarding before starting it (dates for every step and go-live, nothing written),
// starts it with the client's facts, and assigns and reassigns its team (an ownership transfer in
// the audit trail). Accounts are people: one directory.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Caller, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const PLAYBOOK = { id: "onb_001", version: "1.0.0" };
const NOW = "2026-03-02T09:00:00.000Z";

for (const backend of BACKENDS) {
  describe(`clients, plans and teams (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let csm: Caller;
    let engineer: Caller;

    before(async () => {
      t = await startTestServer(backend, {}, { clock: () => NOW });
      csm = await t.user("casey", ["csm"]);
      engineer = await t.user("ira", ["implementation"]);
      await t.user("jo", ["implementation"]);
    });
    after(() => t?.close());

    test("a client with a domain, segment and its playbook's facts; edited with If-Match; facts checked against the playbook", async () => {
      const bad = await csm.post("/clients", {
        id: "bad",
        name: "Bad",
        timeZone: "Europe/Berlin",
        playbookId: PLAYBOOK.id,
        facts: { account_type: "giant", project_duration_weeks: "eight" },
      });
      assert.equal(bad.status, 400);
      const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer).sort();
      assert.deepEqual(pointers, ["/body/facts/account_type", "/body/facts/project_duration_weeks"]);
      assert.match(JSON.stringify(bad.body.errors), /one of: enterprise, smb, partner/);

      const created = await csm.post("/clients", {
        id: "acme",
        name: "Acme",
        timeZone: "Europe/Berlin",
        country: "DE",
        domain: "Acme.Example",
        segment: "Mid-market",
        playbookId: PLAYBOOK.id,
        facts: { account_type: "smb", project_duration_weeks: 8 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.domain, "acme.example");
      assert.equal(created.body.version, 1);
      assert.equal(created.headers.get("etag"), '"1"');

      const noVersion = await csm.request("PATCH", "/clients/acme", { body: { name: "Acme GmbH" } });
      assert.equal(noVersion.status, 428);
      const renamed = await csm.request("PATCH", "/clients/acme", {
        body: { name: "Acme GmbH", segment: "Enterprise", facts: { account_type: "enterprise", project_duration_weeks: 10 } },
        headers: { "if-match": '"1"' },
      });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(renamed.body.name, "Acme GmbH");
      assert.equal(renamed.body.version, 2);
      assert.deepEqual(renamed.body.facts, { account_type: "enterprise", project_duration_weeks: 10 });
      const stale = await csm.request("PATCH", "/clients/acme", { body: { name: "Acme AG" }, headers: { "if-match": '"1"' } });
      assert.equal(stale.status, 412);
      const wrongFact = await csm.request("PATCH", "/clients/acme", { body: { facts: { nope: 1 } }, headers: { "if-match": '"2"' } });
      assert.equal(wrongFact.status, 400);
      assert.equal(wrongFact.body.errors[0].pointer, "/body/facts/nope");
      assert.equal((await engineer.request("PATCH", "/clients/acme", { body: { name: "X" }, headers: { "if-match": '"2"' } })).status, 403);

      const found = await csm.get("/clients?q=acme");
      assert.deepEqual(
        found.body.items.map((c: { id: string }) => c.id),
        ["acme"],
      );
      assert.equal((await csm.get("/clients?q=zzz")).body.items.length, 0);
    });

    test("invite a contact to the portal: a sign-in link goes out through the outbox; a revoked contact gets none", async () => {
      const contact = await csm.post("/clients/acme/contacts", {
        name: "Dana Sponsor",
        email: "dana@acme.example",
        roles: ["client_primary_contact"],
      });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      const invited = await csm.post(`/clients/acme/contacts/${contact.body.id}/invite`);
      assert.equal(invited.status, 202, JSON.stringify(invited.body));
      assert.equal(invited.body.email, "dana@acme.example");
      assert.equal(await t.deliverSignInLinks(), 1);
      const links = await t.fresh.database.db
        .selectFrom("magic_links" as never)
        .selectAll()
        .execute();
      assert.equal(links.length, 1);
      const revoked = await csm.request("PATCH", `/clients/acme/contacts/${contact.body.id}`, {
        body: { active: false },
        headers: { "if-match": `"${contact.body.version}"` },
      });
      assert.equal(revoked.status, 200);
      assert.equal((await csm.post(`/clients/acme/contacts/${contact.body.id}/invite`)).status, 409);
      assert.equal((await engineer.post(`/clients/acme/contacts/${contact.body.id}/invite`)).status, 403);
    });

    test("plan before starting: every step and go-live get a date on the client's calendar; nothing is written", async () => {
      const before = (await csm.get("/projects")).body.items.length;
      const plan = await csm.post("/projects/plan", { playbook: PLAYBOOK, clientId: "acme", params: { company_name: "Vendor" } });
      assert.equal(plan.status, 200, JSON.stringify(plan.body));
      assert.equal(plan.body.startAt, NOW);
      assert.equal(plan.body.timeZone, "Europe/Berlin");
      assert.ok(plan.body.goLiveAt > NOW, "go-live is planned after the start");
      const applying = plan.body.steps.filter((s: { applies: boolean }) => s.applies);
      assert.ok(applying.length > 10);
      for (const step of applying) assert.ok(step.startAt >= NOW && step.dueAt, `${step.id} has dates`);
      // The client's facts (enterprise) were used: in-person training is for enterprise accounts only.
      assert.equal((await csm.get("/projects")).body.items.length, before);
      const missing = await csm.post("/projects/plan", { playbook: PLAYBOOK, clientId: "nobody" });
      assert.equal(missing.status, 422);
      assert.equal(missing.body.errors[0].pointer, "/body/clientId");
      const badFact = await csm.post("/projects/plan", { playbook: PLAYBOOK, clientId: "acme", facts: { account_type: "giant" } });
      assert.equal(badFact.status, 422);
      assert.equal(badFact.body.errors[0].pointer, "/body/facts/account_type");
      assert.equal((await engineer.post("/projects/plan", { playbook: PLAYBOOK, clientId: "acme" })).status, 403);
    });

    test("accounts are people; a CSM assigns and reassigns a role, seen as an ownership transfer with each candidate's load", async () => {
      const people = (await csm.get("/people?limit=100")).body.items.map((p: { id: string }) => p.id);
      for (const id of ["admin", "casey", "ira", "jo"]) assert.ok(people.includes(id), `${id} is in the directory`);

      const started = await csm.post("/projects", {
        id: "acme-onb",
        playbook: PLAYBOOK,
        clientId: "acme",
        params: { company_name: "Vendor" },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const project = await csm.get("/projects/acme-onb");
      assert.equal(project.body.facts.account_type, "enterprise", "the client's facts started the project");

      let team = await csm.get("/projects/acme-onb/team");
      assert.equal(team.status, 200, JSON.stringify(team.body));
      const role = team.body.roles.find((r: { role: string }) => r.role === "implementation_specialist");
      assert.equal(role.title, "Implementation Specialist");
      assert.equal(role.assignee, null);
      assert.ok(role.candidates.some((c: { id: string }) => c.id === "ira"));

      const first = await csm.request("PUT", "/projects/acme-onb/team/implementation_specialist", {
        body: { person: "ira" },
        headers: { "if-match": `"${team.body.version}"` },
      });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const second = await csm.request("PUT", "/projects/acme-onb/team/implementation_specialist", {
        body: { person: "jo" },
        headers: { "if-match": `"${first.body.version}"` },
      });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.deepEqual(
        second.body.events.map((e: { type: string; data: unknown }) => [e.type, e.data]),
        [["role.assigned", { role: "implementation_specialist", person: "jo", previous: "ira" }]],
      );
      const stale = await csm.request("PUT", "/projects/acme-onb/team/implementation_specialist", {
        body: { person: "ira" },
        headers: { "if-match": `"${first.body.version}"` },
      });
      assert.equal(stale.status, 412);

      team = await csm.get("/projects/acme-onb/team");
      const now = team.body.roles.find((r: { role: string }) => r.role === "implementation_specialist");
      assert.deepEqual(now.assignee, { id: "jo", name: "jo" });
      const jo = now.candidates.find((c: { id: string }) => c.id === "jo");
      assert.equal(jo.openProjects, 1);
      const transfer = team.body.transfers[0];
      assert.deepEqual(
        { role: transfer.role, from: transfer.from, to: transfer.to, by: transfer.by.id },
        { role: "implementation_specialist", from: { id: "ira", name: "ira" }, to: { id: "jo", name: "jo" }, by: "casey" },
      );

      const client = await csm.request("PUT", "/projects/acme-onb/team/client_primary_contact", {
        body: { person: "ira" },
        headers: { "if-match": `"${second.body.version}"` },
      });
      assert.equal(client.status, 400);
      const nobody = await csm.request("PUT", "/projects/acme-onb/team/csm", {
        body: { person: "ghost" },
        headers: { "if-match": `"${second.body.version}"` },
      });
      assert.equal(nobody.status, 400);
      assert.equal(nobody.body.errors[0].pointer, "/body/person");
      const forbidden = await engineer.request("PUT", "/projects/acme-onb/team/csm", {
        body: { person: "ira" },
        headers: { "if-match": `"${second.body.version}"` },
      });
      assert.equal(forbidden.status, 403);
    });
  });
}
