// GET /playbooks: every playbook, built in and uploaded, with its versions.
import { z } from "zod";
import { listPlaybooks } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { ListPlaybooksQuery, PlaybookPage } from "./playbook.types.ts";

export function listPlaybooksRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/playbooks",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "listPlaybooks",
        summary: "Playbooks and their versions",
        querystring: ListPlaybooksQuery,
        response: { 200: PlaybookPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const after = decodeCursor("playbooks", cursor, z.tuple([z.string()]));
      const playbooks = await listPlaybooks(deps, after?.[0], limit);
      return paginate(
        "playbooks",
        playbooks,
        limit,
        (p) => [p.id],
        (p) => ({ ...p, versions: [...p.versions] }),
      );
    },
  );
}
