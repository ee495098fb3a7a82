// Prose the author wrote in Markdown: a link whose address every output would refuse (not http,
// https or mailto) is printed as plain words, so the author hears of it before a reader does.
import type { Path } from "../../playbook/diagnostics.ts";
import { parseProse } from "../../playbook/prose.ts";
import type { Playbook } from "../../playbook/schema.ts";
import type { LintFinding, LintRule } from "../rule.ts";

/** Every prose field of a playbook with its path. */
function* proseFields(p: Playbook): Generator<[Path, string]> {
  yield [["purpose"], p.purpose];
  for (const [i, d] of p.definitions.entries()) yield [["definitions", i, "meaning"], d.meaning];
  for (const [i, text] of p.prerequisites.entries()) yield [["prerequisites", i], text];
  for (const [id, role] of Object.entries(p.roles)) {
    if (role.description) yield [["roles", id, "description"], role.description];
    for (const [i, text] of role.responsibilities.entries()) yield [["roles", id, "responsibilities", i], text];
  }
  for (const [pi, phase] of p.phases.entries()) {
    if (phase.description) yield [["phases", pi, "description"], phase.description];
    for (const [si, step] of phase.steps.entries()) {
      const at: Path = ["phases", pi, "steps", si];
      if (step.description) yield [[...at, "description"], step.description];
      for (const [i, text] of step.instructions.entries()) yield [[...at, "instructions", i], text];
      if (step.expected_result) yield [[...at, "expected_result"], step.expected_result];
      for (const [i, item] of step.checklist.entries())
        yield typeof item === "string" ? [[...at, "checklist", i], item] : [[...at, "checklist", i, "text"], item.text];
      for (const [i, item] of (step.meeting?.agenda ?? []).entries())
        if (item.description) yield [[...at, "meeting", "agenda", i, "description"], item.description];
    }
  }
  for (const [ci, cadence] of p.cadences.entries()) {
    for (const [i, text] of cadence.instructions.entries()) yield [["cadences", ci, "instructions", i], text];
    if (cadence.expected_result) yield [["cadences", ci, "expected_result"], cadence.expected_result];
  }
  for (const [i, rule] of p.rules.entries()) if (rule.description) yield [["rules", i, "description"], rule.description];
  for (const [i, addendum] of p.compliance.entries())
    if (addendum.description) yield [["compliance", i, "description"], addendum.description];
}

export const linkAddress: LintRule = {
  id: "text/link-address",
  severity: "warning",
  kind: "quality",
  description: "Links in step text go to http, https or mailto addresses; any other address is printed as plain words.",
  *check({ playbook }) {
    for (const [path, text] of proseFields(playbook)) {
      const refused: string[] = [];
      // Placeholders are filled when the text is shown: an address made of them is judged then.
      parseProse(text, { onRefusedLink: (href) => (href.includes("{{") ? undefined : refused.push(href)) });
      for (const href of refused) {
        const finding: LintFinding = {
          path,
          message: `the link to "${href}" will be shown as plain text: only http, https and mailto addresses become links`,
          fix: 'write the full address, e.g. "https://example.com/guide" or "mailto:team@example.com"',
        };
        yield finding;
      }
    }
  },
};
