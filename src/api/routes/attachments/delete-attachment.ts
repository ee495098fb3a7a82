// DELETE /projects/:id/attachments/:attachment: whoever uploaded a file takes it back within the grace period
// (15 minutes); recorded in the project's item changes.
import { principalOf } from "../../auth/authorization.ts";
import { deleteItem } from "../../data/item-changes.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { ProjectAttachmentParams } from "./attachment.types.ts";

export function deleteAttachmentRoute(app: Api, deps: ApiDeps): void {
  app.delete(
    "/projects/:id/attachments/:attachment",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "deleteProjectAttachment",
        summary: "Delete a file you uploaded (within 15 minutes of uploading it)",
        params: ProjectAttachmentParams,
        response: { 204: NoContent, ...problemResponses(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
      await deleteItem(
        deps.db,
        "attachment",
        { projectId: project.id, itemId: request.params.attachment, clientId: project.clientId },
        { kind: "user", id: user.id },
        deps.clock(),
      );
      return reply.code(204).send();
    },
  );
}
