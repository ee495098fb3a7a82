// Incidents: a condition that lints clean can still fail at run time (a regular expression, a
// missing key, a division by zero, a fact the client was not given). The command or start goes
// through; what the condition guards waits, and the project records an incident with the
// expression, the values it read and the error, until an admin retries (retry.ts).
import type { Evaluation } from "./conditions.ts";
import type { Draft } from "./draft.ts";
import type { Incident, ProjectState } from "./types.ts";

/** What an incident holds: a step's condition or decision, a rule's reaction, a cadence. */
export type IncidentTarget = Pick<Incident, "kind" | "step" | "rule" | "cadence" | "subject" | "event">;

function sameTarget(incident: Incident, target: IncidentTarget): boolean {
  return (
    incident.kind === target.kind &&
    incident.step === target.step &&
    incident.rule === target.rule &&
    incident.cadence === target.cadence &&
    incident.subject === target.subject
  );
}

export function openIncidents(state: ProjectState): Incident[] {
  return Object.values(state.incidents ?? {}).filter((i) => i.resolvedAt === undefined);
}

/** The open incident that holds this target, if any. */
export function openIncidentOn(state: ProjectState, target: IncidentTarget): Incident | undefined {
  return openIncidents(state).find((i) => sameTarget(i, target));
}

/** Whether a step waits on an incident of its own condition (`when:` or `for_each:`). */
export function stepHeld(state: ProjectState, step: string): boolean {
  return openIncidents(state).some((i) => i.kind === "step_condition" && i.step === step);
}

/** Record a failed evaluation as an incident, once per target while it is open. */
export function openIncident(draft: Draft, target: IncidentTarget, expression: string, failure: Extract<Evaluation, { ok: false }>): void {
  if (openIncidentOn(draft.state, target)) return;
  const incident: Incident = {
    id: draft.mint("incident"),
    ...target,
    expression,
    inputs: failure.inputs,
    error: failure.error,
    openedAt: draft.now,
  };
  draft.emit({ type: "incident.opened", incident });
}
