// The one error the business calendar throws. A calendar is built from a playbook's `calendar:`
// block and a client's facts, so every error names the field at fault; the engine turns it into a
// finding or a failed command instead of a stack trace.

export type CalendarErrorCode =
  | "invalid_time_zone"
  | "invalid_working_days"
  | "invalid_working_hours"
  | "invalid_country"
  | "invalid_region"
  | "invalid_date"
  | "invalid_instant"
  | "invalid_duration"
  | "no_working_time"
  | "out_of_range";

export class CalendarError extends Error {
  readonly code: CalendarErrorCode;
  /** The CalendarSpec field or argument at fault: "timeZone", "closures[1].to", "amount" ... */
  readonly field: string;

  constructor(code: CalendarErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "CalendarError";
    this.code = code;
    this.field = field;
  }
}
