// The event log export for process mining (issue #20, item 4): XES validated against IEEE 1849's
// XSD with xmllint, OCEL 2.0 JSON against the standard's JSON Schema with ajv; both read back and
// checked against the events they came from (every activity once, in order, with its lifecycle;
// every relationship pointing at an object that exists; every event type declared). First on a
// project driven through a built-in playbook by the engine, then over HTTP on both backends on a
// simulated demo portfolio, filtered, with a client name no XML writer should choke on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { generateDemo } from "../../src/demo/generate.ts";
import type { ProjectEvent } from "../../src/engine/types.ts";
import { activitiesOf, type CaseEvents } from "../../src/mining/activities.ts";
import { ocelLog } from "../../src/mining/ocel.ts";
import { xesLog } from "../../src/mining/xes.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { type Caller, type Json, startTestServer, type TestServer, testBackends } from "../api/support/http.ts";
import { modelOf } from "../support/engine.ts";
import {
  attributesOf,
  each,
  ocelIntegrity,
  ocelSchema,
  xesParser as parser,
  text,
  validateOcel,
  xesProblems,
} from "../support/process-mining.ts";

const BACKENDS = await testBackends();
describe("activities, XES and OCEL from one project run by the engine", () => {
  const model = modelOf(readFileSync(new URL("../../playbooks/sop-cs-001.yaml", import.meta.url), "utf8"));
  let events: { seq: number; event: ProjectEvent }[];
  let c: CaseEvents;
  before(async () => {
    const { startProject, execute } = await import("../../src/engine/index.ts");
    const at = (h: number) => new Date(Date.parse("2026-03-02T14:00:00.000Z") + h * 3_600_000).toISOString();
    const client = { id: "acme", name: 'Acme <"R&D"> \u0007Ltd', timeZone: "America/New_York", country: "US" };
    const start = startProject(
      model,
      { projectId: "p-1", client, facts: { user_count: 150, soc2_required: false, data_migration_applicable: true } },
      at(0),
    );
    let state = start.state;
    const all: ProjectEvent[] = [...start.events];
    const manager = { id: "ops-1", kind: "user" as const, roles: [], manager: true };
    const run = (command: Parameters<typeof execute>[2], h: number) => {
      const r = execute(start.ctx, state, command, manager, at(h));
      state = r.state;
      all.push(...r.events);
    };
    run({ type: "assign", role: "customer_success_manager", person: "casey" }, 1);
    const first = model.order[0]?.step.id ?? "";
    run({ type: "start_step", step: first }, 2);
    const fields = Object.entries(model.playbook.forms.customer_handoff?.fields ?? {});
    const values = Object.fromEntries(fields.map(([id, f]) => [id, f.type === "list" ? ["SOC 2"] : "Written down"]));
    run({ type: "submit_form", step: first, values }, 4);
    run({ type: "complete_step", step: first }, 5);
    events = all.map((event, i) => ({ seq: i + 1, event }));
    c = {
      info: {
        projectId: "p-1",
        clientId: "acme",
        clientName: client.name,
        playbookId: model.playbook.id,
        playbookVersion: model.playbook.document.version,
        segment: "enterprise",
        csm: "casey",
        status: "active",
        startedAt: at(0),
      },
      model,
      events,
    };
  });

  test("each step's lifecycle in order: opened, started, completed; milestones and who did it", () => {
    const activities = activitiesOf(c);
    const first = model.order[0]?.step;
    assert.ok(first);
    const opened = events.find((e) => e.event.type === "step.opened" && e.event.step === first.id)?.event.actor;
    assert.deepEqual(
      activities.filter((a) => a.step === first.id).map((a) => [a.name, a.lifecycle, a.resource, a.role]),
      [
        [first.title, "schedule", opened, first.owner],
        [first.title, "start", "ops-1", first.owner],
        [first.title, "complete", "ops-1", first.owner],
      ],
    );
    assert.equal(activities[0]?.name, "Onboarding started");
    assert.deepEqual(
      activities.map((a) => a.seq),
      [...activities.map((a) => a.seq)].sort((x, y) => x - y),
      "in the order of the log",
    );
  });

  test("XES: valid against IEEE 1849's XSD; one trace, every activity once with its keys", async () => {
    const xml = await text(xesLog(each([c]), { name: "Onboard: test", generatedAt: "2026-03-03T00:00:00.000Z" }));
    assert.equal(xesProblems(xml), "");
    const log = parser.parse(xml).log;
    assert.equal(log.trace.length, 1);
    const trace = log.trace[0];
    assert.equal(
      attributesOf(trace)["onboard:client"],
      'Acme <"R&D"> \uFFFDLtd',
      "markup survives; a control character XML cannot carry is replaced",
    );
    const written = trace.event.map(attributesOf);
    const activities = activitiesOf(c);
    assert.deepEqual(
      written.map((e: Record<string, string>) => [
        e["concept:name"],
        e["lifecycle:transition"],
        e["time:timestamp"],
        e["org:resource"],
        e["identity:id"],
      ]),
      activities.map((a) => [a.name, a.lifecycle, a.at, a.resource, a.id]),
    );
  });

  test("OCEL 2.0: valid against the standard's JSON Schema; objects and types hold together", async () => {
    const doc: Json = JSON.parse(await text(ocelLog(each([c]))));
    assert.ok(validateOcel(doc), JSON.stringify(ocelSchema.errors));
    ocelIntegrity(doc);
    assert.equal(doc.events.length, activitiesOf(c).length);
    const onboarding = doc.objects.find((o: Json) => o.id === "onboarding:p-1");
    assert.deepEqual(onboarding.relationships.map((r: Json) => [r.objectId, r.qualifier]).sort(), [
      ["client:acme", "for client"],
      ["person:casey", "customer_success_manager"],
    ]);
    const first = model.order[0]?.step;
    assert.deepEqual(
      doc.events.filter((e: Json) => e.relationships.some((r: Json) => r.objectId === `step:p-1/${first?.id}`)).map((e: Json) => e.type),
      [`${first?.title} (opened)`, `${first?.title} (started)`, first?.title],
    );
  });
});

