// POST /projects/:id/steps/:step/email: the step's owner sends the step's email from Onboard and the
// step completes. The mail is the draft of GET .../email, or an edited subject and text (the HTML
// part is then the edited text, escaped). It goes through the configured mailer (recorded for GET
// /mail with the project's id; SMTP when configured) and the step completes through the project
// command path (complete_step as the signed-in account, If-Match and Idempotency-Key as for
// POST /projects/:id/commands), so only who may complete the step may send its mail.
//
// Order: the draft is rendered first (a missing contact or placeholder is a 422 and nothing
// happens), then the command runs, and the mail is sent only once the command is accepted. A
// refused command (403 not the step's owner, 409 not open or its checklist not ticked, 412 stale)
// therefore sends nothing. Sending first could not be undone when the command is then refused;
// checking permission first and sending before committing would still race with another change.
// The mail is not lost when sending fails after the step completed: its key is derived from the
// completion event, and the required Idempotency-Key replays the same completion, so the same
// request again sends the mail exactly once (the mail store keeps one message per key, and SMTP
// is skipped for a message already sent). Such a failure is a 503 saying so, never silent.

import { plainMessage } from "../../../notify/notifications.ts";
import { actorFor, principalOf } from "../../auth/authorization.ts";
import { eventView } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { userKey } from "../../idempotency.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { stepEmailDraft } from "./draft.ts";
import { recipientView, SendStepEmailBody, SendStepEmailHeaders, StepEmailParams, StepEmailSent } from "./step-email.types.ts";

export function sendStepEmail(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/steps/:step/email",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "sendStepEmail",
        summary: "Send an email step's email (as rendered, or edited) and complete the step (needs If-Match and Idempotency-Key)",
        params: StepEmailParams,
        headers: SendStepEmailHeaders,
        body: SendStepEmailBody.optional(),
        response: { 200: StepEmailSent, ...problemResponses(400, 403, 404, 409, 412, 422, 428, 503) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expectedVersion = requiredVersion(request.headers["if-match"]);
      const key = request.headers["idempotency-key"];
      const { id, step } = request.params;
      const notifications = notificationsOf(deps);

      const draft = await stepEmailDraft(deps, id, step);
      const edit = request.body ?? {};
      const subject = edit.subject ?? draft.message.subject;
      const message = edit.text !== undefined ? plainMessage(subject, edit.text) : { ...draft.message, subject };

      // The roles read here belong to the version the store then requires: a stale read never acts.
      const project = await deps.service.getProject(id);
      const result = await deps.service
        .runCommand(id, {
          command: { type: "complete_step", step },
          actor: actorFor(principal, project.state),
          expectedVersion,
          // Its own namespace: a key once used for a plain command never replays as a sent mail.
          idempotencyKey: userKey(principal.user.id, `step-email:${key}`),
          now: deps.clock(),
        })
        .catch((error: unknown) => {
          throw preconditionFailed(error);
        });

      const completed = result.events.find((e) => e.event.type === "step.completed" && e.event.step === step);
      const mailKey = `${id}@${completed?.seq ?? result.version}#step-email:${step}`;
      try {
        await notifications.sendProjectMail(id, draft.to, message, mailKey);
      } catch (error) {
        request.log.error({ err: error, projectId: id, step }, "a step's email could not be sent after the step completed");
        throw new HttpProblem(
          "unavailable",
          `"${draft.title}" is done, but its email could not be sent (${(error as Error).message}): send the same request again with the same Idempotency-Key to send it; nothing is sent twice`,
          { cause: error },
        );
      }
      // What went: on a replay, the message the first request sent.
      const sent = await notifications.db
        .selectFrom("mail_messages")
        .select(["subject", "recipients"])
        .where("key", "=", mailKey)
        .executeTakeFirst();
      if (result.replayed) reply.header("idempotent-replayed", "true");
      reply.header("etag", etag(result.version));
      return {
        projectId: result.projectId,
        version: result.version,
        status: result.status,
        mail: {
          key: mailKey,
          to: draft.to
            .filter((r) => !sent || sent.recipients.some((a) => a.address.toLowerCase() === r.address.toLowerCase()))
            .map(recipientView),
          subject: sent?.subject ?? message.subject,
        },
        events: result.events.map(eventView),
        replayed: result.replayed,
      };
    },
  );
}
