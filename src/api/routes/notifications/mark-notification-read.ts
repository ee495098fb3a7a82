// POST /notifications/:id/read: mark one of my notifications read (again: no change). Another
// person's notification is a 404 exactly like a missing one.
import { notifyDb } from "../../../notify/tables.ts";
import { principalOf } from "../../auth/authorization.ts";
import { markRead } from "../../data/notifications.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { Notification, NotificationParams } from "./notifications.types.ts";

export function markNotificationRead(app: Api, deps: ApiDeps): void {
  app.post(
    "/notifications/:id/read",
    {
      // A write to the caller's own account state: every account may, a read-only token may not.
      config: { access: "account:write" },
      schema: {
        tags: ["notifications"],
        operationId: "markNotificationRead",
        summary: "Mark one of my notifications read",
        params: NotificationParams,
        response: { 200: Notification, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const item = await markRead(notifyDb(deps.database), principalOf(request).user.id, id, deps.clock());
      if (!item) throw new HttpProblem("not_found", `you have no notification "${id}"`);
      return item;
    },
  );
}
