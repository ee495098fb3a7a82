// The draft both step-email endpoints start from: the step's mail rendered for its project. A
// placeholder the project has no value for is a 422 naming it (the template engine's strict
// variables), with the template's field and the placeholder, as template previews report them.
import type { StepEmail } from "../../../notify/notifications.ts";
import { TemplateError } from "../../../notify/templates.ts";
import type { ApiDeps } from "../../deps.ts";
import { HttpProblem } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";

export async function stepEmailDraft(deps: ApiDeps, projectId: string, step: string): Promise<StepEmail> {
  try {
    return await notificationsOf(deps).stepEmail(projectId, step);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const field = typeof error.details.field === "string" ? error.details.field : "body";
    const placeholder = typeof error.details.placeholder === "string" ? error.details.placeholder : undefined;
    throw new HttpProblem("invalid", error.message, {
      extensions: { errors: [{ pointer: `/template/${field}`, detail: error.message, ...(placeholder ? { placeholder } : {}) }] },
      cause: error,
    });
  }
}
