// My notifications: every alert a playbook sent me in the app, newest first, all or only unread;
// opening one goes to its project and marks it read; "Mark all read" clears the bell.
import { useEffect, useState } from "react";
import { api, describeError } from "../../api/client.ts";
import { ActionMessage, ErrorNotice, Loading, PageHeader } from "../../components/ui.tsx";
import { plural } from "../../lib/format.ts";
import { Link, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { type Notification, NotificationList, useNotifications } from "../notifications.tsx";
import { NotificationPreferences } from "./notification-preferences.tsx";

const PAGE = 50;

export function NotificationsPage() {
  useTitle("Notifications", "Onboard");
  const notifications = useNotifications();
  const { search } = useLocation();
  const onlyUnread = search.get("show") === "unread";
  const query = onlyUnread ? ({ unread: "true" } as const) : {};
  const first = useResource(
    async (signal) => (await api.get("/notifications", { query: { ...query, limit: PAGE }, signal })).data,
    [onlyUnread],
  );
  const [items, setItems] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [more, setMore] = useState<unknown>();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string }>();
  useEffect(() => {
    if (!first.data) return;
    setItems(first.data.items);
    setCursor(first.data.nextCursor);
  }, [first.data]);

  const loadMore = async () => {
    if (!cursor) return;
    setBusy(true);
    setMore(undefined);
    try {
      const { data } = await api.get("/notifications", { query: { ...query, limit: PAGE, cursor } });
      setItems((shown) => [...shown, ...data.items]);
      setCursor(data.nextCursor);
    } catch (error) {
      setMore(error);
    } finally {
      setBusy(false);
    }
  };

  const markRead = async (n: Notification) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const read = await notifications.markRead(n.id);
      setItems((shown) => shown.map((x) => (x.id === read.id ? read : x)));
    } catch (error) {
      setMessage({ tone: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };

  const markAll = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const marked = await notifications.markAllRead();
      const at = new Date().toISOString();
      setItems((shown) => shown.map((x) => (x.readAt === null ? { ...x, readAt: at } : x)));
      setMessage({ tone: "success", text: marked === 0 ? "Nothing was unread." : `Marked ${plural(marked, "notification")} read.` });
    } catch (error) {
      setMessage({ tone: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };

  const unread = notifications.unread ?? first.data?.unread;
  return (
    <>
      <PageHeader
        title="Notifications"
        subtitle={
          unread === undefined ? "Alerts from your playbooks" : unread === 0 ? "All read" : `${plural(unread, "unread notification")}`
        }
        actions={
          <>
            <button type="button" onClick={() => void first.reload()} disabled={first.loading}>
              Refresh
            </button>
            <button type="button" className="primary" onClick={() => void markAll()} disabled={busy || unread === 0}>
              Mark all read
            </button>
          </>
        }
      />
      <ActionMessage message={message} />
      <NotificationPreferences />
      <nav className="tabs" aria-label="Show">
        <Link to="/app/notifications" aria-current={onlyUnread ? undefined : "page"}>
          All
        </Link>
        <Link to="/app/notifications?show=unread" aria-current={onlyUnread ? "page" : undefined}>
          Unread
        </Link>
      </nav>
      <ErrorNotice error={first.error} onRetry={() => void first.reload()} />
      <section className="card" aria-labelledby="notifications-h" style={{ padding: 0 }}>
        <h2 id="notifications-h" className="visually-hidden">
          {onlyUnread ? "Unread notifications" : "All notifications"}
        </h2>
        {first.loading && !first.data ? (
          <div style={{ padding: "1rem 1.25rem" }}>
            <Loading label="Loading your notifications" />
          </div>
        ) : items.length > 0 || !first.error ? (
          <NotificationList
            items={items}
            busy={busy}
            emptyTitle={onlyUnread ? "Nothing unread" : "No notifications"}
            onMarkRead={(x) => void markRead(x)}
          />
        ) : null}
      </section>
      <ErrorNotice error={more} onRetry={() => void loadMore()} />
      {cursor ? (
        <div className="row" style={{ marginTop: "1rem" }}>
          <button type="button" onClick={() => void loadMore()} disabled={busy}>
            Load more
          </button>
        </div>
      ) : null}
    </>
  );
}
