// A comment or a file may name the step it is about. The step must be one of the project's (and,
// from the portal, one the client sees): an unknown id would file the note under nothing anyone
// can find, and a guessed internal step id must not let a client attach things to it.
import type { ProjectState } from "../../engine/types.ts";
import type { ClientProjectView } from "../portal/client-view.ts";
import { fieldProblem } from "../problems.ts";

/** Refuse a step id the project does not have (400, naming the field). */
export function checkProjectStep(state: ProjectState, stepId: string | undefined, pointer: string): void {
  if (stepId !== undefined && !Object.hasOwn(state.steps, stepId)) throw fieldProblem(pointer, `this project has no step "${stepId}"`);
}

/** Refuse a step id the client does not see in the portal (400, naming the field). */
export function checkClientStep(view: ClientProjectView, stepId: string | undefined, pointer: string): void {
  if (stepId === undefined) return;
  const seen = view.phases.some((phase) => phase.steps.some((step) => step.id === stepId));
  if (!seen) throw fieldProblem(pointer, `there is no step "${stepId}" in this onboarding`);
}
