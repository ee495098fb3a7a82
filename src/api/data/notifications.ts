// A person's in-app notifications (the `notify` effects on the in_app channel, written by
// src/notify into the notifications table): read newest first, counted while unread, marked read.
// Every query is bound to the person: another person's notification is not found, never shown.
import type { Instant } from "../../engine/types.ts";
import type { NotifyDb } from "../../notify/tables.ts";
import { fromDb, fromDbOptional } from "../../store/time.ts";

export interface NotificationItem {
  readonly id: string;
  readonly projectId: string | null;
  /** The project's client; null without a project (or a project whose client is gone). */
  readonly clientName: string | null;
  readonly message: string;
  readonly createdAt: Instant;
  readonly readAt: Instant | null;
}

export interface NotificationFilter {
  /** true: only unread; false: only read; undefined: both. */
  readonly unread?: boolean | undefined;
  /** Keyset: notifications older than this (created_at, id), newest first. */
  readonly before?: { readonly createdAt: Instant; readonly id: string } | undefined;
  readonly limit: number;
}

/** The sort key (newest first): the cursor carries it. */
export function notificationKey(item: NotificationItem): [string, string] {
  return [item.createdAt, item.id];
}

function select(db: NotifyDb, personId: string) {
  return db
    .selectFrom("notifications as n")
    .leftJoin("projects as p", "p.id", "n.project_id")
    .leftJoin("clients as c", "c.id", "p.client_id")
    .select(["n.id", "n.project_id", "c.name as client_name", "n.message", "n.created_at", "n.read_at"])
    .where("n.person_id", "=", personId);
}

function itemOf(row: {
  id: string;
  project_id: string | null;
  client_name: string | null;
  message: string;
  created_at: Date | string;
  read_at: Date | string | null;
}): NotificationItem {
  return {
    id: row.id,
    projectId: row.project_id,
    clientName: row.client_name,
    message: row.message,
    createdAt: fromDb(row.created_at),
    readAt: fromDbOptional(row.read_at) ?? null,
  };
}

export async function listNotifications(db: NotifyDb, personId: string, filter: NotificationFilter): Promise<NotificationItem[]> {
  let query = select(db, personId).orderBy("n.created_at", "desc").orderBy("n.id", "desc").limit(filter.limit);
  if (filter.unread === true) query = query.where("n.read_at", "is", null);
  if (filter.unread === false) query = query.where("n.read_at", "is not", null);
  const { before } = filter;
  if (before)
    query = query.where((eb) =>
      eb.or([
        eb("n.created_at", "<", new Date(before.createdAt)),
        eb.and([eb("n.created_at", "=", new Date(before.createdAt)), eb("n.id", "<", before.id)]),
      ]),
    );
  return (await query.execute()).map(itemOf);
}

/** How many of the person's notifications are unread (the badge). */
export async function unreadCount(db: NotifyDb, personId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("person_id", "=", personId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Mark one of the person's notifications read (once: reading it again keeps the first time).
 * Undefined when the person has no notification with this id.
 */
export async function markRead(db: NotifyDb, personId: string, id: string, now: Instant): Promise<NotificationItem | undefined> {
  await db
    .updateTable("notifications")
    .set({ read_at: now })
    .where("id", "=", id)
    .where("person_id", "=", personId)
    .where("read_at", "is", null)
    .execute();
  const row = await select(db, personId).where("n.id", "=", id).executeTakeFirst();
  return row ? itemOf(row) : undefined;
}

/** Mark every unread notification of the person read; returns how many were. */
export async function markAllRead(db: NotifyDb, personId: string, now: Instant): Promise<number> {
  const result = await db
    .updateTable("notifications")
    .set({ read_at: now })
    .where("person_id", "=", personId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
