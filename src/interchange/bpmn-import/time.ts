// BPMN time values into the playbook's duration words: ISO 8601 durations (timer events, Camunda 8
// schedules) and the due-date expressions modelers write most ("${dateTime().plusWeeks(1).toDate()}",
// `=now() + duration("P2D")`). Dates, cycles and other expressions are left to the author.

const UNITS = [
  ["Y", "year"],
  ["M", "month"],
  ["W", "week"],
  ["D", "day"],
] as const;
const TIME_UNITS = [
  ["H", "hour"],
  ["M", "minute"],
  ["S", "second"],
] as const;

function words(amount: number, unit: string): string {
  return `${amount} ${unit}${amount === 1 ? "" : "s"}`;
}

/** "P2D" → "2 days", "PT48H" → "48 hours", "P1DT12H" → "36 hours"; undefined when it is no duration. */
export function isoDurationWords(text: string): string | undefined {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text.trim());
  if (!match || text.trim() === "P" || text.trim().endsWith("T")) return undefined;
  const [, y, mo, w, d, h, mi, s] = match.map((part) => (part === undefined ? 0 : Number(part)));
  if ((s ?? 0) > 0) return undefined;
  const parts: Array<[number, string]> = [
    [y ?? 0, UNITS[0][1]],
    [mo ?? 0, UNITS[1][1]],
    [w ?? 0, UNITS[2][1]],
    [d ?? 0, UNITS[3][1]],
    [h ?? 0, TIME_UNITS[0][1]],
    [mi ?? 0, TIME_UNITS[1][1]],
  ];
  const given = parts.filter(([amount]) => amount > 0);
  if (given.length === 0) return undefined;
  if (given.length === 1) {
    const [amount, unit] = given[0] ?? [0, "day"];
    // The playbook has no years: twelve months each.
    return unit === "year" ? words(amount * 12, "month") : words(amount, unit);
  }
  // Mixed parts: counted in the smallest unit given, when no month or year makes its length uncertain.
  if ((y ?? 0) > 0 || (mo ?? 0) > 0) return undefined;
  const minutes = ((w ?? 0) * 7 * 24 + (d ?? 0) * 24 + (h ?? 0)) * 60 + (mi ?? 0);
  return minutes % 60 === 0 ? words(minutes / 60, "hour") : words(minutes, "minute");
}

/** A timer's duration: ISO 8601, or Camunda 8's FEEL forms of it (`=PT48H`, `=duration("PT48H")`). */
export function timerDurationWords(text: string): string | undefined {
  return isoDurationWords(
    text
      .trim()
      .replace(/^=\s*/, "")
      .replace(/^duration\(\s*"(.*)"\s*\)$/, "$1"),
  );
}

/** A due date as written in Camunda 7 (camunda:dueDate) or Camunda 8 (zeebe:taskSchedule dueDate). */
export function dueDateWords(text: string): string | undefined {
  const trimmed = text.trim();
  const juel = /^\$\{\s*dateTime\(\)\.plus(Minutes|Hours|Days|Weeks|Months)\((\d+)\)\.toDate\(\)\s*\}$/.exec(trimmed);
  if (juel) return words(Number(juel[2]), (juel[1] ?? "Days").toLowerCase().replace(/s$/, ""));
  const feel = /^=\s*now\(\)\s*\+\s*duration\(\s*"([^"]+)"\s*\)$/.exec(trimmed);
  if (feel) return isoDurationWords(feel[1] ?? "");
  return timerDurationWords(trimmed);
}
