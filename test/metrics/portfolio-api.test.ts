// GET /portfolio over HTTP on both backends, on a small demo portfolio: every filter returns only
// matching onboardings, every sort walks the list in order across pages exactly once, and the
// counts add up.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeCursor } from "../../src/api/pagination.ts";
import { generateDemo } from "../../src/demo/generate.ts";
import { chromiumInstalled } from "../../src/render/chromium.ts";
import { type Json, startTestServer, type TestServer, testBackends, walk } from "../api/support/http.ts";

const BACKENDS = await testBackends();
const NOW = new Date().toISOString();

for (const backend of BACKENDS) {
  describe(`GET /portfolio on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let all: Json[];
    before(async () => {
      t = await startTestServer(backend);
      await generateDemo(t.server.database, { projects: 45, seed: 7, now: NOW });
      all = (await walk(t.admin, "/portfolio?status=active,on_hold,closed,cancelled&limit=200")).items;
    });
    after(() => t?.close());

    test("the default lists the onboardings in progress, with counts that add up", async () => {
      const response = await t.admin.get("/portfolio?limit=200");
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const { items, counts } = response.body;
      assert.ok(items.length > 0);
      for (const item of items) assert.ok(["active", "on_hold"].includes(item.status));
      assert.equal(counts.total, items.length);
      assert.equal(counts.health.red + counts.health.amber + counts.health.green, counts.total);
      assert.equal(
        counts.phases.reduce((s: number, p: Json) => s + p.count, 0),
        items.filter((i: Json) => i.phase !== null).length,
      );
      for (const item of items) {
        assert.ok(item.client.name && item.playbook.id && item.startedAt);
        if (item.health !== "green") assert.ok(item.healthReasons.length > 0, `${item.projectId} says why it is ${item.health}`);
      }
      assert.equal(all.length, 45);
    });

    test("filters return only what matches, and all of it", async () => {
      const open = all.filter((i) => ["active", "on_hold"].includes(i.status));
      const sample = open[0];
      const cases: [string, (i: Json) => boolean][] = [
        [`csm=${sample.csm.id}`, (i) => i.csm?.id === sample.csm.id],
        [`playbook=${sample.playbook.id}`, (i) => i.playbook.id === sample.playbook.id],
        ["health=red", (i) => i.health === "red"],
        ["health=green", (i) => i.health === "green"],
        [`phase=${sample.phase.id}`, (i) => i.phase?.id === sample.phase.id],
        ["status=closed", (i) => i.status === "closed"],
      ];
      const withSegment = open.find((i) => i.segment !== null);
      if (withSegment) cases.push([`segment=${withSegment.segment}`, (i) => i.segment === withSegment.segment]);
      for (const [query, matches] of cases) {
        const { items } = await walk(t.admin, `/portfolio?${query}&limit=5`);
        const pool = query.startsWith("status=") ? all : open;
        assert.deepEqual(
          items.map((i) => i.projectId).sort(),
          pool
            .filter(matches)
            .map((i) => i.projectId)
            .sort(),
          query,
        );
      }
    });

    test("every sort pages through the list in order, each onboarding once", async () => {
      const keys: Record<string, (i: Json) => string | number> = {
        health: (i) => ({ red: 0, amber: 1, green: 2 })[i.health as "red"],
        started: (i) => i.startedAt,
        client: (i) => i.client.name,
        next_due: (i) => i.nextMilestone?.dueAt ?? "9999",
        target_go_live: (i) => i.targetGoLiveAt ?? "9999",
        overdue: (i) => i.overdueSteps,
      };
      for (const [sort, key] of Object.entries(keys)) {
        for (const order of ["asc", "desc"]) {
          const { items, pages } = await walk(t.admin, `/portfolio?sort=${sort}&order=${order}&limit=4`);
          assert.ok(pages > 1, `${sort} pages`);
          assert.equal(new Set(items.map((i) => i.projectId)).size, items.length, `${sort} ${order}: no repeats`);
          assert.equal(items.length, all.filter((i) => ["active", "on_hold"].includes(i.status)).length);
          for (let n = 1; n < items.length; n++) {
            const [a, b] = [key(items[n - 1]), key(items[n])];
            if (sort === "client") continue; // collation order is the database's
            assert.ok(order === "asc" ? a <= b : a >= b, `${sort} ${order}: ${a} then ${b}`);
          }
        }
      }
    });

    test("GET /kpis answers for the whole portfolio and for a filter, with targets and series", async () => {
      const whole = await t.admin.get("/kpis");
      assert.equal(whole.status, 200, JSON.stringify(whole.body));
      assert.equal(whole.body.projects.total, all.length);
      assert.ok(whole.body.targets.length > 0);
      assert.ok(whole.body.series.slaBreachesByStep.length > 0);
      const playbook = all[0].playbook.id;
      const from = "2020-01-01T00:00:00.000Z";
      const one = await t.admin.get(`/kpis?playbook=${playbook}&from=${from}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.projects.total, all.filter((i) => i.playbook.id === playbook).length);
      assert.ok(one.body.targets.every((x: Json) => x.playbook === playbook));
      const none = await t.admin.get(`/kpis?to=${from}`);
      assert.equal(none.body.projects.total, 0);
      assert.equal(none.body.timeToGoLive.medianDays, null);
      assert.equal((await t.admin.get("/kpis?from=yesterday")).status, 400);
    });

    test("a forged portfolio cursor is bad input (400 problem+json), for every sort", async () => {
      for (const [sort, value] of [
        ["next_due", "not a date"],
        ["started", 7],
        ["health", "red"],
        ["overdue", 1.5],
        ["target_go_live", "tomorrow"],
        ["client", 3],
      ] as const) {
        const cursor = encodeCursor(`portfolio:${sort}:asc`, [value, "p-1"]);
        const response = await t.admin.get(`/portfolio?sort=${sort}&order=asc&cursor=${cursor}`);
        assert.equal(response.status, 400, sort);
        assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
      }
    });

    test("reports: a pre-filled draft as HTML and JSON, edits saved and served, PDF through Chromium", async () => {
      const live = all.find((i) => i.goLiveAt !== null) ?? all[0];
      const path = `/projects/${live.projectId}/reports/go-live-summary`;
      const html = await t.admin.get(path);
      assert.equal(html.status, 200);
      assert.match(html.headers.get("content-type") ?? "", /text\/html/);
      assert.match(String(html.body), /Go-live summary/);
      const draft = await t.admin.get(`${path}?format=json`);
      assert.equal(draft.body.edited, null);
      assert.ok(draft.body.content.metrics.some((m: Json) => m.label === "Time to go-live"));
      const edited = {
        ...draft.body.content,
        wins: [...draft.body.content.wins, "The <b>team</b> was great"],
        notes: "Sent to the sponsor",
      };
      const saved = await t.admin.request("PUT", path, { body: edited });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const again = await t.admin.get(`${path}?format=json`);
      assert.deepEqual(again.body.content, edited);
      assert.ok(again.body.edited.by);
      const page = await t.admin.get(path);
      assert.match(String(page.body), /The &lt;b&gt;team&lt;\/b&gt; was great/);
      assert.equal((await t.admin.request("PUT", `/projects/${live.projectId}/reports/success-review`, { body: edited })).status, 400);
      assert.equal((await t.admin.get("/projects/nope/reports/success-review")).status, 404);
      if (chromiumInstalled()) {
        const pdf = await t.admin.get(`${path}?format=pdf`);
        assert.equal(pdf.status, 200);
        assert.match(pdf.headers.get("content-type") ?? "", /application\/pdf/);
      }
    });

    test("a cursor of another sort is refused", async () => {
      const first = await t.admin.get("/portfolio?sort=started&limit=2");
      const other = await t.admin.get(`/portfolio?sort=health&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      assert.equal(other.status, 400);
    });
  });
}
