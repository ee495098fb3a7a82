// Sign-off outcomes over HTTP (issue 15 item 6): a rejection loops back and the timeline shows the
// step it returned to with who rejected it and why; approving with conditions needs the conditions
// written (a 400 naming the field) and the timeline shows them with the gate's outcome.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { edited } from "../support/fixtures.ts";
import type { Caller, Json, TestServer } from "./support/http.ts";
import { startTestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const step = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Step ${id}`,
  owner: "csm",
  expected_result: `${id} done.`,
  ...extra,
});
const PLAYBOOK = edited([
  [["id"], "signed"],
  [
    ["phases"],
    [
      {
        id: "work",
        title: "Work",
        window: "Days 1-30",
        steps: [
          step("draft"),
          step("sign", {
            gate: { approvers: ["ae"], sign_off: "The commercial terms" },
            decision: {
              question: "Did sales sign the terms?",
              branches: [
                { label: "Rejected", when: 'gates.sign.outcome == "rejected"', next: "draft" },
                { label: "Signed", otherwise: true, next: "continue" },
              ],
            },
          }),
          step("finish"),
        ],
      },
    ],
  ],
]);

for (const backend of BACKENDS) {
  describe(`gate outcomes over HTTP on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let ae: Caller;
    let version = 0;
    const etagOf = (r: { headers: Headers }) => Number(JSON.parse(r.headers.get("etag") ?? "0"));
    const command = async (caller: Caller, body: Json) => {
      const response = await caller.post("/projects/p-sign/commands", body, { "if-match": `"${version}"` });
      if (response.status === 200) version = etagOf(response);
      return response;
    };
    const timelineStep = async (id: string) => {
      const timeline = await t.admin.get("/projects/p-sign/timeline");
      assert.equal(timeline.status, 200, JSON.stringify(timeline.body));
      return timeline.body.phases.flatMap((p: Json) => p.steps).find((s: Json) => s.id === id);
    };

    before(async () => {
      t = await startTestServer(backend);
      const uploaded = await t.admin.request("POST", "/playbooks", { raw: PLAYBOOK, headers: { "content-type": "application/yaml" } });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      assert.equal((await t.admin.post("/clients", { id: "acme", name: "Acme", timeZone: "UTC", country: "DE" })).status, 201);
      const project = await t.admin.post("/projects", {
        id: "p-sign",
        playbook: { id: "signed", version: uploaded.body.version },
        clientId: "acme",
        facts: { user_count: 5 },
      });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      version = etagOf(project);
      ae = await t.user("seller", ["account_executive"]);
      assert.equal((await command(t.admin, { type: "assign", role: "ae", person: "seller" })).status, 200);
      assert.equal((await command(t.admin, { type: "complete_step", step: "draft" })).status, 200);
    });
    after(() => t?.close());

    test("a rejection sends the work back: the timeline shows who returned it and why", async () => {
      const rejected = await command(ae, { type: "reject", step: "sign", role: "ae", comment: "Discount above policy" });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      const gate = (await timelineStep("sign")).gate;
      assert.equal(gate.outcome, "rejected");
      assert.equal(gate.approvals.ae.comment, "Discount above policy");
      const completed = await command(t.admin, { type: "complete_step", step: "sign" });
      assert.equal(completed.status, 200, JSON.stringify(completed.body));
      const reopened = completed.body.events.find((e: Json) => e.type === "step.reopened" && e.data.step === "draft");
      assert.deepEqual([reopened?.data.returnedBy, reopened?.data.comment], ["ae", "Discount above policy"]);
      const draft = await timelineStep("draft");
      assert.equal(draft.status, "open");
      assert.deepEqual(draft.returned, { role: "ae", comment: "Discount above policy" });
    });

    test("approving with conditions needs them written, and the timeline shows them with the outcome", async () => {
      assert.equal((await command(t.admin, { type: "complete_step", step: "draft" })).status, 200);
      assert.equal((await timelineStep("draft")).returned, null);
      const blank = await command(ae, { type: "approve", step: "sign", role: "ae", conditions: "  " });
      assert.equal(blank.status, 400, JSON.stringify(blank.body));
      assert.ok(
        blank.body.errors.some((e: Json) => e.pointer === "/body/conditions"),
        JSON.stringify(blank.body),
      );
      const approved = await command(ae, { type: "approve", step: "sign", role: "ae", conditions: "Net 30 payment terms" });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const gate = (await timelineStep("sign")).gate;
      assert.equal(gate.outcome, "approved_with_conditions");
      assert.equal(gate.approvals.ae.conditions, "Net 30 payment terms");
    });
  });
}
