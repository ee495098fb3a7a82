// GET /tasks: my tasks across projects: open steps whose owner or RACI role I hold on the project,
// and the engine's tasks for those roles, soonest due first.
import { z } from "zod";
import { principalOf } from "../../auth/authorization.ts";
import { myTasks, taskKey } from "../../data/tasks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { ListTasksQuery, TaskPage } from "./task.types.ts";

export function listMyTasks(app: Api, deps: ApiDeps): void {
  app.get(
    "/tasks",
    {
      config: { access: "tasks:read" },
      schema: {
        tags: ["tasks"],
        operationId: "listMyTasks",
        summary: "My tasks across projects",
        querystring: ListTasksQuery,
        response: { 200: TaskPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      const key = decodeCursor("tasks", cursor, z.tuple([z.string(), z.string(), z.string()]));
      const now = deps.clock();
      const tasks = await myTasks(deps.database.db, principalOf(request).user.id, filter, now, {
        ...(key ? { after: key } : {}),
        limit: limit + 1,
      });
      return paginate("tasks", tasks, limit, taskKey, (t) => t);
    },
  );
}
