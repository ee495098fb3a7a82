// The portfolio summary row written in each command's transaction equals the row derived again
// from the replayed events, after random command sequences through the store, on both backends.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { type Actor, type Command, replay, SYSTEM } from "../../src/engine/index.ts";
import { recordKpiValue } from "../../src/metrics/kpi-values.ts";
import { computeKpis, type KpiFilter } from "../../src/metrics/kpis.ts";
import { rebuildSummaries, summaryFromEvents, summaryRow } from "../../src/metrics/projection.ts";
import { metricsDb } from "../../src/metrics/tables.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { testBackends } from "../store/support/backends.ts";
import { modelOf } from "../support/engine.ts";

const BACKENDS = await testBackends();
// The seed with the KPIs issue 15 item 11 adds: days to a step (calendar and business, one to a
// step that applies only to SOC 2 clients) and time to first value measured to a named step.
const SOURCE = (() => {
  const doc = parseDocument(readFileSync(new URL("../../playbooks/sop-cs-001.yaml", import.meta.url), "utf8"));
  for (const kpi of [
    {
      id: "days_to_handoff",
      title: "Days from the start to the handoff",
      metric: "time_to_step",
      to: { step: "complete_handoff" },
      frequency: "per_project",
    },
    {
      id: "soc2_review_days",
      title: "Business days from the handoff to the SOC 2 review",
      metric: "time_to_step",
      from: { step: "complete_handoff" },
      to: { step: "soc2_security_review" },
      days: "business",
      frequency: "per_project",
    },
    { id: "sponsor_score", title: "Executive sponsor satisfaction", metric: "manual", target: ">= 4/5", frequency: "quarterly" },
    {
      id: "first_value",
      title: "Time to first value",
      metric: "time_to_first_value",
      first_value: { step: "uat_sign_off" },
      frequency: "per_project",
    },
  ])
    doc.addIn(["kpis"], doc.createNode(kpi));
  return doc.toString();
})();
const MODEL: PlaybookModel = modelOf(SOURCE);
const T0 = Date.parse("2026-03-02T14:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MANAGER: Actor = { id: "ops", kind: "user", roles: [], manager: true };

const move = fc.record({
  kind: fc.constantFrom(
    "complete",
    "complete",
    "complete",
    "approve",
    "tick",
    "tick",
    "hold",
    "resume",
    "issue",
    "survey",
    "training",
    "assign",
    "reject",
    "handoff",
    "handoff",
  ),
  pick: fc.nat(),
  hours: fc.integer({ min: 1, max: 96 }),
  score: fc.integer({ min: 0, max: 10 }),
});

function command(
  kind: string,
  pick: number,
  score: number,
  state: import("../../src/engine/types.ts").ProjectState,
): { command: Command; actor: Actor } {
  const open = MODEL.order.filter((e) => ["open", "in_progress"].includes(state.steps[e.step.id]?.status ?? "")).map((e) => e.step);
  const step = open[pick % Math.max(1, open.length)] ?? MODEL.order[0]?.step;
  const as = (role: string): Actor => ({
    id: `${role}-1`,
    kind: MODEL.playbook.roles[role]?.side === "client" ? "contact" : "user",
    roles: [role],
  });
  if (!step) throw new Error("no steps");
  switch (kind) {
    case "complete":
      return { command: { type: "complete_step", step: step.id }, actor: MANAGER };
    case "approve":
    case "reject": {
      const role = step.gate?.approvers[0] ?? "customer_stakeholder";
      return kind === "approve"
        ? { command: { type: "approve", step: step.id, role }, actor: as(role) }
        : { command: { type: "reject", step: step.id, role, comment: "Not yet" }, actor: as(role) };
    }
    case "handoff": {
      // The handoff form filled in: without it nothing after the first step can complete.
      const fields = Object.entries(MODEL.playbook.forms.customer_handoff?.fields ?? {});
      const values = Object.fromEntries(fields.map(([id, f]) => [id, f.type === "list" ? ["SOC 2"] : `Answer ${score}`]));
      return { command: { type: "submit_form", step: "complete_handoff", values }, actor: MANAGER };
    }
    case "hold":
      return { command: { type: "hold", reason: "Client asked" }, actor: MANAGER };
    case "resume":
      return { command: { type: "resume" }, actor: MANAGER };
    case "issue":
      return { command: { type: "open_issue", severity: pick % 2 ? "critical" : "high", title: "Down" }, actor: MANAGER };
    case "survey":
      return {
        command: { type: "answer_survey", survey: "customer_satisfaction", score: 1 + (score % 5) },
        actor: as("customer_stakeholder"),
      };
    case "training":
      return { command: { type: "record_training", track: "administrator", person: "p", score: score * 10 }, actor: as(step.owner) };
    case "assign":
      return { command: { type: "assign", role: "customer_success_manager", person: `csm-${pick % 3}` }, actor: MANAGER };
    default:
      return { command: { type: "tick" }, actor: SYSTEM };
  }
}

const normal = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : typeof v === "object" && v !== null ? JSON.stringify(v) : v);

