// Shared procedures through HTTP (issue 15 item 5): a playbook folder's procedures/ files are
// copied into each version that includes them when it is published (built in or uploaded), so the
// stored source is self-contained; a project runs the expanded steps, dotted ids and all.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);

function playbooksDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "onboard-playbooks-"));
  mkdirSync(join(dir, "procedures"));
  copyFileSync(fixture("kyc-edd.yaml"), join(dir, "kyc-edd.yaml"));
  copyFileSync(fixture("procedures/kyc_procedures.yaml"), join(dir, "procedures", "kyc_procedures.yaml"));
  return dir;
}

for (const backend of BACKENDS) {
  describe(`shared procedures on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend, { PLAYBOOKS_DIR: playbooksDir() });
    });
    after(() => t?.close());

    test("a built-in version is stored with its included procedures copied in", async () => {
      const version = await t.admin.get("/playbooks/kyc_edd/versions/1.0");
      assert.equal(version.status, 200, JSON.stringify(version.body));
      assert.doesNotMatch(version.body.source, /^include:/m);
      assert.match(version.body.source, /included_from: kyc_procedures@1\.0/);
    });

    test("an upload that includes a version the server does not have is refused at the include", async () => {
      const text = readFileSync(fixture("kyc-edd.yaml"), "utf8").replace('version: "1.0"', 'version: "1.1"');
      const refused = await t.admin.post("/playbooks", {
        source: text.replace("kyc_procedures@1.0", "kyc_procedures@2.0"),
        file: "kyc.yaml",
      });
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.errors[0].rule, "include/unresolved");
      const uploaded = await t.admin.post("/playbooks", { source: text, file: "kyc.yaml" });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      const stored = await t.admin.get("/playbooks/kyc_edd/versions/1.1");
      assert.match(stored.body.source, /included_from: kyc_procedures@1\.0/);
    });

    test("a project runs through a call's steps by their derived ids", async () => {
      const client = await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "Europe/Berlin", country: "DE" });
      assert.equal(client.status, 201, JSON.stringify(client.body));
      const created = await t.admin.post("/projects", {
        id: "k1",
        playbook: { id: "kyc_edd", version: "1.0" },
        clientId: "initech",
        facts: {},
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      let version = created.body.project.version as number;
      const send = async (body: unknown) => {
        const response = await t.admin.post("/projects/k1/commands", body, { "if-match": `"${version}"` });
        assert.equal(response.status, 200, JSON.stringify(response.body));
        version = response.body.version;
        return response;
      };
      await send({ type: "submit_form", step: "intake", values: { risk_rating: "high" } });
      await send({ type: "complete_step", step: "intake" });
      await send({ type: "submit_form", step: "edd_high_risk.gather", values: { source_of_funds: "Salary", verified: true } });
      await send({ type: "complete_step", step: "edd_high_risk.gather" });
      const timeline = await t.admin.get("/projects/k1/timeline");
      assert.equal(timeline.status, 200, JSON.stringify(timeline.body));
      const steps = (timeline.body.phases as { steps: { id: string; status: string; title: string }[] }[]).flatMap((p) => p.steps);
      const step = (id: string) => steps.find((s) => s.id === id);
      assert.equal(step("edd_high_risk.gather")?.status, "done");
      assert.equal(step("edd_high_risk.screen.run_screening")?.status, "open");
      assert.equal(step("edd_high_risk.screen.run_screening")?.title, "Sanctions screening: Screen the customer against sanctions lists");
    });
  });
}
