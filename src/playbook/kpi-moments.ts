// Where a playbook's KPIs measure to, said once for the metrics (which compute them) and the SOP
// (which says them in words).
import type { Playbook } from "./schema.ts";

const FIRST_VALUE = /first[ _-]?value|value[ _-]?review/i;

/**
 * The step whose completion is first value when the time-to-first-value KPI names no
 * `first_value:` (older playbooks): the first whose id or title says "first value" or "value
 * review". Null: go-live is first value.
 */
export function guessedFirstValueStep(playbook: Playbook): string | null {
  for (const phase of playbook.phases)
    for (const step of phase.steps) if (FIRST_VALUE.test(step.id) || FIRST_VALUE.test(step.title)) return step.id;
  return null;
}
