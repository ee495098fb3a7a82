// GET /portal/api/surveys: the surveys the signed-in contact has been sent and not answered yet,
// across their company's onboardings, each with the token of their own link so the portal opens the
// same survey page the email links to. Only the contact's own links; none of another contact's.
import { z } from "zod";
import { contactOf } from "../../auth/contact-sessions.ts";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { PortalSurvey } from "./portal.types.ts";

export function listPortalSurveys(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/surveys",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "listPortalSurveys",
        summary: "Your surveys still to answer",
        response: { 200: z.object({ items: z.array(PortalSurvey) }) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const contact = contactOf(request);
      const open = await notificationsOf(deps).openSurveys(contact.contactId);
      const items = [];
      for (const link of open) {
        const project = await deps.service.getProject(link.projectId).catch(() => undefined);
        if (!project || project.clientId !== contact.clientId || project.status === "cancelled") continue;
        const model = await modelOf(deps, project.playbook.id, project.playbook.version);
        const survey = model.playbook.surveys[link.survey];
        if (!survey) continue;
        items.push({
          projectId: project.id,
          projectTitle: model.playbook.document.client_title ?? "Your onboarding",
          title: survey.title,
          expiresAt: link.expiresAt,
          token: link.token,
        });
      }
      return { items };
    },
  );
}
