// Who may do what to a step, from the playbook's owner and RACI. The API maps people to playbook
// roles per project; here only roles count.
import type { Step } from "../playbook/schema.ts";
import type { Actor } from "./types.ts";

export function canManage(actor: Actor): boolean {
  return actor.manager === true;
}

/** Owner, responsible or accountable (or the checklist item's owner) may work on a step. */
export function canAct(actor: Actor, step: Step, itemOwner?: string, accountableOnly = false): boolean {
  if (actor.kind === "system" || actor.manager) return true;
  const allowed = accountableOnly
    ? [step.raci?.accountable ?? step.owner]
    : [step.owner, ...(step.raci?.responsible ?? []), step.raci?.accountable, itemOwner];
  return actor.roles.some((role) => allowed.includes(role));
}

/**
 * A sign-off is given by the named role only: nobody, not even an admin, signs for a client; and a
 * sign-off is a person's judgement, so no automation (the system, a service account) gives one.
 */
export function canApprove(actor: Actor, role: string): boolean {
  return actor.kind !== "system" && actor.kind !== "service" && actor.roles.includes(role);
}
