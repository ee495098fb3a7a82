// Manual KPIs over HTTP (issue 15, item 11b): a person records a value for a period or a client's
// project, with who and when; GET /kpis shows the latest instead of "not computed" forever, and the
// history lists every value. Refusals are problem+json naming the field.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { edited } from "../support/fixtures.ts";
import { type Caller, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();

const SOURCE = edited([
  [["id"], "manual_kpis"],
  [
    ["kpis"],
    [
      { id: "time_to_go_live", title: "Time to go-live", metric: "time_to_go_live", target: "< 45 days", frequency: "per_project" },
      { id: "sponsor_score", title: "Executive sponsor satisfaction", metric: "manual", target: ">= 4/5", frequency: "quarterly" },
      { id: "tickets_30d", title: "Support tickets in the first 30 days", metric: "manual", target: "<= 6", frequency: "per_project" },
      { id: "renewal_intent", title: "Renewal intent", metric: "manual", target: ">= 80%", frequency: "quarterly" },
    ],
  ],
]);
const REF = { id: "manual_kpis", version: "1.1" };

function problem(response: { status: number; headers: Headers; body: Json }, status: number, pointer?: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  if (pointer) assert.ok(JSON.stringify(response.body.errors ?? []).includes(pointer), JSON.stringify(response.body));
}

for (const backend of BACKENDS) {
  describe(`manual KPI values on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let csm: Caller;
    before(async () => {
      t = await startTestServer(backend);
      const published = await t.admin.post("/playbooks", { source: SOURCE, file: "manual-kpis.yaml" });
      assert.equal(published.status, 201, JSON.stringify(published.body));
      csm = await t.user("csm-1", ["csm"]);
      assert.equal((await t.admin.request("PUT", "/people/csm-1", { body: { name: "Casey", roles: ["csm"] } })).status, 200);
      assert.equal((await csm.post("/clients", { id: "globex", name: "Globex", timeZone: "Europe/Berlin", country: "DE" })).status, 201);
      for (const id of ["k1", "k2"]) {
        const created = await csm.post("/projects", { id, playbook: REF, clientId: "globex", facts: FACTS });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
    });
    after(() => t?.close());

    const target = async () => {
      const report = await t.admin.get("/kpis?playbook=manual_kpis");
      assert.equal(report.status, 200, JSON.stringify(report.body));
      return report.body.targets.find((k: Json) => k.kpi === "sponsor_score");
    };

    test("nothing recorded: the KPI says so; then per-client values give their mean", async () => {
      assert.deepEqual(
        { value: (await target()).value, note: (await target()).note },
        { value: null, note: "recorded by a person: no value recorded yet" },
      );
      const first = await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 3, project: "k1", note: "QBR survey" });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.recordedBy, "csm-1");
      assert.equal(first.body.project, "k1");
      assert.equal(first.body.period, null);
      assert.ok(first.body.recordedAt);
      await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 4, project: "k1", note: "corrected" });
      await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 5, project: "k2" });
      const now = await target();
      assert.equal(now.value, 4.5, "each client's latest value: 4 and 5");
      assert.equal(now.status, "green");
      assert.equal(now.unit, "/5");
      assert.match(now.note, /latest value recorded for 2 clients/);
    });

    test("a period value is the playbook's figure; the history keeps every value, newest first", async () => {
      const recorded = await csm.post("/kpis/manual_kpis/sponsor_score/values", {
        value: 3.8,
        period: { from: "2026-01-01", to: "2026-03-31" },
        note: "Q1 sponsor interviews",
      });
      assert.equal(recorded.status, 201, JSON.stringify(recorded.body));
      assert.deepEqual(recorded.body.period, { from: "2026-01-01", to: "2026-03-31" });
      const now = await target();
      assert.equal(now.value, 3.8);
      assert.equal(now.status, "amber");
      assert.match(now.note, /recorded by csm-1 on \d{4}-\d{2}-\d{2} for 2026-01-01 to 2026-03-31/);

      const history = await t.admin.get("/kpis/manual_kpis/sponsor_score/values");
      assert.equal(history.status, 200);
      assert.deepEqual(
        history.body.items.map((v: Json) => v.value),
        [3.8, 5, 4, 3],
      );
      const one = await t.admin.get("/kpis/manual_kpis/sponsor_score/values?project=k1");
      assert.deepEqual(
        one.body.items.map((v: Json) => [v.value, v.note]),
        [
          [4, "corrected"],
          [3, "QBR survey"],
        ],
      );
    });

    test("several manual KPIs in one report: each gets its own figure, whichever way it was recorded", async () => {
      // sponsor_score has a period value (above); tickets_30d only per-client values; renewal_intent none.
      for (const [project, value] of [
        ["k1", 9],
        ["k1", 7],
        ["k2", 4],
      ] as const)
        assert.equal((await csm.post("/kpis/manual_kpis/tickets_30d/values", { value, project })).status, 201);
      const report = await t.admin.get("/kpis?playbook=manual_kpis");
      assert.equal(report.status, 200, JSON.stringify(report.body));
      const figure = (kpi: string) => {
        const k = report.body.targets.find((x: Json) => x.kpi === kpi);
        return { value: k.value, status: k.status, unit: k.unit, note: k.note.replace(/on \d{4}-\d{2}-\d{2}/, "on <day>") };
      };
      assert.deepEqual(figure("sponsor_score"), {
        value: 3.8,
        status: "amber",
        unit: "/5",
        note: "recorded by csm-1 on <day> for 2026-01-01 to 2026-03-31",
      });
      assert.deepEqual(figure("tickets_30d"), {
        value: 5.5,
        status: "green",
        unit: "",
        note: "the mean of the latest value recorded for 2 clients",
      });
      assert.deepEqual(figure("renewal_intent"), {
        value: null,
        status: null,
        unit: "%",
        note: "recorded by a person: no value recorded yet",
      });
      // No project matches the filter: no playbook is reported, so no manual KPI either.
      const none = await t.admin.get("/kpis?playbook=manual_kpis&segment=nobody");
      assert.equal(none.status, 200);
      assert.deepEqual(
        none.body.targets.map((x: Json) => [x.kpi, x.value]),
        [],
        "no project matches, so no playbook is reported",
      );
    });

    test("refused, naming the field: a measured KPI, both or neither of period and project, an unknown project, a bad period", async () => {
      const measured = await csm.post("/kpis/manual_kpis/time_to_go_live/values", { value: 30, project: "k1" });
      problem(measured, 422);
      assert.match(measured.body.detail, /measured from the project log/);
      problem(await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 4 }), 400, "/body/period");
      problem(
        await csm.post("/kpis/manual_kpis/sponsor_score/values", {
          value: 4,
          project: "k1",
          period: { from: "2026-01-01", to: "2026-01-31" },
        }),
        400,
        "/body/period",
      );
      problem(await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 4, project: "nope" }), 422, "/body/project");
      problem(await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: "high", project: "k1" }), 400, "/body/value");
      problem(
        await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 4, period: { from: "2026-02-01", to: "2026-01-01" } }),
        400,
        "/body/period/to",
      );
      problem(
        await csm.post("/kpis/manual_kpis/sponsor_score/values", { value: 4, period: { from: "0000-01-01", to: "2026-01-01" } }),
        400,
        "/body/period/from",
      );
      problem(await csm.post("/kpis/manual_kpis/nothing/values", { value: 4, project: "k1" }), 404);
      problem(await csm.post("/kpis/nobook/sponsor_score/values", { value: 4, project: "k1" }), 404);
      problem(await t.anonymous.post("/kpis/manual_kpis/sponsor_score/values", { value: 4, project: "k1" }), 401);
    });
  });
}
