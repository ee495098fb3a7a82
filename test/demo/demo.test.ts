// The demo portfolio on both backends: clients in every state, history made by the engine and
// stored with an intact hash chain, replaying to the stored state; KPIs over it match values
// computed by hand from the events alone.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { generateDemo } from "../../src/demo/generate.ts";
import { replay } from "../../src/engine/index.ts";
import type { ProjectEvent } from "../../src/engine/types.ts";
import { computeKpis, npsScore } from "../../src/metrics/kpis.ts";
import { latestPlaybook, latestPlaybookDocuments, modelFor } from "../../src/metrics/projection.ts";
import { verifyAudit } from "../../src/store/audit.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { type FreshDatabase, testBackends } from "../store/support/backends.ts";

const BACKENDS = await testBackends();
const NOW = "2026-11-20T15:00:00.000Z";
const DAY = 86_400_000;
const PLAYBOOKS = new URL("../../playbooks/", import.meta.url);

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

for (const backend of BACKENDS) {
  describe(`demo portfolio on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let report: Awaited<ReturnType<typeof generateDemo>>;
    before(async () => {
      fresh = await backend.fresh();
      const service = new ProjectService(fresh.database);
      for (const name of readdirSync(PLAYBOOKS).filter((n) => n.endsWith(".yaml")))
        await service.publishPlaybook(readFileSync(new URL(name, PLAYBOOKS), "utf8"), { file: name, now: "2026-01-01T00:00:00.000Z" });
      // 60 clients, 40 simulated one by one and 20 moved copies: both paths.
      report = await generateDemo(fresh.database, { projects: 60, distinct: 40, seed: 3, now: NOW });
    });
    after(() => fresh?.dispose());

    test("every playbook, several states, people assigned, the audit trail intact", async () => {
      assert.equal(report.projects, 60);
      assert.equal(Object.keys(report.byPlaybook).length, 8);
      assert.ok((report.byStatus.active ?? 0) > 0 && (report.byStatus.closed ?? 0) > 0, JSON.stringify(report.byStatus));
      const audit = await verifyAudit(fresh.database);
      assert.equal(audit.intact, true, JSON.stringify(audit.projects.filter((p) => !p.intact).slice(0, 2)));
      assert.equal(audit.events, report.events);
      const roles = await fresh.database.db.selectFrom("project_roles").select(["project_id"]).execute();
      assert.equal(new Set(roles.map((r) => r.project_id)).size, 60, "every project has people in its roles");
      const people = await fresh.database.db.selectFrom("people").select("id").execute();
      assert.equal(people.length, report.people);
    });

    test("no event is later than now, and each stored state is the replay of its events", async () => {
      const projects = await fresh.database.db
        .selectFrom("projects")
        .select(["id", "state", "version", "playbook_id", "playbook_version"])
        .execute();
      for (const p of projects) {
        const events = (await new ProjectService(fresh.database).listEvents(p.id)).map((e) => e.event);
        assert.equal(events.length, p.version);
        assert.ok(
          events.every((e) => e.at <= NOW),
          `${p.id} has no event after now`,
        );
        const model = await modelFor(fresh.database.db, { id: p.playbook_id, version: p.playbook_version });
        assert.deepEqual(JSON.parse(JSON.stringify(replay(model, events))), p.state, p.id);
      }
    });

    test("KPIs equal values computed by hand from the events", async () => {
      const service = new ProjectService(fresh.database);
      const projects = await fresh.database.db.selectFrom("projects").select(["id", "playbook_id", "status"]).execute();
      const all: { playbook: string; status: string; events: ProjectEvent[] }[] = [];
      for (const p of projects)
        all.push({ playbook: p.playbook_id, status: p.status, events: (await service.listEvents(p.id)).map((e) => e.event) });
      const playbookOf = async (id: string) => (await latestPlaybook(fresh.database.db, id))?.playbook;
      for (const only of [undefined, "onb_001"]) {
        const set = all.filter((p) => only === undefined || p.playbook === only);
        const kpis = await computeKpis(fresh.database.db, only ? { playbook: only } : {}, (ids) =>
          latestPlaybookDocuments(fresh.database.db, ids),
        );
        const goLive: number[] = [];
        let promoters = 0;
        let detractors = 0;
        let answers = 0;
        for (const p of set) {
          const started = Date.parse(p.events[0]?.at ?? NOW);
          const held = p.events.reduce((s, e) => s + (e.type === "project.resumed" ? e.shiftMs : 0), 0);
          const live = p.events.find((e) => e.type === "project.go_live");
          if (live) goLive.push((Date.parse(live.at) - started - held) / DAY);
          const playbook = await playbookOf(p.playbook);
          const nps = p.events.filter((e) => e.type === "survey.answered" && playbook?.surveys[e.survey]?.kind === "nps").at(-1);
          if (nps?.type === "survey.answered") {
            answers++;
            if (nps.score >= 9) promoters++;
            if (nps.score <= 6) detractors++;
          }
        }
        assert.equal(kpis.projects.total, set.length);
        assert.equal(kpis.projects.closed, set.filter((p) => p.status === "closed").length);
        assert.equal(kpis.projects.live, goLive.length);
        assert.equal(kpis.timeToGoLive.medianDays, round1(percentile(goLive, 0.5)));
        assert.equal(kpis.timeToGoLive.p90Days, round1(percentile(goLive, 0.9)));
        assert.equal(
          kpis.timeToGoLive.buckets.reduce((s, b) => s + b.count, 0),
          goLive.length,
          "the buckets hold every project that went live",
        );
        assert.deepEqual([kpis.nps.answers, kpis.nps.promoters, kpis.nps.detractors], [answers, promoters, detractors]);
        assert.equal(kpis.nps.score, npsScore(promoters, detractors, answers));
        assert.equal(
          kpis.series.timeToGoLiveByMonth.reduce((s, m) => s + m.count, 0),
          goLive.length,
        );
        if (only) {
          const target = kpis.targets.find((t) => t.kpi === "time_to_go_live");
          assert.equal(target?.value, round1(percentile(goLive, 0.5)));
          assert.ok(target?.status !== undefined);
        }
      }
    });
  });
}
