// Dates as a client edition prints them, in the client's time zone: "Tue 3 Mar 2026, 17:00".
// English (en-GB) day-month order, which reads the same on both sides of the Atlantic.

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      ...(withTime ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : {}),
    });
    dateFormats.set(key, f);
  }
  return f;
}

/** "Tue 3 Mar 2026" for an ISO instant, in the zone. */
export function formatDate(iso: string, timeZone: string): string {
  return format(timeZone, false).format(new Date(iso)).replace(/,/g, "");
}

/** "Tue 3 Mar 2026, 17:00" for an ISO instant, in the zone. */
export function formatDateTime(iso: string, timeZone: string): string {
  const parts = format(timeZone, true).formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")}`;
}

/** "Tue 3 Mar 2026" for a local date YYYY-MM-DD. */
export function formatLocalDate(date: string): string {
  return formatDate(`${date}T12:00:00Z`, "UTC");
}