for (const backend of BACKENDS) {
  describe(`GET /process-log on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let csm: Caller;
    let summaries: { project_id: string; playbook_id: string; client_name: string }[];
    before(async () => {
      t = await startTestServer(backend);
      await generateDemo(t.server.database, { projects: 16, seed: 3, now: new Date().toISOString(), months: 4 });
      summaries = (await t.fresh.database.db
        .selectFrom("project_summaries" as never)
        .select(["project_id", "playbook_id", "client_name"] as never[])
        .execute()) as never;
      csm = await t.user("csm-9", ["csm"]);
    });
    after(() => t?.close());

    test("XES of the whole portfolio: valid, one trace per project, events as in each project's log", async () => {
      const response = await csm.get("/process-log?format=xes");
      assert.equal(response.status, 200, String(response.body).slice(0, 500));
      assert.match(response.headers.get("content-type") ?? "", /^application\/xml/);
      assert.match(response.headers.get("content-disposition") ?? "", /^attachment; filename="onboard-all-\d{4}-\d{2}-\d{2}\.xes"$/);
      assert.equal(xesProblems(response.body), "");
      const traces = parser.parse(response.body).log.trace;
      assert.deepEqual(traces.map((tr: Json) => attributesOf(tr)["concept:name"]).sort(), summaries.map((s) => s.project_id).sort());
      const service = new ProjectService(t.server.database);
      for (const tr of traces.slice(0, 4)) {
        const id = attributesOf(tr)["concept:name"] as string;
        const stored = await service.listEvents(id);
        const completions = stored.filter((e) => e.event.type === "step.completed" || e.event.type === "step.looped").length;
        const written = (tr.event ?? [])
          .map(attributesOf)
          .filter((e: Record<string, string>) => e["lifecycle:transition"] === "complete" && e["onboard:kind"] === "step");
        assert.equal(written.length, completions, `${id}: every completed step once`);
      }
    });

    test("OCEL 2.0 of one playbook: valid, only that playbook's onboardings, relationships hold", async () => {
      const playbook = summaries[0]?.playbook_id ?? "";
      const response = await csm.get(`/process-log?format=ocel&playbook=${playbook}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-disposition") ?? "", /\.jsonocel"$/);
      assert.ok(validateOcel(response.body), JSON.stringify(ocelSchema.errors?.slice(0, 3)));
      ocelIntegrity(response.body);
      const onboardings = response.body.objects.filter((o: Json) => o.type === "Onboarding");
      assert.deepEqual(
        onboardings.map((o: Json) => o.id).sort(),
        summaries
          .filter((s) => s.playbook_id === playbook)
          .map((s) => `onboarding:${s.project_id}`)
          .sort(),
      );
    });

    test("GET /process-insights: one playbook's projects, replayed; refusals name what is wrong", async (context) => {
      const counts = new Map<string, number>();
      for (const s of summaries) counts.set(s.playbook_id, (counts.get(s.playbook_id) ?? 0) + 1);
      const [playbook, n] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
      const response = await csm.get(`/process-insights?playbook=${playbook}`);
      assert.equal(response.status, 200, JSON.stringify(response.body).slice(0, 500));
      const insights = response.body;
      assert.equal(insights.projects, n);
      assert.ok(
        insights.variants.top.reduce((sum: number, v: Json) => sum + v.count, 0) <= insights.ended,
        "variants are of ended projects",
      );
      const fromStart = insights.edges.filter((e: Json) => e.from === "(start)").reduce((sum: number, e: Json) => sum + e.count, 0);
      assert.ok(fromStart <= n && fromStart > 0, "each project with a completion leaves the start once");
      const shares = insights.steps.reduce((sum: number, s: Json) => sum + s.delayShare, 0);
      assert.ok(shares === 0 || Math.abs(shares - 1) < 1e-9, `delay shares add up to 1 (${shares})`);
      const p50s = insights.forecasts.map((f: Json) => f.p50);
      assert.deepEqual(p50s, [...p50s].sort(), "soonest forecast first");
      for (const f of insights.forecasts) assert.ok(f.p10 <= f.p50 && f.p50 <= f.p90 && f.basis >= 8, JSON.stringify(f));
      assert.equal(insights.waiting.total - insights.waiting.unforecast >= insights.forecasts.length, true);
      context.diagnostic(`${insights.forecasts.length} forecasts, ${insights.waiting.total} waiting to go live, ${insights.ended} ended`);
      const capacity = await csm.get("/capacity-forecast?weeks=4");
      assert.equal(capacity.status, 200, JSON.stringify(capacity.body).slice(0, 300));
      assert.equal(capacity.body.weeks.length, 4);
      const activeWithCsm = await t.fresh.database.db
        .selectFrom("project_summaries" as never)
        .select(["project_id"] as never[])
        .where("status" as never, "=", "active" as never)
        .where("csm" as never, "is not", null as never)
        .where("go_live_at" as never, "is", null as never)
        .execute();
      assert.equal(
        capacity.body.people.reduce((sum: number, p: Json) => sum + (p.running[0] ?? 0), 0),
        activeWithCsm.length,
        "now, every running onboarding counts against its CSM",
      );
      assert.equal((await csm.get("/process-insights?playbook=nope")).status, 404);
      const missing = await csm.get("/process-insights");
      assert.equal(missing.status, 400);
      assert.match(JSON.stringify(missing.body), /playbook/);
    });

    test("a filter nothing matches gives an empty, valid log; a bad one is refused naming the field", async () => {
      const empty = await csm.get("/process-log?format=xes&segment=nobody");
      assert.equal(empty.status, 200);
      assert.equal(xesProblems(empty.body), "");
      assert.equal(parser.parse(empty.body).log.trace, undefined);
      const ocel = await csm.get("/process-log?format=ocel&segment=nobody");
      assert.ok(validateOcel(ocel.body));
      assert.deepEqual([ocel.body.events, ocel.body.objects, ocel.body.eventTypes], [[], [], []]);
      const bad = await csm.get("/process-log?format=csv");
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /format/);
      assert.equal((await csm.get("/process-log?from=yesterday")).status, 400);
    });
  });
}
