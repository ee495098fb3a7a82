// The Process page's figures come from rollups (issue #20, "computed incrementally or from
// rollups"): they must always equal a replay of the whole log, for every filter (whole months from
// the monthly rows by segment or CSM, the months a period cuts into from the projects' rows),
// after commands change some projects (only those are replayed), when two readers refresh at once,
// and as the clock moves on (open steps keep growing; nothing settled changes).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { generateDemo } from "../../src/demo/generate.ts";
import type { Actor } from "../../src/engine/types.ts";
import type { CaseEvents } from "../../src/mining/activities.ts";
import { csmLoads, type Running } from "../../src/mining/capacity.ts";
import { GoLiveModel } from "../../src/mining/forecast.ts";
import { mineCapacity, mineInsights, recentHistories, replayInsights } from "../../src/mining/mine.ts";
import { capacityRows, refreshRollups, runningPlaybooks } from "../../src/mining/rollups.ts";
import { casesOf, type LogFilter } from "../../src/mining/source.ts";
import { settledTally, Tally } from "../../src/mining/tally.ts";
import { type Trace, traceOf } from "../../src/mining/trace.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { type Json, startTestServer, type TestServer, testBackends, walk } from "../api/support/http.ts";

const BACKENDS = await testBackends();
const NOW = "2026-11-20T15:00:00.000Z";
const LATER = "2026-12-04T09:30:00.000Z";
const FORECAST_PLAYBOOK = "sop_cs_001";
const MANAGER: Actor = { id: "ops-lead", kind: "user", roles: [], manager: true };

interface Row {
  project_id: string;
  playbook_id: string;
  playbook_version: string;
  segment: string | null;
  csm: string | null;
  started_at: Date;
  status: string;
}

