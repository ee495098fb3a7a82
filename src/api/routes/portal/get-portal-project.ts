// GET /portal/api/projects/:id: one of the company's onboardings as the client sees it. Another
// company's project answers 404, like one that does not exist.
import { contactOf } from "../../auth/contact-sessions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject, contactView } from "../../portal/contact-projects.ts";
import { etag } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { PortalProject, PortalProjectParams } from "./portal.types.ts";

export function getPortalProject(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/projects/:id",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "getPortalProject",
        summary: "Your onboarding: the plan, where you are, what you owe",
        params: PortalProjectParams,
        response: { 200: PortalProject, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const contact = contactOf(request);
      const project = await contactProject(deps, contact, request.params.id);
      reply.header("etag", etag(project.version));
      return contactView(deps, contact, project);
    },
  );
}
