// A data subject's request is answered "without undue delay and in any event within one month of
// receipt", extendable "by two further months where necessary" (GDPR Art. 12(3)). A month is a
// calendar month (Regulation 1182/71 Art. 3(2)(c)): received on 31 January, due on 28/29 February.
import { DateTime } from "luxon";

export const MAX_EXTENSION_MONTHS = 2;

/** The deadline for a request received at `receivedAt` (ISO instant), extended by `extendedMonths`. */
export function requestDueAt(receivedAt: string, extendedMonths = 0): string {
  if (!Number.isInteger(extendedMonths) || extendedMonths < 0 || extendedMonths > MAX_EXTENSION_MONTHS) {
    throw new RangeError(`a request can be extended by 0 to ${MAX_EXTENSION_MONTHS} months, not ${extendedMonths}`);
  }
  const received = DateTime.fromISO(receivedAt, { zone: "utc" });
  if (!received.isValid) throw new RangeError(`not an instant: ${receivedAt}`);
  // luxon clamps to the month's last day (Jan 31 + 1 month = Feb 28/29), as the regulation counts.
  const due = received.plus({ months: 1 + extendedMonths });
  return due.toISO({ suppressMilliseconds: false }) ?? receivedAt;
}
