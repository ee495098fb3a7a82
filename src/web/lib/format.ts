// Dates and durations as people read them, in the viewer's time zone or the client's.
const DAY = 86_400_000;

export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatDate(iso: string | null | undefined, zone?: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: zone ?? viewerZone }).format(
    new Date(iso),
  );
}

/**
 * A span of days, each end with its day, month and year, what they share said once where the locale
 * allows ("2–25 Mar 2026", "28 Feb – 3 Mar 2026").
 */
export function formatDateRange(from: string, to: string, zone?: string): string {
  const format = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: zone ?? viewerZone });
  return format.formatRange(new Date(from), new Date(to));
}

export function formatDateTime(iso: string | null | undefined, zone?: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: zone ?? viewerZone,
    timeZoneName: "short",
  }).format(new Date(iso));
}

export function shortDate(iso: string | null | undefined, zone?: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: zone ?? viewerZone }).format(new Date(iso));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string | number | Date, to: string | number | Date): number {
  return Math.floor((new Date(to).getTime() - new Date(from).getTime()) / DAY);
}

/** "due in 3 days", "due today", "2 days late". */
export function dueLabel(dueAt: string | null | undefined, now: number = Date.now()): string {
  if (!dueAt) return "no deadline";
  const ms = new Date(dueAt).getTime() - now;
  const days = Math.round(Math.abs(ms) / DAY);
  if (ms < 0) return days === 0 ? "late today" : `${days} day${days === 1 ? "" : "s"} late`;
  if (days === 0) return "due today";
  return `due in ${days} day${days === 1 ? "" : "s"}`;
}

export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** "client_primary" → "Client primary". */
const ACRONYMS = new Set(["csm", "ae", "sso", "uat", "api", "nps", "csat", "kpi", "sla", "smb", "it", "cs", "ops", "crm"]);

export function humanize(id: string): string {
  const words = id
    .replace(/[_.-]+/g, " ")
    .trim()
    .split(" ")
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
