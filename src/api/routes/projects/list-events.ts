// GET /projects/:id/events: the audit trail, oldest first: who did what, when and why.
import { z } from "zod";
import { listEventsPage } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { CursorInt, decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { EventPage, EventsQuery, ProjectParams } from "./project.types.ts";

export function listEvents(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/events",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "listEvents",
        summary: "The project's events (its audit trail)",
        params: ProjectParams,
        querystring: EventsQuery,
        response: { 200: EventPage, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { cursor, limit } = request.query;
      await deps.service.getProject(id);
      const after = decodeCursor("events", cursor, z.tuple([CursorInt.min(0)]));
      const rows = await listEventsPage(deps.db, id, after?.[0] ?? 0, limit + 1);
      return paginate(
        "events",
        rows,
        limit,
        (e) => [e.seq],
        (e) => e,
      );
    },
  );
}
