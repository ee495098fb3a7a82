// What a procedure is: an onboarding, an account handoff, a due-diligence review... The SOP's text
// ("the account handoff is completed", "for an existing client") and the process map follow it, so
// a procedure that is not an onboarding does not read as one.
import type { Playbook } from "./schema.ts";

export const PROCEDURE_KINDS = [
  "onboarding",
  "implementation",
  "account_handoff",
  "due_diligence",
  "periodic_review",
  "offboarding",
  "employee_onboarding",
  "other",
] as const;
export type ProcedureKind = (typeof PROCEDURE_KINDS)[number];

export interface KindWords {
  /** What one run of the procedure is called: "the {noun} starts". */
  readonly noun: string;
  /** Who a run is for: "opened for {subject}". */
  readonly subject: string;
}

const WORDS: Readonly<Record<ProcedureKind, KindWords>> = {
  onboarding: { noun: "onboarding", subject: "a new client" },
  implementation: { noun: "implementation", subject: "a new client" },
  account_handoff: { noun: "account handoff", subject: "an existing client" },
  due_diligence: { noun: "due-diligence review", subject: "a client" },
  periodic_review: { noun: "periodic review", subject: "an existing client" },
  offboarding: { noun: "offboarding", subject: "a departing client" },
  employee_onboarding: { noun: "employee onboarding", subject: "a new hire" },
  other: { noun: "procedure", subject: "a client" },
};

export function kindWords(playbook: Pick<Playbook, "kind">): KindWords {
  return WORDS[playbook.kind];
}
