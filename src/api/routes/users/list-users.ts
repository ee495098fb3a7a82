// GET /users: the team's accounts.
import { z } from "zod";
import { listUsers } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { ListUsersQuery, UserPage } from "./user.types.ts";

export function listUsersRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/users",
    {
      config: { access: "users:read" },
      schema: {
        tags: ["users"],
        operationId: "listUsers",
        summary: "List accounts",
        querystring: ListUsersQuery,
        response: { 200: UserPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const after = decodeCursor("users", cursor, z.tuple([z.string()]));
      const rows = await listUsers(deps.db, after?.[0], limit + 1);
      return paginate(
        "users",
        rows,
        limit,
        (u) => [u.id],
        (u) => ({ ...u, roles: [...u.roles] }),
      );
    },
  );
}
