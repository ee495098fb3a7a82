// POST /surveys/:token: answer a survey once per link. Runs the engine's answer_survey as the
// contact the link was sent to, so the playbook's automations fire (an NPS below 7 alerts the CSM).
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
      // The team hears of the answer as of any client action (in the app, by email or chat as each prefers).
      await notificationsOf(deps).answerSurvey(request.params.token, request.body, async ({ answerId, projectId, survey, contactName }) => {
        const project = await deps.service.getProject(projectId);
        const model = await modelOf(deps, project.playbook.id, project.playbook.version);
        const what = describeClientCommand(model, { type: "answer_survey", survey, score: request.body.score });
        if (what === null) return [];
        const notices = await clientActionNotices(deps.database.db, { model, state: project.state, contactName, what });
        return keyed(notices, `survey:${answerId}`);
      });
      return reply.code(201).send({ answered: true as const });
    },
  );
}
