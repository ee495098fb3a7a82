// GET /playbooks/pending: uploaded versions awaiting a second person's approval (four-eyes).
import { pendingSubmissions } from "../../data/publication-control.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { PendingList } from "./publication.types.ts";
import { submissionView } from "./submission-view.ts";

export function listPendingVersions(app: Api, deps: ApiDeps): void {
  app.get(
    "/playbooks/pending",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "listPendingPlaybookVersions",
        summary: "Playbook versions awaiting approval (four-eyes), oldest first",
        response: { 200: PendingList },
      },
    },
    async () => {
      const items = [];
      for (const submission of await pendingSubmissions(deps.db)) items.push(await submissionView(deps, submission));
      return { items };
    },
  );
}
