// PUT /projects/:id/attachments/:attachment/visibility: share a team file with the client in the
// portal, or make it internal again; recorded in the project's item changes.

import { notFound } from "../../../store/errors.ts";
import { principalOf } from "../../auth/authorization.ts";
import { listAttachments } from "../../data/attachments.ts";
import { setItemVisibility } from "../../data/item-changes.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { VisibilityBody } from "../comments/comment.types.ts";
import { Attachment, ProjectAttachmentParams } from "./attachment.types.ts";

export function setAttachmentVisibilityRoute(app: Api, deps: ApiDeps): void {
  app.put(
    "/projects/:id/attachments/:attachment/visibility",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "setAttachmentVisibility",
        summary: "Share a file with the client, or make it internal again",
        params: ProjectAttachmentParams,
        body: VisibilityBody,
        response: { 200: Attachment, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
      const ids = { projectId: project.id, itemId: request.params.attachment };
      await setItemVisibility(deps.db, "attachment", ids, request.body.visibility, { kind: "user", id: user.id }, deps.clock());
      const file = (await listAttachments(deps.db, project.id, false)).find((f) => f.id === ids.itemId);
      if (!file) throw notFound(`attachment ${ids.itemId} of project ${project.id}`);
      return file;
    },
  );
}
