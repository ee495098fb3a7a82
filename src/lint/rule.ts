// A lint rule reads a loaded playbook and reports findings; it never changes anything.
import type { Finding, Severity } from "../playbook/diagnostics.ts";
import type { PlaybookModel } from "../playbook/model.ts";

export interface LintRule {
  readonly id: string;
  readonly severity: Severity;
  /**
   * "quality": the SOP QA checklist (an expected result per step, KPIs with targets, exception
   * rules, timelines...); enforced by the strict profile, reported as warnings by the draft one.
   * "correctness": what would make a project run wrongly or not at all; an error in every profile.
   */
  readonly kind: "quality" | "correctness";
  /** One line for `onboard lint --rules` and the docs: what the rule protects. */
  readonly description: string;
  check(model: PlaybookModel): Iterable<LintFinding>;
}

/** A rule's finding; the rule id and default severity are filled in by the runner. */
export type LintFinding = Omit<Finding, "rule" | "severity"> & { readonly severity?: Severity };
