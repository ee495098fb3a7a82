// GET /portal/api/projects: the contact's own company's onboardings, with what waits for them.

import { z } from "zod";
import { contactOf } from "../../auth/contact-sessions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactView } from "../../portal/contact-projects.ts";
import { PortalProjectSummary } from "./portal.types.ts";

export function listPortalProjects(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/projects",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "listPortalProjects",
        summary: "Your company's onboardings",
        response: { 200: z.object({ items: z.array(PortalProjectSummary) }) },
      },
    },
    async (request) => {
      const contact = contactOf(request);
      const projects = await deps.service.listProjects({ clientId: contact.clientId });
      const items = [];
      for (const project of projects.filter((p) => p.status !== "cancelled")) {
        const view = await contactView(deps, contact, project);
        items.push({
          id: view.id,
          title: view.title,
          status: view.status,
          startedAt: view.startedAt,
          goLiveAt: view.goLiveAt,
          progress: view.progress,
          owed: view.owed.length,
          overdue: view.owed.filter((o) => o.overdue).length,
        });
      }
      return { items };
    },
  );
}
