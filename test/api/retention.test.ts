// Record retention over HTTP (issue 22, item 11): the client records when the business
// relationship ended, and GET /retention says, project by project, when its records may go under
// the retention rules of the playbook version it ran. Both backends.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { edited } from "../support/fixtures.ts";
import { type Caller, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();
const SOURCE = edited([
  [["id"], "kept_records"],
  [
    ["retention"],
    [
      { keep: "7 years", after: "relationship_end", records: ["Identification documents"], basis: "AML record keeping" },
      { keep: "18 months", after: "project_closed", at_end: "review" },
    ],
  ],
]);
const REF = { id: "kept_records", version: "1.1" };

for (const backend of BACKENDS) {
  describe(`record retention on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let csm: Caller;
    before(async () => {
      t = await startTestServer(backend);
      const published = await t.admin.post("/playbooks", { source: SOURCE, file: "kept.yaml" });
      assert.equal(published.status, 201, JSON.stringify(published.body));
      csm = await t.user("csm-1", ["csm"]);
      assert.equal((await csm.post("/clients", { id: "globex", name: "Globex", timeZone: "Europe/Berlin", country: "DE" })).status, 201);
      const created = await csm.post("/projects", { id: "r1", playbook: REF, clientId: "globex", facts: FACTS });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    });
    after(() => t?.close());

    const rules = async (query = "") => {
      const list = await t.admin.get(`/retention${query}`);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      return list.body.items.filter((i: Json) => i.projectId === "r1");
    };

    test("while the relationship lasts and the project runs, nothing is due and no date is set", async () => {
      const items = await rules();
      assert.equal(items.length, 2);
      assert.ok(items.every((i: Json) => i.disposeOn === null && i.due === false));
    });

    test("the relationship's end starts the 7 years; the list says when, and which are due", async () => {
      const client = await csm.get("/clients/globex");
      const bad = await csm.request("PATCH", "/clients/globex", {
        body: { relationshipEndedOn: "31/03/2026" },
        headers: { "if-match": `"${client.body.version}"` },
      });
      assert.equal(bad.status, 400);
      assert.ok(JSON.stringify(bad.body).includes("/body/relationshipEndedOn"), JSON.stringify(bad.body));
      const ended = await csm.request("PATCH", "/clients/globex", {
        body: { relationshipEndedOn: "2026-03-31", relationshipEndReason: "Contract not renewed" },
        headers: { "if-match": `"${client.body.version}"` },
      });
      assert.equal(ended.status, 200, JSON.stringify(ended.body));
      assert.equal(ended.body.relationshipEndedOn, "2026-03-31");
      const [kept] = (await rules("?asOf=2030-01-01")).filter((i: Json) => i.after === "relationship_end");
      assert.deepEqual(
        { anchorDate: kept.anchorDate, disposeOn: kept.disposeOn, due: kept.due, records: kept.records, keep: kept.keep },
        { anchorDate: "2026-03-31", disposeOn: "2033-03-31", due: false, records: ["Identification documents"], keep: "7 years" },
      );
      const due = await rules("?asOf=2033-03-31&due=true");
      assert.deepEqual(
        due.map((i: Json) => [i.after, i.atEnd]),
        [["relationship_end", "erase_personal_data"]],
      );
      assert.equal((await (await t.user("implementer", ["implementation"])).get("/retention")).status, 403);
    });
  });
}
