// A submission as the API shows it: with its title and the version it would follow.
import type { z } from "zod";
import type { Submission as SubmissionRecord } from "../../data/publication-control.ts";
import { modelFromSource } from "../../data/publication-source.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Submission } from "./publication.types.ts";

export async function submissionView(deps: ApiDeps, submission: SubmissionRecord): Promise<z.infer<typeof Submission>> {
  const source = await deps.db
    .selectFrom("playbook_submissions")
    .select("source")
    .where("id", "=", submission.submissionId)
    .executeTakeFirstOrThrow();
  const model = modelFromSource(deps, submission.contentHash, source.source, submission.id, submission.version);
  const previous = await deps.db
    .selectFrom("playbook_versions")
    .select("version")
    .where("playbook_id", "=", submission.id)
    .where("version", "!=", submission.version)
    .where("published_at", "<=", new Date(submission.reviewedAt ?? submission.submittedAt))
    .orderBy("published_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return { ...submission, title: model.playbook.document.title, previousVersion: previous?.version ?? null };
}
