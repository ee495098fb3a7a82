// POST /playbooks/pending/:submissionId/approve | /reject: a second person (admin or CS operations,
// never the uploader) publishes the version or rejects it with a reason; the decision is recorded
// in the same transaction and cannot be changed.
import { principalOf } from "../../auth/authorization.ts";
import { decideSubmission } from "../../data/publication-control.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ApproveBody, RejectBody, Submission, SubmissionParams } from "./publication.types.ts";
import { submissionView } from "./submission-view.ts";

export function decidePendingVersion(app: Api, deps: ApiDeps): void {
  app.post(
    "/playbooks/pending/:submissionId/approve",
    {
      config: { access: "playbooks:write" },
      schema: {
        tags: ["playbooks"],
        operationId: "approvePlaybookVersion",
        summary: "Approve a playbook version awaiting approval: it is published (not by its uploader)",
        params: SubmissionParams,
        body: ApproveBody,
        response: { 200: Submission, ...problemResponses(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const reviewer = principalOf(request).user.id;
      const decided = await decideSubmission(
        deps,
        request.params.submissionId,
        { decision: "approved", reviewer, comment: request.body.comment || null },
        deps.clock(),
      );
      return submissionView(deps, decided);
    },
  );
  app.post(
    "/playbooks/pending/:submissionId/reject",
    {
      config: { access: "playbooks:write" },
      schema: {
        tags: ["playbooks"],
        operationId: "rejectPlaybookVersion",
        summary: "Reject a playbook version awaiting approval, with the reason: it is never published (not by its uploader)",
        params: SubmissionParams,
        body: RejectBody,
        response: { 200: Submission, ...problemResponses(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const reviewer = principalOf(request).user.id;
      const decided = await decideSubmission(
        deps,
        request.params.submissionId,
        { decision: "rejected", reviewer, comment: request.body.reason },
        deps.clock(),
      );
      return submissionView(deps, decided);
    },
  );
}
