// A step's deadline as a BPMN timer. A deadline counted from when the step opens is an ISO 8601
// duration; one anchored elsewhere (the start, go-live, another step) is a date the running system
// supplies, since only it knows when the anchor happened. BPMN has no business calendar, so
// business time is written as the same amount of calendar time and stated in the documentation.
import type { Amount, Deadline, Duration, TimeUnit } from "../../playbook/time-expressions.ts";

export type Timer =
  | { readonly kind: "timeDuration"; readonly value: string; readonly note: string }
  | { readonly kind: "timeDate"; readonly value: string; readonly note: string };

const ISO: Readonly<Record<TimeUnit, { readonly time: boolean; readonly letter: string }>> = {
  minute: { time: true, letter: "M" },
  hour: { time: true, letter: "H" },
  day: { time: false, letter: "D" },
  week: { time: false, letter: "W" },
  month: { time: false, letter: "M" },
};

function amountText(amount: Amount): string {
  return amount.kind === "literal" ? String(amount.value) : `\${environment.variables.params.${amount.name}}`;
}

export function isoDuration(duration: Duration): string {
  const unit = ISO[duration.unit];
  return `P${unit.time ? "T" : ""}${amountText(duration.amount)}${unit.letter}`;
}

/** `key` names the deadline among the `deadlines` variables a running system provides. */
export function timerFor(deadline: Deadline, key: string): Timer {
  if (deadline.kind === "offset" && deadline.anchor.kind === "activation" && deadline.direction === "after") {
    const business = deadline.duration.business
      ? " Counted on the client's business calendar in Onboard; BPMN has none, so the timer runs the same amount of calendar time."
      : "";
    return { kind: "timeDuration", value: isoDuration(deadline.duration), note: `Due ${deadline.text} after the step opens.${business}` };
  }
  return {
    kind: "timeDate",
    value: `\${environment.variables.deadlines.${key}}`,
    note: `Due ${deadline.text}: a date Onboard computes on the client's business calendar, given to the process as the variable deadlines.${key}.`,
  };
}
