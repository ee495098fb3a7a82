// GET /projects/:id/meetings/:meeting.ics: a meeting of the project as an iCalendar file (the same
// invitation the attendees were mailed; its UID is stable, so importing it again updates it).
import { z } from "zod";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";

export function getMeetingIcs(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/meetings/:meeting.ics",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getMeetingIcs",
        summary: "A meeting of the project (kickoff, check-ins, reviews, training) as an .ics invitation",
        params: z.object({ id: z.string().min(1).max(200), meeting: z.string().regex(/^[a-z][a-z0-9_]*$/) }),
        response: { 200: z.string().describe("An iCalendar file (text/calendar, METHOD:REQUEST)."), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const ics = await notificationsOf(deps).meetingIcs(request.params.id, request.params.meeting);
      return reply
        .header("content-type", "text/calendar; charset=utf-8")
        .header("content-disposition", `attachment; filename="${request.params.meeting}.ics"`)
        .send(ics);
    },
  );
}
