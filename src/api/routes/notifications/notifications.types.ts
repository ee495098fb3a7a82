import { z } from "zod";
import { PageQuery, pageOf } from "../../pagination.ts";
import { Instant } from "../common.types.ts";

export const Notification = z
  .object({
    id: z.string(),
    projectId: z.string().nullable().describe("The project it is about; null when it is about none."),
    clientName: z.string().nullable().describe("That project's client; null without a project."),
    message: z.string(),
    createdAt: Instant,
    readAt: Instant.nullable().describe("When you marked it read; null while unread."),
  })
  .meta({ id: "Notification", description: "An in-app notification for you (a playbook's notify action on the in_app channel)." });

const Bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ListNotificationsQuery = z.object({
  unread: Bool.optional().describe("true: only unread; false: only read; omit for both."),
  ...PageQuery,
});

export const NotificationPage = pageOf(Notification)
  .extend({ unread: z.number().int().describe("How many of your notifications are unread, in all (not only on this page).") })
  .meta({ id: "NotificationPage" });

export const NotificationParams = z.object({ id: z.string().min(1).max(200) });

export const MarkedRead = z
  .object({ marked: z.number().int().describe("How many unread notifications were marked read.") })
  .meta({ id: "NotificationsMarkedRead" });
