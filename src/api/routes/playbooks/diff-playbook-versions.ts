// GET /playbooks/:id/diff?from=&to=: what changed between two versions, in SOP terms (the SOP
// renderer's diff: steps added, removed and changed field by field; phases, roles, KPIs, rules).
// Either version may be one awaiting approval (four-eyes).
import { diffPlaybooks, revisionChanges } from "../../../render/diff.ts";
import { publishedOrPendingModel } from "../../data/publication-source.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { DiffParams, DiffQuery, PlaybookDiff } from "./playbook.types.ts";

export function diffPlaybookVersions(app: Api, deps: ApiDeps): void {
  app.get(
    "/playbooks/:id/diff",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "diffPlaybookVersions",
        summary: "Compare two versions of a playbook",
        params: DiffParams,
        querystring: DiffQuery,
        response: { 200: PlaybookDiff, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { from, to } = request.query;
      // A version awaiting approval compares too: its reviewer reads the diff before approving.
      const [before, after] = await Promise.all([publishedOrPendingModel(deps, id, from), publishedOrPendingModel(deps, id, to)]);
      const diff = diffPlaybooks(before, after);
      return {
        id,
        from,
        to,
        addedSteps: [...diff.addedSteps],
        removedSteps: [...diff.removedSteps],
        changedSteps: diff.changedSteps.map((s) => ({ ...s, changes: [...s.changes] })),
        other: [...diff.other],
        revision: revisionChanges(diff),
      };
    },
  );
}
