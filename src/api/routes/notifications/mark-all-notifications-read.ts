// POST /notifications/read-all: mark every unread notification of mine read; says how many.
import { notifyDb } from "../../../notify/tables.ts";
import { principalOf } from "../../auth/authorization.ts";
import { markAllRead } from "../../data/notifications.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { MarkedRead } from "./notifications.types.ts";

export function markAllNotificationsRead(app: Api, deps: ApiDeps): void {
  app.post(
    "/notifications/read-all",
    {
      // A write to the caller's own account state: every account may, a read-only token may not.
      config: { access: "account:write" },
      schema: {
        tags: ["notifications"],
        operationId: "markAllNotificationsRead",
        summary: "Mark all my notifications read",
        response: { 200: MarkedRead },
      },
    },
    async (request) => ({ marked: await markAllRead(notifyDb(deps.database), principalOf(request).user.id, deps.clock()) }),
  );
}
