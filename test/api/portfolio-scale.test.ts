// Issue 14 items 7 and 8 over HTTP on a demo portfolio: the late and due-soon steps across projects
// (paged, soonest first, with owners), the one search (closed and cancelled clients included,
// contacts, playbooks), and the timeline's forecast with the preview of moving a date.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generateDemo } from "../../src/demo/generate.ts";
import { type Json, startTestServer, type TestServer, testBackends, walk } from "./support/http.ts";

const BACKENDS = await testBackends();
const NOW = new Date().toISOString();

for (const backend of BACKENDS) {
  describe(`portfolio at scale on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let portfolio: Json[];
    before(async () => {
      t = await startTestServer(backend);
      await generateDemo(t.server.database, { projects: 40, seed: 5, now: NOW });
      portfolio = (await walk(t.admin, "/portfolio?status=active,on_hold,closed,cancelled&limit=200")).items;
    });
    after(() => t?.close());

    test("GET /portfolio/steps: late and due-soon steps, soonest first, each once across pages, with owners", async () => {
      const { items, pages } = await walk(t.admin, "/portfolio/steps?within=14&limit=5");
      assert.ok(items.length > 5, `several steps (${items.length})`);
      assert.ok(pages > 1, "paged");
      const keys = items.map((i: Json) => `${i.projectId}/${i.step}`);
      assert.equal(new Set(keys).size, keys.length, "each step once");
      const horizon = Date.parse(NOW) + 14 * 86_400_000 + 60_000;
      for (let i = 0; i < items.length; i++) {
        const s = items[i];
        assert.ok(s.title && s.clientName && s.ownerRoleTitle, JSON.stringify(s));
        assert.ok(Date.parse(s.dueAt) <= horizon);
        if (i > 0) assert.ok(items[i - 1].dueAt <= s.dueAt, "soonest first");
        assert.equal(s.late, Date.parse(s.dueAt) <= Date.now());
      }
      assert.ok(
        items.some((s: Json) => s.late),
        "the demo has late steps",
      );
      assert.ok(
        items.some((s: Json) => Boolean(s.owner?.name)),
        "owners by name",
      );
      // Late only, and one person's.
      const late = (await walk(t.admin, "/portfolio/steps?within=0&limit=200")).items;
      assert.ok(late.every((s: Json) => s.late));
      const someone = items.find((s: Json) => s.owner)?.owner.id;
      const mine = (await walk(t.admin, `/portfolio/steps?within=14&owner=${encodeURIComponent(someone)}&limit=3`)).items;
      assert.ok(mine.length > 0 && mine.every((s: Json) => s.owner?.id === someone));
      // The overdue count of the portfolio is backed by a list of steps: every late project appears.
      const lateProjects = new Set(late.map((s: Json) => s.projectId));
      for (const p of portfolio.filter((p) => p.status === "active" && p.overdueSteps > 0))
        assert.ok(lateProjects.has(p.projectId), p.client.name);
      const bad = await t.admin.get("/portfolio/steps?cursor=nonsense");
      assert.equal(bad.status, 400);
    });

    test("GET /search finds clients of closed and cancelled onboardings, projects, contacts and playbooks", async () => {
      for (const status of ["closed", "cancelled"]) {
        const p = portfolio.find((i) => i.status === status);
        if (!p) continue;
        const found = await t.admin.get(`/search?q=${encodeURIComponent(p.client.name.slice(0, 6))}`);
        assert.equal(found.status, 200);
        const client = found.body.clients.find((c: Json) => c.id === p.client.id);
        assert.ok(client, `${status} client ${p.client.name} found`);
        assert.ok(found.body.projects.some((x: Json) => x.id === p.projectId));
      }
      const playbooks = await t.admin.get("/search?q=onboarding");
      assert.ok(playbooks.body.playbooks.length > 0, "playbooks by title");
      const contact = await t.admin.get(`/clients/${encodeURIComponent(portfolio[0].client.id)}/contacts`);
      const someone = contact.body.items?.[0];
      if (someone) {
        const byEmail = await t.admin.get(`/search?q=${encodeURIComponent(someone.email)}`);
        assert.ok(
          byEmail.body.contacts.some((c: Json) => c.id === someone.id),
          "a contact by email",
        );
      }
      const wild = await t.admin.get("/search?q=%25%25");
      assert.equal(wild.status, 200);
      assert.equal(wild.body.clients.length, 0, "% is literal");
      const short = await t.admin.get("/search?q=a");
      assert.equal(short.status, 400);
      assert.ok(short.body.errors.some((e: Json) => e.pointer === "/query/q"));
    });

    test("the timeline forecasts every remaining step from today, and a date move is previewed", async () => {
      const late = portfolio.find((p) => p.status === "active" && p.overdueSteps > 0);
      assert.ok(late, "a late project");
      const timeline = await t.admin.get(`/projects/${late.projectId}/timeline`);
      assert.equal(timeline.status, 200);
      const steps = timeline.body.phases.flatMap((p: Json) => p.steps);
      const today = Date.now() - 60_000;
      for (const s of steps) {
        if (["done", "skipped", "not_applicable", "dormant"].includes(s.status)) continue;
        assert.ok(s.forecastFinishAt, `${s.title} has a forecast`);
        assert.ok(Date.parse(s.forecastFinishAt) >= today, `${s.title} is not forecast in the past`);
      }
      assert.ok(
        timeline.body.forecast.goLiveAt === null ||
          Date.parse(timeline.body.forecast.goLiveAt) >= today ||
          steps.some((s: Json) => s.status === "done" && s.id === timeline.body.forecast.goLiveStep),
      );
      const open = steps.find((s: Json) => (s.status === "open" || s.status === "in_progress") && s.dueAt);
      assert.ok(open);
      const until = new Date(Math.max(Date.parse(open.dueAt), Date.now()) + 10 * 86_400_000).toISOString();
      const preview = await t.admin.post(`/projects/${late.projectId}/timeline/preview`, { step: open.id, until });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.equal(preview.body.step.title, open.title);
      for (const m of preview.body.moves) assert.ok(m.to >= m.from && m.title);
      // Nothing was stored.
      const again = await t.admin.get(`/projects/${late.projectId}`);
      assert.equal(again.body.version, timeline.body.version);
      // Refused like the command: a date before the deadline names the field.
      const earlier = await t.admin.post(`/projects/${late.projectId}/timeline/preview`, {
        step: open.id,
        until: new Date(Date.parse(open.dueAt) - 86_400_000).toISOString(),
      });
      assert.equal(earlier.status, 422, "refused as the command is");
      assert.ok(earlier.body.errors.some((e: Json) => e.pointer === "/body/until"));
    });

    test("POST /portfolio/bulk: one audited command per project, partial failures reported per project", async () => {
      const open = portfolio.filter((p) => p.status === "active").slice(0, 2);
      const closed = portfolio.find((p) => p.status === "closed" || p.status === "cancelled");
      const ids = [...open.map((p) => p.projectId), ...(closed ? [closed.projectId] : []), "no-such-project"];
      const health = await t.admin.post("/portfolio/bulk", {
        action: "set_health",
        projects: ids,
        health: "amber",
        reason: "Quarterly review",
      });
      assert.equal(health.status, 200, JSON.stringify(health.body));
      assert.equal(health.body.changed + health.body.failed, ids.length);
      for (const p of open) {
        const r = health.body.results.find((x: Json) => x.projectId === p.projectId);
        assert.equal(r.ok, true, JSON.stringify(r));
        const declared = (await t.admin.get(`/projects/${p.projectId}`)).body.declaredHealth;
        assert.equal(declared, "amber");
        if (r.summary === "Health was already Watch") continue;
        assert.equal(r.summary, "Health set to Watch");
        const events = (await walk(t.admin, `/projects/${p.projectId}/events?limit=200`)).items;
        assert.ok(
          events.some((e: Json) => e.type === "health.set" && e.reason === "Quarterly review" && e.seq > p.version),
          `the change is the project's own audited event: ${JSON.stringify(events.slice(-3).map((e: Json) => [e.seq, e.type, e.reason]))} after ${p.version}`,
        );
      }
      const missing = health.body.results.find((x: Json) => x.projectId === "no-such-project");
      assert.equal(missing.ok, false);
      assert.match(missing.summary, /no such onboarding/);
      // Reassign the CSM of two projects to someone else.
      const other = portfolio.find((p) => p.csm && p.csm.id !== open[0].csm?.id)?.csm;
      assert.ok(other);
      const moved = await t.admin.post("/portfolio/bulk", { action: "reassign", projects: open.map((p) => p.projectId), person: other.id });
      assert.equal(moved.body.changed, 2, JSON.stringify(moved.body));
      const after = (await walk(t.admin, "/portfolio?limit=200")).items;
      for (const p of open)
        assert.equal(after.find((x: Json) => x.projectId === p.projectId)?.csm?.id, other.id, "the CSM is the new person");
      const noReason = await t.admin.post("/portfolio/bulk", { action: "hold", projects: [open[0].projectId], reason: " " });
      assert.equal(noReason.status, 400);
      assert.ok(noReason.body.errors.some((e: Json) => e.pointer === "/body/reason"));
      const reader = await t.user("reader", ["executive_readonly"]);
      assert.equal((await reader.post("/portfolio/bulk", { action: "hold", projects: [open[0].projectId], reason: "x" })).status, 403);
    });
  });
}