for (const backend of BACKENDS) {
  describe(`process rollups equal a replay of the log on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let rows: Row[];
    let playbook: string;
    const db = () => t.server.database.db;
    const same = async (filter: LogFilter & { playbook: string }, now: string, label: string) => {
      const rolled = await mineInsights(db(), filter, now);
      const replayed = await replayInsights(db(), filter, now);
      assert.ok(rolled && replayed, label);
      assert.deepEqual(rolled, replayed, label);
      return rolled;
    };

    before(async () => {
      t = await startTestServer(backend);
      await generateDemo(t.server.database, { projects: 70, seed: 5, now: NOW, months: 5 });
      // One playbook with enough onboardings gone live to forecast from.
      await generateDemo(t.server.database, { projects: 60, seed: 6, now: NOW, months: 9, playbooks: [FORECAST_PLAYBOOK] });
      rows = (
        await sql<Row>`SELECT project_id, playbook_id, playbook_version, segment, csm, started_at, status FROM project_summaries`.execute(
          db(),
        )
      ).rows;
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.playbook_id, (counts.get(r.playbook_id) ?? 0) + 1);
      playbook = ([...counts].sort((a, b) => b[1] - a[1])[0] as [string, number])[0];
    });
    after(() => t?.close());

    test("every playbook, and every filter: segment, CSM, version, periods cutting into months", async (context) => {
      for (const id of new Set(rows.map((r) => r.playbook_id))) await same({ playbook: id }, NOW, id);
      const mine = rows.filter((r) => r.playbook_id === playbook);
      const segment = mine.find((r) => r.segment)?.segment;
      // The CSM with most of its onboardings, so that their months hold several.
      const perCsm = new Map<string, number>();
      for (const r of mine) if (r.csm) perCsm.set(r.csm, (perCsm.get(r.csm) ?? 0) + 1);
      const csm = [...perCsm].sort((a, b) => b[1] - a[1])[0]?.[0];
      assert.ok(segment && csm, "the demo has segments and CSMs");
      const first = mine.map((r) => r.started_at.getTime()).sort((a, b) => a - b)[0] as number;
      const midMonth = new Date(first + 40 * 86_400_000);
      midMonth.setUTCDate(13);
      const laterMidMonth = new Date(midMonth.getTime() + 70 * 86_400_000);
      const monthStart = new Date(Date.UTC(midMonth.getUTCFullYear(), midMonth.getUTCMonth() + 1, 1));
      const nextMonthStart = new Date(Date.UTC(midMonth.getUTCFullYear(), midMonth.getUTCMonth() + 2, 1));
      const day = (month: Date, days: number) => new Date(month.getTime() + days * 86_400_000 + 7 * 3_600_000).toISOString();
      const filters: (LogFilter & { playbook: string })[] = [
        { playbook, segment },
        { playbook, csm },
        { playbook, version: mine[0]?.playbook_version as string },
        { playbook, from: midMonth.toISOString() },
        { playbook, to: midMonth.toISOString() },
        { playbook, from: midMonth.toISOString(), to: laterMidMonth.toISOString() },
        { playbook, from: monthStart.toISOString(), to: laterMidMonth.toISOString() },
        { playbook, from: midMonth.toISOString(), to: new Date(midMonth.getTime() + 5 * 86_400_000).toISOString() },
        // Most of a month inside: the month's sums less the projects outside, on one side or both.
        { playbook, from: day(monthStart, 1), to: day(monthStart, 27) },
        { playbook, from: day(monthStart, 2), to: day(nextMonthStart, 26) },
        { playbook, segment, from: day(monthStart, 3) },
        { playbook, segment, from: midMonth.toISOString() },
        { playbook, segment: "nobody" },
        { playbook, csm, segment },
        { playbook, csm, from: midMonth.toISOString() },
        { playbook, csm, from: monthStart.toISOString(), to: laterMidMonth.toISOString() },
      ];
      for (const filter of filters) {
        const insights = await same(filter, NOW, JSON.stringify(filter));
        context.diagnostic(`${JSON.stringify(filter)}: ${insights.projects} projects`);
      }
      // The months cut into that way had projects outside the period to take away.
      const outside = mine.filter((r) => {
        const at = r.started_at.getTime();
        const inMonth = at >= monthStart.getTime() && at < nextMonthStart.getTime();
        return inMonth && (at < Date.parse(day(monthStart, 1)) || at >= Date.parse(day(monthStart, 27)));
      });
      assert.ok(outside.length > 0, "projects started in the month but outside the period");
      const cut = await mineInsights(db(), { playbook, from: midMonth.toISOString(), to: laterMidMonth.toISOString() }, NOW);
      const whole = await mineInsights(db(), { playbook }, NOW);
      assert.ok(cut && whole && cut.projects > 0 && cut.projects < whole.projects, "the period is a true part of the playbook's projects");
    });

    test("only the projects whose events changed are replayed; the figures follow them", async () => {
      assert.equal(await refreshRollups(db(), undefined, NOW), 0, "nothing changed since the last read");
      const service = new ProjectService(t.server.database);
      const running = rows.filter((r) => r.playbook_id === playbook && r.status === "active").slice(0, 3);
      assert.equal(running.length, 3);
      let commanded = 0;
      for (const r of running) {
        const project = await service.getProject(r.project_id);
        const open = Object.values(project.state.steps).find((s) => s.status === "open" || s.status === "in_progress");
        if (!open) continue;
        await service.runCommand(r.project_id, {
          command:
            commanded === 0 ? { type: "skip_step", step: open.id, reason: "Done outside Onboard" } : { type: "start_step", step: open.id },
          actor: MANAGER,
          now: NOW,
        });
        commanded++;
      }
      assert.ok(commanded >= 2, "commands ran");
      const before = await mineInsights(db(), { playbook }, NOW);
      assert.deepEqual(before, await replayInsights(db(), { playbook }, NOW));
      assert.equal(await refreshRollups(db(), playbook, NOW), 0, "the read brought them up to date");
    });

    test("two readers refreshing at once apply each change once", async () => {
      const service = new ProjectService(t.server.database);
      const candidates = rows.filter((r) => r.playbook_id === playbook && r.status === "active");
      for (const r of candidates.slice(3, 8)) {
        const project = await service.getProject(r.project_id);
        const open = Object.values(project.state.steps).find((s) => s.status === "open");
        if (open) await service.runCommand(r.project_id, { command: { type: "start_step", step: open.id }, actor: MANAGER, now: NOW });
      }
      // Commands go on while they read: a mark made after a reader took its own stays for the next.
      const moving = candidates.slice(8, 14);
      const commands = (async () => {
        for (const r of moving) {
          const project = await service.getProject(r.project_id);
          const open = Object.values(project.state.steps).find((s) => s.status === "open");
          if (open) await service.runCommand(r.project_id, { command: { type: "start_step", step: open.id }, actor: MANAGER, now: NOW });
        }
      })();
      const [a, b, c] = await Promise.all([
        mineInsights(db(), { playbook }, NOW),
        mineInsights(db(), { playbook }, NOW),
        mineCapacity(db(), NOW, 4),
        commands,
      ]);
      assert.ok(a && b);
      assert.ok(c.people.length > 0);
      assert.deepEqual(await mineInsights(db(), { playbook }, NOW), await replayInsights(db(), { playbook }, NOW));
      // The monthly rows, and the sums of all months, hold exactly the sum of the projects' rows.
      const { rows: sums } = await sql<{
        months: number;
        totals: number;
        projects: number;
        byCsm: number;
        byCsmTotals: number;
        withCsm: number;
        running: number;
        stillRunning: number;
      }>`
        SELECT (SELECT coalesce(sum(projects), 0)::int FROM process_monthly WHERE start_month <> '0001-01-01') AS months,
               (SELECT coalesce(sum(projects), 0)::int FROM process_monthly WHERE start_month = '0001-01-01') AS totals,
               (SELECT count(*)::int FROM project_traces) AS projects,
               (SELECT coalesce(sum(projects), 0)::int FROM process_by_csm WHERE start_month <> '0001-01-01') AS "byCsm",
               (SELECT coalesce(sum(projects), 0)::int FROM process_by_csm WHERE start_month = '0001-01-01') AS "byCsmTotals",
               (SELECT count(*)::int FROM project_traces WHERE csm IS NOT NULL) AS "withCsm",
               (SELECT count(*)::int FROM process_running) AS running,
               (SELECT count(*)::int FROM project_traces WHERE running) AS "stillRunning"`.execute(db());
      assert.equal(sums[0]?.months, sums[0]?.projects, "the months hold every project once");
      assert.equal(sums[0]?.totals, sums[0]?.projects, "so do the sums of all months");
      assert.equal(sums[0]?.byCsm, 0, "by CSM only the sums of all months are kept");
      assert.equal(sums[0]?.byCsmTotals, sums[0]?.withCsm, "they hold every project with a CSM once");
      assert.equal(sums[0]?.running, sums[0]?.stillRunning, "the running onboardings' narrow rows are those running");
      assert.equal((await sql<{ n: number }>`SELECT count(*)::int AS n FROM process_dirty`.execute(db())).rows[0]?.n, 0, "no mark left");
      let all = 0;
      for await (const _ of casesOf(db(), {})) all++;
      assert.equal(sums[0]?.projects, all, "one row per project");
    });

    test("a row behind without a mark is found by the background's long check, and only by it", async () => {
      const behind = rows.find((r) => r.playbook_id === playbook && r.status === "active");
      assert.ok(behind);
      // As if restored from a backup taken before its last event: the rollup row is behind, unmarked.
      await sql`UPDATE project_traces SET events_seq = events_seq - 1 WHERE project_id = ${behind.project_id}`.execute(db());
      assert.equal(await refreshRollups(db(), undefined, NOW), 0, "reads look only at the marks");
      assert.equal(await refreshRollups(db(), undefined, NOW, { full: true, limit: 200 }), 1, "the long check marks and replays it");
      await same({ playbook }, NOW, "after the long check");
    });

    test("the capacity forecast from the forecasts stored by earlier reads equals forecasting every onboarding, now and later", async () => {
      // The reference: every active onboarding with a CSM forecast from its anchors, with the same models.
      const reference = async (now: string, people: { person: string; name: string; capacity: number | null }[]) => {
        const models = await recentHistories(db(), await runningPlaybooks(db()), now);
        const { rows: all } = await sql<{ playbook_id: string; csm: string; anchors: string }>`
          SELECT playbook_id, csm, anchors FROM process_running WHERE forecast AND csm IS NOT NULL AND anchors IS NOT NULL`.execute(db());
        const running: Running[] = all.map((r) => {
          const f = models.get(r.playbook_id)?.predictFrom(JSON.parse(r.anchors), Date.parse(now));
          return f ? { csm: r.csm, p50Ms: f.p50 } : { csm: r.csm };
        });
        return csmLoads(
          running,
          people.map((p) => ({ id: p.person, name: p.name, capacity: p.capacity })),
          now,
          8,
        );
      };
      const stamps = async (now: string) =>
        new Map([...(await recentHistories(db(), await runningPlaybooks(db()), now))].map(([p, m]) => [p, m.stamp]));
      for (const now of [NOW, NOW, LATER, LATER]) {
        const capacity = await mineCapacity(db(), now, 8);
        assert.ok(capacity.people.length > 0);
        assert.deepEqual(capacity.people, await reference(now, capacity.people), now);
      }
      // Read again at the same moment, every stored forecast holds; two weeks on, some no longer do.
      const atLater = await capacityRows(db(), await stamps(LATER), Date.parse(LATER));
      assert.equal(atLater.stale.length, 0, "what the last read forecast is stored");
      const otherModel = new Map([...(await stamps(LATER))].map(([p]) => [p, "another model"]));
      assert.equal((await capacityRows(db(), otherModel, Date.parse(LATER))).held.length, 0, "a forecast holds only for its own model");
      const weeksOn = new Date(Date.parse(LATER) + 14 * 86_400_000).toISOString();
      const later = await capacityRows(db(), await stamps(weeksOn), Date.parse(weeksOn));
      assert.ok(later.held.length > 0 && later.stale.length > 0, `held ${later.held.length}, to forecast again ${later.stale.length}`);
      const capacity = await mineCapacity(db(), weeksOn, 8);
      assert.deepEqual(capacity.people, await reference(weeksOn, capacity.people), weeksOn);
    });

    test("as the clock moves on, open steps keep growing and the rollups still equal the replay", async () => {
      const now = await same({ playbook }, NOW, "now");
      const later = await same({ playbook }, LATER, "two weeks later");
      const waiting = (m: typeof now) => m.time.waitingDays + m.time.workingDays;
      assert.ok(waiting(later) > waiting(now), "running onboardings' open steps went on counting");
      assert.equal(later.ended, now.ended);
      assert.deepEqual(later.variants, now.variants, "what ended stays as it was");
    });

    test("the portfolio's deviations, its deviates filter and the forecasts on it and on the timeline, from the rollups", async () => {
      // The reference: every project replayed from its events.
      const traces = new Map<string, { trace: Trace; c: CaseEvents }>();
      const asOf = new Date().toISOString();
      for await (const c of casesOf(db(), {})) traces.set(c.info.projectId, { c, trace: traceOf(c, asOf) });
      const all = "status=active,on_hold,closed,cancelled&limit=200";
      const deviating = (await walk(t.admin, `/portfolio?${all}&deviates=true`)).items;
      const keeping = (await walk(t.admin, `/portfolio?${all}&deviates=false`)).items;
      const expected = [...traces.values()].filter((x) => x.trace.deviations.length > 0).map((x) => x.trace.projectId);
      assert.ok(expected.length > 0, "the demo has projects that deviate");
      assert.deepEqual(deviating.map((i: Json) => i.projectId).sort(), expected.sort());
      assert.equal(deviating.length + keeping.length, traces.size);
      for (const item of [...deviating, ...keeping])
        assert.equal(item.deviations, traces.get(item.projectId)?.trace.deviations.length, item.projectId);
      const bad = await t.admin.get("/portfolio?deviates=maybe");
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /deviates/);

      // The forecast of the playbook with history: learnt from all its projects, at the server's now.
      const ofPlaybook = [...traces.values()].filter((x) => x.c.info.playbookId === FORECAST_PLAYBOOK);
      const history = new Tally();
      for (const x of ofPlaybook) history.merge(settledTally(x.trace, x.c.model));
      const running = ofPlaybook.filter((x) => x.c.info.status === "active" && !x.trace.goLiveAt && !x.trace.endedAt);
      const portfolio = new Map(
        (await walk(t.admin, `/portfolio?playbook=${FORECAST_PLAYBOOK}&status=active&limit=200`)).items.map((i: Json) => [i.projectId, i]),
      );
      let forecast = 0;
      for (const x of running) {
        const timeline = await t.admin.get(`/projects/${x.trace.projectId}/timeline`);
        assert.equal(timeline.status, 200);
        const now = timeline.body.forecast.asOf as string;
        const model = new GoLiveModel(history);
        const goLive = model.predict(x.trace, now) ?? null;
        const own = timeline.body.forecast.history;
        assert.deepEqual(own.goLive, goLive, `${x.trace.projectId}: go-live`);
        assert.equal(own.wentLive, model.learnt);
        const milestones = model.milestones(x.trace, x.c.model as PlaybookModel, now).map((m) => ({ ...m, forecast: m.forecast ?? null }));
        assert.deepEqual(own.milestones, milestones, `${x.trace.projectId}: milestones`);
        // The portfolio reads it a moment later: the same interval, give or take a step of the clock.
        const listed = portfolio.get(x.trace.projectId);
        assert.equal(listed?.forecast === null, goLive === null, `${x.trace.projectId}: on the portfolio too`);
        if (goLive) {
          forecast++;
          assert.ok(own.goLive.p10 <= own.goLive.p50 && own.goLive.p50 <= own.goLive.p90);
          assert.ok(own.milestones.length > 0, "milestones not reached yet are forecast too");
        }
      }
      assert.ok(forecast >= 3, `several running onboardings have a forecast (${forecast})`);
      const live = ofPlaybook.find((x) => x.trace.goLiveAt);
      assert.ok(live);
      assert.equal((await t.admin.get(`/projects/${live.trace.projectId}/timeline`)).body.forecast.history, null, "none once live");
    });
  });
}
