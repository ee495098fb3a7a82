// GET and PUT /notifications/preferences: how I hear of what clients do in the portal (approvals,
// messages, files, forms, survey answers, ticked items). Always in the app; by email and in the
// team's chat when I ask for it (src/api/data/client-actions.ts reads these when a client acts).
import { z } from "zod";
import { principalOf } from "../../auth/authorization.ts";
import { DEFAULT_PREFERENCES, preferencesOf, savePreferences } from "../../data/client-actions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";

export const NotificationPreferences = z
  .object({
    clientActionsEmail: z.boolean().describe("Also email me when a client acts on a project where I hold a role."),
    clientActionsChat: z.boolean().describe("Also post it to the team's chat (Slack), naming me."),
  })
  .meta({ id: "NotificationPreferences" });

export function getNotificationPreferences(app: Api, deps: ApiDeps): void {
  app.get(
    "/notifications/preferences",
    {
      config: { access: "account:read" },
      schema: {
        tags: ["notifications"],
        operationId: "getNotificationPreferences",
        summary: "How I hear of what clients do",
        response: { 200: NotificationPreferences },
      },
    },
    async (request) => {
      const me = principalOf(request).user.id;
      return (await preferencesOf(deps.database.db, [me])).get(me) ?? DEFAULT_PREFERENCES;
    },
  );
}

export function putNotificationPreferences(app: Api, deps: ApiDeps): void {
  app.put(
    "/notifications/preferences",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["notifications"],
        operationId: "putNotificationPreferences",
        summary: "Choose how I hear of what clients do",
        body: NotificationPreferences,
        response: { 200: NotificationPreferences, ...problemResponses(400) },
      },
    },
    async (request) => {
      await savePreferences(deps.database.db, principalOf(request).user.id, request.body, deps.clock());
      return request.body;
    },
  );
}
