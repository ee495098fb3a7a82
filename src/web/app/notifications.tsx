// In-app notifications (a playbook's notify actions for you): the unread count, kept fresh (every
// minute, when the window gets focus, after marking), the bell in the navigation with its panel of
// the newest ones, and the list the panel and the notifications page share. Opening a
// notification (its link to the project) marks it read.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from "react";
import { api, type Schemas } from "../api/client.ts";
import { Empty, ErrorNotice, Loading } from "../components/ui.tsx";
import { formatDateTime, plural, timeAgo } from "../lib/format.ts";
import { Link, useLocation } from "../lib/router.tsx";
import { useResource } from "../lib/use-resource.ts";

export type Notification = Schemas["Notification"];

const POLL_MS = 60_000;

interface NotificationsState {
  /** Unread notifications in all; undefined until first read. */
  readonly unread: number | undefined;
  /** Changes whenever notifications were marked read here, so lists can read them again. */
  readonly version: number;
  refresh(): Promise<void>;
  markRead(id: string): Promise<Notification>;
  markAllRead(): Promise<number>;
}

const NotificationsContext = createContext<NotificationsState | null>(null);

export function useNotifications(): NotificationsState {
  const state = useContext(NotificationsContext);
  if (!state) throw new Error("useNotifications outside NotificationsProvider");
  return state;
}

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [unread, setUnread] = useState<number>();
  const [version, setVersion] = useState(0);
  const refresh = useCallback(async () => {
    try {
      const { data } = await api.get("/notifications", { query: { unread: "true", limit: 1 } });
      setUnread(data.unread);
    } catch {
      // The badge keeps its last count until the next round; a signed-out session is handled by the API client.
    }
  }, []);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    const visible = () => {
      if (document.visibilityState === "visible") void refresh();
    };
    window.addEventListener("focus", visible);
    document.addEventListener("visibilitychange", visible);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", visible);
      document.removeEventListener("visibilitychange", visible);
    };
  }, [refresh]);
  const markRead = useCallback(
    async (id: string) => {
      const { data } = await api.post("/notifications/{id}/read", { path: { id } });
      setVersion((v) => v + 1);
      await refresh();
      return data;
    },
    [refresh],
  );
  const markAllRead = useCallback(async () => {
    const { data } = await api.post("/notifications/read-all");
    setUnread(0);
    setVersion((v) => v + 1);
    // One may have arrived meanwhile: count again.
    await refresh();
    return data.marked;
  }, [refresh]);
  const state = useMemo(() => ({ unread, version, refresh, markRead, markAllRead }), [unread, version, refresh, markRead, markAllRead]);
  return <NotificationsContext.Provider value={state}>{children}</NotificationsContext.Provider>;
}

/** "Notifications, 3 unread": what the bell says to screen readers. */
export function bellLabel(unread: number | undefined): string {
  if (unread === undefined) return "Notifications";
  return `Notifications, ${unread === 0 ? "none" : unread} unread`;
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}

/** One notification: its message (a link to the project, which marks it read), the client and when. */
function NotificationItem({
  notification: n,
  onOpen,
  onMarkRead,
  busy,
}: {
  notification: Notification;
  onOpen: (n: Notification) => void;
  onMarkRead: (n: Notification) => void;
  busy?: boolean;
}) {
  const unread = n.readAt === null;
  return (
    <li className={`notification${unread ? " unread" : ""}`}>
      <span className="notification-dot" aria-hidden="true" />
      <div>
        <div className="notification-message">
          {unread ? <span className="visually-hidden">Unread: </span> : null}
          {n.projectId ? (
            <Link to={`/app/projects/${encodeURIComponent(n.projectId)}`} onClick={() => onOpen(n)}>
              {n.message}
            </Link>
          ) : (
            n.message
          )}
        </div>
        <div className="task-meta">
          {n.clientName ?? "General"} ·{" "}
          <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
            {timeAgo(n.createdAt)}
          </time>
        </div>
      </div>
      {unread ? (
        <button type="button" className="small" onClick={() => onMarkRead(n)} disabled={busy} aria-label={`Mark read: ${n.message}`}>
          Mark read
        </button>
      ) : null}
    </li>
  );
}

/**
 * Notifications as a list, or the empty state: the bell's panel and the notifications page. Opening
 * one marks it read (then `onOpened`, the panel closing itself).
 */
export function NotificationList({
  items,
  busy,
  emptyTitle = "No notifications",
  onOpened,
  onMarkRead,
}: {
  items: readonly Notification[];
  busy: boolean;
  emptyTitle?: string;
  onOpened?: () => void;
  onMarkRead: (n: Notification) => void;
}) {
  const notifications = useNotifications();
  if (items.length === 0)
    return (
      <Empty title={emptyTitle}>
        <p>When a playbook alerts you (a low survey score, an escalation) it appears here.</p>
      </Empty>
    );
  return (
    <ul className="notification-list">
      {items.map((n) => (
        <NotificationItem
          key={n.id}
          notification={n}
          busy={busy}
          onOpen={(x) => {
            if (x.readAt === null) void notifications.markRead(x.id).catch(() => undefined);
            onOpened?.();
          }}
          onMarkRead={onMarkRead}
        />
      ))}
    </ul>
  );
}

/** The newest notifications, in a panel under the bell. */
function NotificationPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const notifications = useNotifications();
  const list = useResource(
    async (signal) => (await api.get("/notifications", { query: { limit: 8 }, signal })).data,
    [notifications.version],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const items = list.data?.items ?? [];
  const unread = notifications.unread ?? list.data?.unread ?? 0;
  return (
    <section id={id} className="notification-panel" aria-labelledby={`${id}-h`}>
      <div className="card-header">
        <h2 id={`${id}-h`}>Notifications</h2>
        <button type="button" className="small" onClick={() => void act(notifications.markAllRead)} disabled={busy || unread === 0}>
          Mark all read
        </button>
      </div>
      <p className="muted small" aria-live="polite">
        {unread === 0 ? "All read." : `${plural(unread, "unread notification")}.`}
      </p>
      <ErrorNotice error={error ?? list.error} onRetry={() => void list.reload()} />
      {list.loading && !list.data ? (
        <Loading lines={3} label="Loading your notifications" />
      ) : items.length > 0 || !list.error ? (
        <NotificationList items={items} busy={busy} onOpened={onClose} onMarkRead={(x) => void act(() => notifications.markRead(x.id))} />
      ) : null}
      <div className="notification-panel-foot">
        <Link to="/app/notifications" onClick={onClose}>
          See all notifications
        </Link>
      </div>
    </section>
  );
}

/** The bell in the navigation: the unread count, and the panel it opens (Escape or a click outside closes it). */
export function NotificationBell() {
  const { unread, refresh } = useNotifications();
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();
  const { pathname } = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the panel on every navigation
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    void refresh();
    const key = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const pointer = (event: PointerEvent) => {
      if (event.target instanceof Node && !wrapper.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener("keydown", key);
    document.addEventListener("pointerdown", pointer);
    return () => {
      document.removeEventListener("keydown", key);
      document.removeEventListener("pointerdown", pointer);
    };
  }, [open, refresh]);
  return (
    <div className="bell" ref={wrapper}>
      <button
        ref={button}
        type="button"
        className="bell-button"
        aria-label={bellLabel(unread)}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen(!open)}
      >
        <BellIcon />
        {unread ? (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? <NotificationPanel id={id} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
