// GET /surveys/:token: what a survey link shows, the questions from the playbook. Public: the
// signed token (project, survey, contact, expiry) is the credential. Reading it consumes nothing
// (mail scanners follow links); only the POST answers.
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { SurveyForm, SurveyParams } from "./survey.types.ts";

export function getSurvey(app: Api, deps: ApiDeps): void {
  app.get(
    "/surveys/:token",
    {
      config: { access: "public" },
      schema: {
        tags: ["surveys"],
        operationId: "getSurvey",
        summary: "The survey a link is for, with its questions",
        params: SurveyParams,
        response: { 200: SurveyForm, ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      reply.header("referrer-policy", "no-referrer");
      const form = await notificationsOf(deps).surveyForm(request.params.token);
      return { ...form, questions: form.questions.map(({ options, ...q }) => ({ ...q, ...(options ? { options: [...options] } : {}) })) };
    },
  );
}
