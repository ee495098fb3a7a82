// POST /surveys/:token: answer a survey once per link. Runs the engine's answer_survey as the
// contact the link was sent to, so the playbook's automations fire (an NPS below 7 alerts the CSM),
// and the team is told the client answered (issue 14 item 9), as for every client action.
import { clientActionNotices, describeClientCommand, keyed } from "../../data/client-actions.ts";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { SurveyAnswerBody, SurveyAnswered, SurveyParams } from "./survey.types.ts";

export function answerSurvey(app: Api, deps: ApiDeps): void {
  app.post(
    "/surveys/:token",
    {
      config: { access: "public", rateLimit: { max: 30, timeWindow: "1 minute" } },
      schema: {
        tags: ["surveys"],
        operationId: "answerSurvey",
        summary: "Answer the survey of a link (once)",
        params: SurveyParams,
        body: SurveyAnswerBody,
        response: { 201: SurveyAnswered, ...problemResponses(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      await notificationsOf(deps).answerSurvey(request.params.token, request.body, async ({ projectId, contactName, command }) => {
        const project = await deps.service.getProject(projectId);
        const model = await modelOf(deps, project.playbook.id, project.playbook.version);
        const what = describeClientCommand(model, command);
        const notices =
          what === null ? [] : await clientActionNotices(deps.database.db, { model, state: project.state, contactName, what });
        return notices.length > 0 ? (done) => keyed(notices, `${done.projectId}@${done.version}`) : undefined;
      });
      return reply.code(201).send({ answered: true as const });
    },
  );
}
