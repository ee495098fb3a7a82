// GET /portfolio: the onboardings in progress with their health, phase, CSM, next milestone and
// what is late, from the portfolio read model (src/metrics), with the counts the dashboard links to.
import { z } from "zod";
import { type PortfolioFilter, type PortfolioSort, portfolioCounts, portfolioPage } from "../../../metrics/portfolio.ts";
import { rebuildSummaries } from "../../../metrics/projection.ts";
import { processOfProjects } from "../../../mining/mine.ts";
import { refreshRollups } from "../../../mining/rollups.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { CursorInt, decodeCursor, encodeCursor } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { PortfolioPage, PortfolioQuery } from "./portfolio.types.ts";

/** What the cursor of each sort carries (a forged one is a 400, not a failing query). */
const CURSOR_VALUE = {
  health: CursorInt,
  overdue: CursorInt,
  client: z.string(),
  started: Instant,
  next_due: z.union([Instant, z.literal("infinity")]),
  target_go_live: z.union([Instant, z.literal("infinity")]),
} satisfies Record<PortfolioSort, z.ZodType<string | number>>;

export function getPortfolio(app: Api, deps: ApiDeps): void {
  app.get(
    "/portfolio",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["portfolio"],
        operationId: "getPortfolio",
        summary: "The portfolio of onboardings, with health and counts",
        querystring: PortfolioQuery,
        response: { 200: PortfolioPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, order, status, ...rest } = request.query;
      const list = `portfolio:${sort}:${order}`;
      const after = decodeCursor(list, cursor, z.tuple([CURSOR_VALUE[sort], z.string()]));
      const filter: PortfolioFilter = {
        ...rest,
        ...(status ? { status: [...new Set(status.split(","))] as PortfolioFilter["status"] } : {}),
      };
      const now = deps.clock();
      // Health that a passing deadline changed with no event yet (bounded: the scheduler's ticks catch up the rest).
      await rebuildSummaries(deps.database.db, now, { limit: 200, reviewOnly: true });
      // Conformance is the process rollups': brought up to date before filtering by it.
      if (filter.deviates !== undefined) await refreshRollups(deps.database.db, filter.playbook, now);
      const [page, counts] = await Promise.all([
        portfolioPage(deps.database.db, { filter, sort, order, after, limit }),
        portfolioCounts(deps.database.db, filter),
      ]);
      const process = await processOfProjects(
        deps.database.db,
        page.items.map((i) => i.projectId),
        now,
      );
      return {
        items: page.items.map((i) => ({
          ...i,
          status: i.status as "active",
          healthReasons: [...i.healthReasons],
          deviations: process.get(i.projectId)?.deviations ?? 0,
          forecast: process.get(i.projectId)?.forecast ?? null,
        })),
        nextCursor: page.more && page.last ? encodeCursor(list, page.last) : null,
        counts: { ...counts, phases: [...counts.phases] },
        asOf: now,
      };
    },
  );
}
