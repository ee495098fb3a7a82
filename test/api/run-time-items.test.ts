// Issue 15 item 4 over HTTP: a step repeated for each beneficial owner named in an earlier form;
// each owner's form is submitted on its own (`item`), the timeline shows each item with its label
// and its own work, and an unknown item is refused naming the field. Nothing answers 5xx.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { edited } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";
import { type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const KYC = edited([...KYC_EDITS, [["id"], "kyc"], [["phases", 0, "steps", 4, "gate"], undefined]]);

for (const backend of BACKENDS) {
  describe(`per-item work over HTTP on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let version = 0;
    const send = async (body: Json) => {
      const response = await t.admin.post("/projects/p-kyc/commands", body, { "if-match": `"${version}"` });
      if (response.status === 200) version = response.body.version;
      return response;
    };
    before(async () => {
      t = await startTestServer(backend);
      const uploaded = await t.admin.request("POST", "/playbooks", { raw: KYC, headers: { "content-type": "application/yaml" } });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      const client = await t.admin.post("/clients", { id: "owners", name: "Owners Ltd", timeZone: "Europe/London", country: "GB" });
      assert.equal(client.status, 201, JSON.stringify(client.body));
      const created = await t.admin.post("/projects", {
        id: "p-kyc",
        playbook: { id: "kyc", version: "1.1" },
        clientId: "owners",
        facts: { user_count: 10 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      version = created.body.project.version;
    });
    after(() => t?.close());

    test("the owners named in the KYC form become the items, each with its own form", async () => {
      for (const body of [
        { type: "complete_step", step: "handoff" },
        { type: "skip_step", step: "kickoff_call", reason: "signed on paper" },
        {
          type: "submit_form",
          step: "collect_kyc",
          values: {
            risk_rating: "low",
            owners: [
              { name: "Ada Lovelace", country: "GB" },
              { name: "Alan Turing", country: "GB" },
            ],
          },
        },
        { type: "complete_step", step: "collect_kyc" },
      ]) {
        const response = await send(body);
        assert.equal(response.status, 200, JSON.stringify(response.body));
      }
      const submitted = await send({ type: "submit_form", step: "verify_owners", item: "2", values: { passport: "AB123456" } });
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
      const event = submitted.body.events.find((e: Json) => e.type === "form.submitted");
      assert.equal(event?.data.item, "2");
      const ticked = await send({ type: "tick_checklist", step: "verify_owners", item: "sanctions", checked: true, for: "2" });
      assert.equal(ticked.status, 200, JSON.stringify(ticked.body));
      const done = await send({ type: "complete_step", step: "verify_owners", item: "2" });
      assert.equal(done.status, 200, JSON.stringify(done.body));

      const timeline = await t.admin.get("/projects/p-kyc/timeline");
      assert.equal(timeline.status, 200, JSON.stringify(timeline.body));
      const steps = timeline.body.phases.flatMap((p: Json) => p.steps);
      const edd = steps.find((s: Json) => s.id === "edd");
      assert.equal(edd.status, "not_applicable");
      const owners = steps.find((s: Json) => s.id === "verify_owners");
      assert.deepEqual(owners.itemLabels, { "1": "Ada Lovelace", "2": "Alan Turing" });
      assert.equal(owners.items["1"], null);
      assert.ok(owners.items["2"]);
      assert.deepEqual(owners.itemWork["2"].values, { passport: "AB123456" });
      assert.deepEqual(owners.itemWork["2"].checklist, { sanctions: true });
    });

    test("an item that does not exist is refused with a problem naming it; a wrong value names the field", async () => {
      const unknown = await send({ type: "submit_form", step: "verify_owners", item: "7", values: { passport: "X1" } });
      assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
      assert.match(unknown.body.detail, /no item "7"/);
      const empty = await send({ type: "complete_step", step: "verify_owners", item: "1" });
      assert.equal(empty.status, 409, JSON.stringify(empty.body));
      assert.match(empty.body.detail, /passport/);
      const typed = await send({ type: "submit_form", step: "verify_owners", item: 1, values: {} });
      assert.equal(typed.status, 400, JSON.stringify(typed.body));
      assert.equal(typed.body.errors[0].pointer, "/body/item");
    });
  });
}
