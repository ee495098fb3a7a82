// GET, POST and DELETE /portfolio/views: my named views of the team app (a page's path with its
// filters in the query, e.g. "/app/?health=red&csm=casey"), to open again or share as a link. Each
// account sees and deletes only its own; saving under a name already used replaces that view.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { AppError } from "../../../store/index.ts";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Instant, NoContent } from "../common.types.ts";

const MAX_VIEWS = 100;

export const SavedView = z
  .object({
    id: z.string(),
    name: z.string(),
    path: z.string().describe('The page and its filters, as a path with its query ("/app/?health=red").'),
    createdAt: Instant,
  })
  .meta({ id: "SavedView" });

export const SaveViewBody = z.strictObject({
  name: z.string().trim().min(1, { error: "give the view a name" }).max(100, { error: "at most 100 characters" }),
  path: z
    .string()
    .max(2000, { error: "at most 2000 characters" })
    .regex(/^\/app\/[^\s]*$/, { error: "a page of the team app, such as /app/?health=red" })
    .describe("The page of the team app with its query."),
});

const ViewParams = z.object({ id: z.string().min(1).max(100) });

interface Row {
  id: string;
  name: string;
  path: string;
  created_at: Date | string;
}

function viewOf(row: Row): z.infer<typeof SavedView> {
  return { id: row.id, name: row.name, path: row.path, createdAt: new Date(row.created_at).toISOString() };
}

export function listSavedViews(app: Api, deps: ApiDeps): void {
  app.get(
    "/portfolio/views",
    {
      config: { access: "account:read" },
      schema: {
        tags: ["portfolio"],
        operationId: "listSavedViews",
        summary: "My saved views, by name",
        response: { 200: z.object({ items: z.array(SavedView) }) },
      },
    },
    async (request) => {
      const me = principalOf(request).user.id;
      const { rows } = await sql<Row>`
        SELECT id, name, path, created_at FROM saved_views WHERE user_id = ${me} ORDER BY lower(name), id`.execute(deps.database.db);
      return { items: rows.map(viewOf) };
    },
  );
}

export function saveView(app: Api, deps: ApiDeps): void {
  app.post(
    "/portfolio/views",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["portfolio"],
        operationId: "saveView",
        summary: "Save a view under a name (replacing my view of that name)",
        body: SaveViewBody,
        response: { 201: SavedView, ...problemResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const me = principalOf(request).user.id;
      const { name, path } = request.body;
      const now = deps.clock();
      const saved = await deps.database.db.transaction().execute(async (trx) => {
        const count = await sql<{ n: string | number }>`
          SELECT count(*) AS n FROM saved_views WHERE user_id = ${me} AND name <> ${name}`.execute(trx);
        if (Number(count.rows[0]?.n ?? 0) >= MAX_VIEWS)
          throw new AppError("conflict", `you have ${MAX_VIEWS} saved views: delete one first`, { field: "name" });
        const { rows } = await sql<Row>`
          INSERT INTO saved_views (id, user_id, name, path, created_at)
          VALUES (${randomUUID()}, ${me}, ${name}, ${path}, ${now})
          ON CONFLICT (user_id, name) DO UPDATE SET path = EXCLUDED.path, created_at = EXCLUDED.created_at
          RETURNING id, name, path, created_at`.execute(trx);
        return rows[0];
      });
      if (!saved) throw new Error("the view was not saved");
      return reply.code(201).send(viewOf(saved));
    },
  );
}

export function deleteSavedView(app: Api, deps: ApiDeps): void {
  app.delete(
    "/portfolio/views/:id",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["portfolio"],
        operationId: "deleteSavedView",
        summary: "Delete one of my saved views",
        params: ViewParams,
        response: { 204: NoContent, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const me = principalOf(request).user.id;
      const result = await sql`DELETE FROM saved_views WHERE id = ${request.params.id} AND user_id = ${me}`.execute(deps.database.db);
      // Another account's view is "not found" too: its existence is not disclosed.
      if (Number(result.numAffectedRows ?? 0) === 0)
        throw new AppError("not_found", "no such saved view of yours", { viewId: request.params.id });
      return reply.code(204).send();
    },
  );
}
