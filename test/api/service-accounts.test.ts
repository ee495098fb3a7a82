// Steps done by systems and people (issue 15 item 8), over HTTP: an admin makes a service account
// ("Risk Engine") with its API token; assigned a playbook role on a project, the token completes a
// step of that role, is refused a step outside it and a sign-off, and the audit trail names the
// service, never the admin. A service account cannot sign in nor use the account pages.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { edited } from "../support/fixtures.ts";
import { Caller, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();

const step = (id: string, extra: Record<string, unknown>) => ({ id, title: `Step ${id}`, expected_result: `${id} done.`, ...extra });
const PLAYBOOK = edited([
  [["id"], "risk"],
  [["roles", "risk_engine"], { title: "Risk Engine", side: "system" }],
  [["roles", "analyst"], { title: "Analyst", side: "internal" }],
  [
    ["phases"],
    [
      {
        id: "screening",
        title: "Screening",
        window: "Days 1-10",
        steps: [
          // "Risk Engine / Analyst": either completes it.
          step("score", { owner: "analyst", raci: { responsible: ["risk_engine", "analyst"], accountable: "analyst" } }),
          step("review", { owner: "csm", gate: { approvers: ["analyst"], sign_off: "The risk score" } }),
        ],
      },
    ],
  ],
]);

for (const backend of BACKENDS) {
  describe(`service accounts on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let engine: Caller;
    let version = 0;
    before(async () => {
      t = await startTestServer(backend);
      const uploaded = await t.admin.request("POST", "/playbooks", { raw: PLAYBOOK, headers: { "content-type": "application/yaml" } });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      const client = await t.admin.post("/clients", { id: "acme", name: "Acme", timeZone: "Europe/Berlin", country: "DE" });
      assert.equal(client.status, 201, JSON.stringify(client.body));
      const created = await t.admin.post("/service-accounts", { id: "risk-engine", name: "Risk Engine" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.user.kind, "service");
      assert.deepEqual(created.body.user.roles, ["service"]);
      engine = new Caller(t.url, { token: created.body.token });
      const project = await t.admin.post("/projects", {
        id: "p-risk",
        playbook: { id: "risk", version: uploaded.body.version },
        clientId: "acme",
        facts: { user_count: 10 },
      });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      version = Number(JSON.parse(project.headers.get("etag") ?? "0"));
      // A system role is assigned to the service account like a person (the project's team).
      const assigned = await t.admin.request("PUT", "/projects/p-risk/team/risk_engine", {
        body: { person: "risk-engine" },
        headers: { "if-match": `"${version}"` },
      });
      assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
      version = Number(JSON.parse(assigned.headers.get("etag") ?? "0"));
      const team = await t.admin.get("/projects/p-risk/team");
      const holder = team.body.roles.find((r: Json) => r.role === "risk_engine")?.assignee;
      assert.deepEqual(holder, { id: "risk-engine", name: "Risk Engine" });
      // It also holds a person's role here, to show that even so it never signs.
      const analyst = await t.admin.post(
        "/projects/p-risk/commands",
        { type: "assign", role: "analyst", person: "risk-engine" },
        { "if-match": `"${version}"` },
      );
      assert.equal(analyst.status, 200, JSON.stringify(analyst.body));
      version = Number(JSON.parse(analyst.headers.get("etag") ?? "0"));
    });
    after(() => t?.close());

    const command = async (caller: Caller, body: Json) => {
      const response = await caller.post("/projects/p-risk/commands", body, { "if-match": `"${version}"` });
      if (response.status === 200) version = Number(JSON.parse(response.headers.get("etag") ?? "0"));
      return response;
    };

    test("its token completes a step of the role it holds, and the audit trail names the service", async () => {
      const done = await command(engine, { type: "complete_step", step: "score" });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      const events = await t.admin.get("/projects/p-risk/events");
      assert.equal(events.status, 200, JSON.stringify(events.body));
      const completed = (events.body.items ?? events.body).find((e: Json) => e.type === "step.completed" && e.data.step === "score");
      assert.equal(completed?.actor, "service:risk-engine");
    });

    test("it cannot complete a step outside its roles, nor give a sign-off", async () => {
      const outside = await command(engine, { type: "complete_step", step: "review" });
      assert.equal(outside.status, 403, JSON.stringify(outside.body));
      const sign = await command(engine, { type: "approve", step: "review", role: "analyst" });
      assert.equal(sign.status, 403, JSON.stringify(sign.body));
    });

    test("it stays within its scope: no account pages, no tokens, no clients or playbooks, no portal", async () => {
      for (const [method, path] of [
        ["GET", "/auth/session"],
        ["GET", "/tokens"],
        ["POST", "/tokens"],
        ["GET", "/clients"],
        ["GET", "/playbooks"],
        ["GET", "/users"],
      ] as const) {
        const response = await engine.request(method, path, method === "POST" ? { body: { name: "x", scope: "write" } } : {});
        assert.equal(response.status, 403, `${method} ${path}: ${response.status}`);
      }
      assert.equal((await engine.get("/portal/api/projects")).status, 401);
      assert.equal((await engine.get("/projects/p-risk")).status, 200);
    });

    test("it cannot sign in, and an admin cannot turn it into a person", async () => {
      const login = await t.anonymous.post("/auth/login", { email: "risk-engine@service.onboard.invalid", password: "anything at all" });
      assert.equal(login.status, 401);
      const patched = await t.admin.request("PATCH", "/users/risk-engine", { body: { roles: ["admin"] } });
      assert.equal(patched.status, 422, JSON.stringify(patched.body));
      const asPerson = await t.admin.post("/users", {
        id: "sneaky",
        email: "sneaky@example.com",
        name: "Sneaky",
        roles: ["service"],
        password: "a long enough password",
      });
      assert.equal(asPerson.status, 400, JSON.stringify(asPerson.body));
    });
  });
}
