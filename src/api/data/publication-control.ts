// Four-eyes publishing (SOC 2 CC8.1): when the setting is on, an uploaded playbook version waits as
// a submission (not in playbook_versions, so no project, CRM intake or migration can pick it) until
// someone other than its uploader approves it (then it is published) or rejects it (it never runs).
// The setting's history, the submissions and the decisions are append-only (migration 0023).
// Built-in playbooks published at start are exempt: they ship with the release the operator installs.
import { randomUUID } from "node:crypto";
import type { Instant } from "../../engine/types.ts";
import { AppError, ConflictError } from "../../store/index.ts";
import { playbookCache, publishPlaybook } from "../../store/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import { HttpProblem } from "../problems.ts";
import { type CommitOrigin, contentHashOf, recordSource } from "./playbooks.ts";
import { type ApiDb, storeView } from "./tables.ts";

export interface FourEyesSetting {
  readonly required: boolean;
  readonly changedAt: Instant | null;
  readonly changedBy: string | null;
}

export async function fourEyesSetting(db: ApiDb): Promise<FourEyesSetting> {
  const row = await db
    .selectFrom("four_eyes_changes")
    .select(["required", "at", "actor"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row
    ? { required: row.required, changedAt: row.at.toISOString(), changedBy: row.actor }
    : { required: false, changedAt: null, changedBy: null };
}

/** Turn four-eyes on or off; a change is a row of its history (no row when nothing changes). */
export async function setFourEyes(db: ApiDb, required: boolean, actor: string, now: Instant): Promise<FourEyesSetting> {
  return db.transaction().execute(async (trx) => {
    // One writer at a time, so two toggles cannot both see "off" and both append "on".
    await trx.selectFrom("four_eyes_changes").select("id").orderBy("id", "desc").limit(1).forUpdate().execute();
    const current = await fourEyesSetting(trx);
    if (current.required === required) return current;
    await trx.insertInto("four_eyes_changes").values({ at: now, actor, required }).execute();
    return { required, changedAt: now, changedBy: actor };
  });
}

export interface Submission {
  readonly submissionId: string;
  readonly id: string;
  readonly version: string;
  readonly contentHash: string;
  readonly file: string | null;
  readonly submittedBy: string;
  readonly submittedAt: Instant;
  readonly status: "pending" | "approved" | "rejected";
  readonly reviewedBy: string | null;
  readonly reviewedAt: Instant | null;
  readonly comment: string | null;
}

function submissionQuery(db: ApiDb) {
  return db
    .selectFrom("playbook_submissions as s")
    .leftJoin("playbook_reviews as r", "r.submission_id", "s.id")
    .select([
      "s.id",
      "s.playbook_id",
      "s.version",
      "s.content_hash",
      "s.file",
      "s.submitted_by",
      "s.submitted_at",
      "r.decision",
      "r.reviewer",
      "r.at as reviewed_at",
      "r.comment",
    ]);
}

type SubmissionRow = Awaited<ReturnType<ReturnType<typeof submissionQuery>["executeTakeFirstOrThrow"]>>;

function submissionOf(row: SubmissionRow): Submission {
  return {
    submissionId: row.id,
    id: row.playbook_id,
    version: row.version,
    contentHash: row.content_hash,
    file: row.file,
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at.toISOString(),
    status: row.decision ?? "pending",
    reviewedBy: row.reviewer ?? null,
    reviewedAt: row.reviewed_at?.toISOString() ?? null,
    comment: row.comment ?? null,
  };
}

/** Versions waiting for a decision, oldest first. */
export async function pendingSubmissions(db: ApiDb): Promise<Submission[]> {
  const rows = await submissionQuery(db).where("r.submission_id", "is", null).orderBy("s.submitted_at").orderBy("s.id").execute();
  return rows.map(submissionOf);
}

export async function getSubmission(db: ApiDb, submissionId: string): Promise<Submission | undefined> {
  const row = await submissionQuery(db).where("s.id", "=", submissionId).executeTakeFirst();
  return row ? submissionOf(row) : undefined;
}

/** The source of the pending submission of (id, version), if one waits: its diff is shown before approval. */
export async function pendingSource(db: ApiDb, id: string, version: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("playbook_submissions as s")
    .leftJoin("playbook_reviews as r", "r.submission_id", "s.id")
    .select("s.source")
    .where("s.playbook_id", "=", id)
    .where("s.version", "=", version)
    .where("r.submission_id", "is", null)
    .orderBy("s.submitted_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.source;
}

/**
 * Submit an uploaded version for approval. The same text already published or already waiting is a
 * no-op (created false); different text under a published or waiting (id, version) is a conflict.
 */
export async function submitVersion(
  db: ApiDb,
  upload: { id: string; version: string; source: string; contentHash: string; file: string | null; by: string } & CommitOrigin,
  now: Instant,
): Promise<{ submission: Submission | undefined; created: boolean; published: boolean }> {
  const { id, version } = upload;
  const published = await contentHashOf(db, id, version);
  if (published !== undefined) {
    if (published !== upload.contentHash) {
      throw new ConflictError(`playbook ${id} version ${version} is already published with different content: raise document.version`, {
        playbook: id,
        version,
      });
    }
    return { submission: undefined, created: false, published: true };
  }
  const waiting = (await pendingSubmissions(db)).find((s) => s.id === id && s.version === version);
  if (waiting) {
    if (waiting.contentHash !== upload.contentHash) {
      throw new ConflictError(
        `playbook ${id} version ${version} is already awaiting approval with different content: have it rejected, or raise document.version`,
        { playbook: id, version, submissionId: waiting.submissionId },
      );
    }
    return { submission: waiting, created: false, published: false };
  }
  const submissionId = randomUUID();
  await db
    .insertInto("playbook_submissions")
    .values({
      id: submissionId,
      playbook_id: id,
      version,
      source: upload.source,
      content_hash: upload.contentHash,
      file: upload.file,
      submitted_by: upload.by,
      submitted_at: now,
      commit_sha: upload.commit,
      commit_author: upload.commitAuthor,
    })
    .execute();
  const submission = await getSubmission(db, submissionId);
  return { submission, created: true, published: false };
}

export type Decision = "approved" | "rejected";

/**
 * Approve (publish) or reject a waiting submission, in one transaction with its record. Its uploader
 * may not decide (403); a decided submission cannot be decided again (409).
 */
export async function decideSubmission(
  deps: ApiDeps,
  submissionId: string,
  decision: { decision: Decision; reviewer: string; comment: string | null },
  now: Instant,
): Promise<Submission> {
  return deps.db.transaction().execute(async (trx) => {
    // Lock the submission row: two reviewers deciding at once are serialized (the loser sees a decision).
    const row = await trx.selectFrom("playbook_submissions").selectAll().where("id", "=", submissionId).forUpdate().executeTakeFirst();
    if (!row) throw new AppError("not_found", `no playbook version awaiting approval has the id "${submissionId}"`, { submissionId });
    const current = await getSubmission(trx, submissionId);
    if (current && current.status !== "pending") {
      throw new AppError("illegal_state", `playbook ${row.playbook_id} version ${row.version} was already ${current.status}`, {
        submissionId,
      });
    }
    if (row.submitted_by === decision.reviewer) {
      throw new HttpProblem(
        "forbidden",
        "four-eyes: the person who uploaded a version cannot approve or reject it; ask another admin or CS operations",
      );
    }
    if (decision.decision === "approved") {
      await publishPlaybook(storeView(trx), playbookCache(deps.database.db), row.source, { file: row.file ?? undefined, now });
      await recordSource(
        trx,
        {
          id: row.playbook_id,
          version: row.version,
          origin: "upload",
          file: row.file,
          uploadedBy: row.submitted_by,
          commit: row.commit_sha,
          commitAuthor: row.commit_author,
        },
        now,
      );
    }
    await trx
      .insertInto("playbook_reviews")
      .values({ submission_id: submissionId, decision: decision.decision, reviewer: decision.reviewer, at: now, comment: decision.comment })
      .execute();
    const decided = await getSubmission(trx, submissionId);
    if (!decided) throw new Error(`submission ${submissionId} vanished inside its transaction`);
    return decided;
  });
}