for (const backend of BACKENDS) {
  describe(`portfolio projection on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    let ref: { id: string; version: string };
    before(async () => {
      fresh = await backend.fresh();
      service = new ProjectService(fresh.database);
      const published = await service.publishPlaybook(SOURCE, { file: "sop-cs-001.yaml", now: new Date(T0).toISOString() });
      ref = { id: published.id, version: published.version };
    });
    after(() => fresh?.dispose());

    test("after random commands, the summary row equals the one derived from the replayed events", async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(move, { minLength: 5, maxLength: 40 }), fc.boolean(), async (moves, soc2) => {
          const id = `prop-${n}`;
          // Projects start on different days and hours, in different segments, so that the daily
          // rollups have several cells and periods have partial days.
          let at = T0 + (n % 4) * DAY + (n % 7) * 3 * HOUR;
          const segment = ["enterprise", "smb", undefined][n % 3];
          n++;
          let last = new Date(at).toISOString();
          await service.startProject({
            playbook: ref,
            input: {
              projectId: id,
              client: { id: `${id}-c`, name: "Globex", timeZone: "America/New_York", country: "US" },
              facts: {
                user_count: 150,
                soc2_required: soc2,
                data_migration_applicable: true,
                ...(segment ? { segment } : {}),
              },
            },
            now: last,
          });
          for (const m of moves) {
            at += m.hours * HOUR;
            const project = await service.getProject(id);
            const { command: c, actor } = command(m.kind, m.pick, m.score, project.state);
            try {
              const result = await service.runCommand(id, { command: c, actor, now: new Date(at).toISOString() });
              if (result.events.length > 0) last = new Date(at).toISOString();
            } catch {
              // Refused by the engine: nothing changed.
            }
          }
          const events = (await service.listEvents(id)).map((e) => e.event);
          const state = replay(MODEL, events);
          const expected = summaryRow(summaryFromEvents(MODEL, state, events, last).summary, last);
          const row = await metricsDb(fresh.database.db)
            .selectFrom("project_summaries")
            .selectAll()
            .where("project_id", "=", id)
            .executeTakeFirstOrThrow();
          for (const [key, value] of Object.entries(expected)) {
            const actual = normal((row as Record<string, unknown>)[key]);
            const wanted = key === "health_reasons" ? value : normal(value);
            if (key === "held_ms") assert.equal(Number(actual), Number(wanted), key);
            else assert.deepEqual(actual, wanted, `${id} ${key}`);
          }
          const stats = await metricsDb(fresh.database.db)
            .selectFrom("project_step_stats")
            .select(["kind", "key", "breached", "days"])
            .where("project_id", "=", id)
            .orderBy("kind")
            .orderBy("key")
            .execute();
          const wantedStats = summaryFromEvents(MODEL, state, events, last)
            .stats.map((s) => ({ kind: s.kind, key: s.key, breached: s.breached, days: s.days }))
            .sort((a, b) => a.kind.localeCompare(b.kind) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          assert.deepEqual(stats, wantedStats);
        }),
        { numRuns: 12 },
      );
    });

    test("the daily rollups give the same KPIs as the rows, for whole and partial days", async () => {
      const db = fresh.database.db;
      // Deadlines passed since: summaries due for review are re-derived, and the rollups follow.
      await rebuildSummaries(db, new Date(T0 + 200 * DAY).toISOString());
      const playbookOf = async (ids: readonly string[]) =>
        new Map(ids.map((id) => [id, id === MODEL.playbook.id ? MODEL.playbook : undefined]));
      const at = (days: number) => new Date(T0 + days * DAY).toISOString();
      const filters: KpiFilter[] = [
        {},
        { playbook: MODEL.playbook.id },
        { segment: "enterprise" },
        { segment: "smb", from: at(1) },
        { from: at(0.5) },
        { to: at(2.25) },
        { from: at(0.4), to: at(2.6) },
        { from: at(1.1), to: at(1.2) },
        { from: "2026-03-03T00:00:00.000Z", to: "2026-03-05T00:00:00.000Z" },
        { to: at(-1) },
      ];
      const whole = await computeKpis(db, {}, playbookOf, { source: "rows" });
      assert.ok(whole.projects.total >= 10, "the property test left projects behind");
      assert.ok(whole.slaCompliance.due > 0, "some steps settled");
      // Manual values: one per project for two projects, and a period value for part of the range.
      await recordKpiValue(db, {
        playbook: MODEL.playbook.id,
        kpi: "sponsor_score",
        value: 3,
        project: "prop-0",
        recordedBy: "ops",
        recordedAt: at(3),
      });
      await recordKpiValue(db, {
        playbook: MODEL.playbook.id,
        kpi: "sponsor_score",
        value: 5,
        project: "prop-1",
        recordedBy: "ops",
        recordedAt: at(3),
      });
      await recordKpiValue(db, {
        playbook: MODEL.playbook.id,
        kpi: "sponsor_score",
        value: 4.2,
        period: { from: "2026-03-04", to: "2026-03-31" },
        recordedBy: "ops",
        recordedAt: at(4),
      });
      const measured = (id: string) => whole.targets.find((t) => t.kpi === id);
      assert.ok((measured("days_to_handoff")?.value ?? null) !== null, JSON.stringify(measured("days_to_handoff")));
      assert.equal(measured("days_to_handoff")?.unit, "days (median)");
      assert.equal(measured("soc2_review_days")?.unit, "business days (median)");
      const sponsor = (await computeKpis(db, {}, playbookOf, { source: "rows" })).targets.find((k) => k.kpi === "sponsor_score");
      assert.equal(sponsor?.value, 4.2, "the period value is the playbook's figure");
      const early = (await computeKpis(db, { to: "2026-03-03T00:00:00.000Z" }, playbookOf)).targets.find((k) => k.kpi === "sponsor_score");
      assert.match(early?.note ?? "", /latest value recorded for|no value recorded/, "before the period: the clients' values");
      for (const filter of filters) {
        const fromRows = await computeKpis(db, filter, playbookOf, { source: "rows" });
        const fromRollups = await computeKpis(db, filter, playbookOf);
        assert.deepEqual(fromRollups, fromRows, JSON.stringify(filter));
      }
    });

    test("readers asking at once re-derive each summary due for review once, none waiting on another", async () => {
      const db = metricsDb(fresh.database.db);
      const later = new Date(T0 + 400 * DAY).toISOString();
      // Every summary due for review (as after a long quiet spell), then eight reads at once.
      await db
        .updateTable("project_summaries")
        .set({ review_at: new Date(T0).toISOString() })
        .execute();
      const due = (await db.selectFrom("project_summaries").select("project_id").execute()).length;
      const done = await Promise.all(
        Array.from({ length: 8 }, () => rebuildSummaries(fresh.database.db, later, { limit: 200, reviewOnly: true })),
      );
      assert.equal(
        done.reduce((a, b) => a + b, 0),
        due,
        `each of ${due} rows once, split ${done.join("+")}`,
      );
      const left = await db.selectFrom("project_summaries").select("project_id").where("review_at", "<=", new Date(later)).execute();
      assert.deepEqual(left, []);
    });
  });
}
