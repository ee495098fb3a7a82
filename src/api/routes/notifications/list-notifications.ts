// GET /notifications: my in-app notifications, newest first, with how many are unread (the badge).
import { z } from "zod";
import { notifyDb } from "../../../notify/tables.ts";
import { principalOf } from "../../auth/authorization.ts";
import { listNotifications, notificationKey, unreadCount } from "../../data/notifications.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { ListNotificationsQuery, NotificationPage } from "./notifications.types.ts";

export function listNotificationsRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/notifications",
    {
      config: { access: "tasks:read" },
      schema: {
        tags: ["notifications"],
        operationId: "listNotifications",
        summary: "My in-app notifications, newest first, and how many are unread",
        querystring: ListNotificationsQuery,
        response: { 200: NotificationPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit, unread } = request.query;
      const key = decodeCursor("notifications", cursor, z.tuple([Instant, z.string()]));
      const db = notifyDb(deps.database);
      const personId = principalOf(request).user.id;
      const rows = await listNotifications(db, personId, {
        unread,
        before: key ? { createdAt: key[0], id: key[1] } : undefined,
        limit: limit + 1,
      });
      const page = paginate("notifications", rows, limit, notificationKey, (n) => n);
      return { ...page, unread: await unreadCount(db, personId) };
    },
  );
}
