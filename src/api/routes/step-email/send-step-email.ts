// POST /projects/:id/steps/:step/email: the step's owner sends the step's email from Onboard and the
// step completes. The mail is the draft of GET .../email, or an edited subject and text (the HTML
// part is then the edited text, escaped). It goes through the configured mailer (recorded for GET
// /mail with the project's id; SMTP when configured) by the outbox, and the step completes through the project
// command path (complete_step as the signed-in account, If-Match and Idempotency-Key as for
// POST /projects/:id/commands), so only who may complete the step may send its mail.
//
// Order: the draft is rendered first (a missing contact or placeholder is a 422 and nothing
// happens), then the command runs, and the mail is written to the outbox in the command's own
// transaction: it goes if and only if the step completes. A refused command (403 not the step's
// owner, 409 not open or its checklist not ticked, 412 stale) therefore sends nothing, and a crash
// after the commit loses nothing (the outbox dispatcher delivers it, retrying with backoff while
// SMTP is down). Its key is derived from the completion event: the mail store keeps one message per
// key and SMTP is skipped for one already sent, so a retried delivery sends it once, and a replay of
// the request (same Idempotency-Key) writes nothing more.

import { plainMessage } from "../../../notify/notifications.ts";
import type { CommandResult, MailEffect } from "../../../store/index.ts";
import { actorFor, principalOf } from "../../auth/authorization.ts";
import { eventView } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { userKey } from "../../idempotency.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { stepEmailDraft } from "./draft.ts";
import { recipientView, SendStepEmailBody, SendStepEmailHeaders, StepEmailParams, StepEmailSent } from "./step-email.types.ts";

/** The mail's key: its step's completion event, so each completion of the step mails once. */
function mailKey(projectId: string, step: string, result: CommandResult): string {
  const completed = result.events.find((e) => e.event.type === "step.completed" && e.event.step === step);
  return `${projectId}@${completed?.seq ?? result.version}#step-email:${step}`;
}

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
        response: { 200: StepEmailSent, ...problemResponses(400, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expectedVersion = requiredVersion(request.headers["if-match"]);
      const idempotencyKey = request.headers["idempotency-key"];
      const { id, step } = request.params;

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
          idempotencyKey: userKey(principal.user.id, `step-email:${idempotencyKey}`),
          now: deps.clock(),
          deliver: (accepted) => ({
            key: mailKey(id, step, accepted),
            effect: {
              kind: "send_mail",
              to: draft.to.map((r) => ({ name: r.name, address: r.address })),
              subject: message.subject,
              text: message.text,
              ...(message.html !== undefined ? { html: message.html } : {}),
              ...(draft.cc ? { cc: draft.cc } : {}),
              ...(draft.replyTo ? { replyTo: draft.replyTo } : {}),
              ...(draft.from ? { from: draft.from } : {}),
            },
          }),
        })
        .catch((error: unknown) => {
          throw preconditionFailed(error);
        });

      // What goes: on a replay, the message the first request queued.
      const key = mailKey(id, step, result);
      const queued = await deps.db.selectFrom("outbox").select(["effect"]).where("delivery_key", "=", key).executeTakeFirst();
      const mail = queued?.effect as MailEffect | undefined;
      if (result.replayed) reply.header("idempotent-replayed", "true");
      reply.header("etag", etag(result.version));
      return {
        projectId: result.projectId,
        version: result.version,
        status: result.status,
        mail: {
          key,
          to: draft.to.filter((r) => !mail || mail.to.some((a) => a.address.toLowerCase() === r.address.toLowerCase())).map(recipientView),
          subject: mail?.subject ?? message.subject,
        },
        events: result.events.map(eventView),
        replayed: result.replayed,
      };
    },
  );
}
