// Reading the controls report's facts from the database: the accounts and their access-change log,
// the four-eyes setting's history, every playbook version published in the period with its
// predecessor's diff, its uploader and approver, and the projects started on it or moved to it.
// The API's tables (users, playbook_sources) are read with plain SQL: this layer sits below the API.
import { type Kysely, sql } from "kysely";
import { diffPlaybooks } from "../render/diff.ts";
import type { PdfPrinter } from "../render/pdf.ts";
import { loadPlaybookVersion, playbookCache } from "../store/playbooks.ts";
import type { Schema } from "../store/schema.ts";
import type { SigningKey } from "../store/signed-note.ts";
import { fromDb } from "../store/time.ts";
import { CONTROLS_SUMMARY_HTML, controlsPackageFiles } from "./controls-files.ts";
import {
  type AccessChangeRecord,
  type Account,
  type AffectedProject,
  buildControlsReport,
  type ControlsReport,
  type FourEyesChange,
  fourEyesAt,
  type Period,
  type Publication,
  periodBounds,
  type Rejection,
} from "./controls-report.ts";
import { writePackage } from "./package.ts";

async function accounts(db: Kysely<Schema>): Promise<Account[]> {
  const { rows } = await sql<{ id: string; name: string; email: string; roles: string[]; active: boolean }>`
    SELECT id, name, email, roles, active FROM users ORDER BY id`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    roles: r.roles,
    active: r.active,
    kind: r.roles.includes("service") ? "service" : "person",
  }));
}

async function accessChanges(db: Kysely<Schema>): Promise<AccessChangeRecord[]> {
  const rows = await db.selectFrom("access_changes").selectAll().orderBy("at").orderBy("id").execute();
  return rows.map((r) => ({
    at: fromDb(r.at),
    actor: r.actor,
    subject: r.subject_user,
    change: r.change,
    rolesBefore: r.roles_before,
    rolesAfter: r.roles_after,
    details: r.details,
  }));
}

async function fourEyesChanges(db: Kysely<Schema>): Promise<FourEyesChange[]> {
  const rows = await db.selectFrom("four_eyes_changes").select(["at", "actor", "required"]).orderBy("id").execute();
  return rows.map((r) => ({ at: fromDb(r.at), actor: r.actor, required: r.required }));
}

async function affectedProjects(db: Kysely<Schema>, ref: { id: string; version: string }, start: string, end: string) {
  const rows = await db
    .selectFrom("events")
    .select(["project_id", "type", "at"])
    .where("type", "in", ["project.started", "project.migrated"])
    .where(sql<string>`payload->'playbook'->>'id'`, "=", ref.id)
    .where(sql<string>`payload->'playbook'->>'version'`, "=", ref.version)
    .where("at", ">=", new Date(start))
    .where("at", "<", new Date(end))
    .orderBy("at")
    .orderBy("project_id")
    .execute();
  return rows.map(
    (r): AffectedProject => ({ projectId: r.project_id, how: r.type === "project.started" ? "started" : "migrated", at: fromDb(r.at) }),
  );
}

async function publications(db: Kysely<Schema>, start: string, end: string, fourEyes: readonly FourEyesChange[]): Promise<Publication[]> {
  const { rows } = await sql<{
    playbook_id: string;
    version: string;
    published_at: Date;
    origin: "built_in" | "upload" | null;
    uploaded_by: string | null;
    reviewer: string | null;
    reviewed_at: Date | null;
    comment: string | null;
    previous: string | null;
  }>`
    SELECT v.playbook_id, v.version, v.published_at, s.origin, s.uploaded_by,
           r.reviewer, r.at AS reviewed_at, r.comment,
           (SELECT p.version FROM playbook_versions p
             WHERE p.playbook_id = v.playbook_id AND p.published_at < v.published_at
             ORDER BY p.published_at DESC LIMIT 1) AS previous
      FROM playbook_versions v
      LEFT JOIN playbook_sources s ON s.playbook_id = v.playbook_id AND s.version = v.version
      LEFT JOIN LATERAL (
        SELECT rv.reviewer, rv.at, rv.comment FROM playbook_submissions sb
          JOIN playbook_reviews rv ON rv.submission_id = sb.id AND rv.decision = 'approved'
         WHERE sb.playbook_id = v.playbook_id AND sb.version = v.version
         ORDER BY rv.at DESC LIMIT 1) r ON true
     WHERE v.published_at >= ${new Date(start)} AND v.published_at < ${new Date(end)}
     ORDER BY v.published_at, v.playbook_id, v.version`.execute(db);
  const cache = playbookCache(db);
  const result: Publication[] = [];
  for (const row of rows) {
    const ref = { id: row.playbook_id, version: row.version };
    const model = (await loadPlaybookVersion(db, cache, ref)).model;
    const diff =
      row.previous === null
        ? null
        : diffPlaybooks((await loadPlaybookVersion(db, cache, { id: ref.id, version: row.previous })).model, model);
    const publishedAt = fromDb(row.published_at);
    result.push({
      playbookId: ref.id,
      version: ref.version,
      title: model.playbook.document.title,
      publishedAt,
      // Versions published through the library (the CLI, tests) have no recorded source: uploads.
      origin: row.origin ?? "upload",
      author: row.uploaded_by,
      approval: row.reviewer && row.reviewed_at ? { by: row.reviewer, at: fromDb(row.reviewed_at), comment: row.comment } : null,
      fourEyesAtTheTime: fourEyesAt(fourEyes, publishedAt),
      previousVersion: row.previous,
      diff,
      affected: await affectedProjects(db, ref, start, end),
    });
  }
  return result;
}

async function rejections(db: Kysely<Schema>, start: string, end: string): Promise<Rejection[]> {
  const rows = await db
    .selectFrom("playbook_reviews as r")
    .innerJoin("playbook_submissions as s", "s.id", "r.submission_id")
    .select(["s.playbook_id", "s.version", "s.submitted_by", "s.submitted_at", "r.reviewer", "r.at", "r.comment"])
    .where("r.decision", "=", "rejected")
    .where("r.at", ">=", new Date(start))
    .where("r.at", "<", new Date(end))
    .orderBy("r.at")
    .execute();
  return rows.map((r) => ({
    playbookId: r.playbook_id,
    version: r.version,
    submittedBy: r.submitted_by,
    submittedAt: fromDb(r.submitted_at),
    rejectedBy: r.reviewer,
    rejectedAt: fromDb(r.at),
    reason: r.comment,
  }));
}

/** The report of a period, read from the database. Throws a RangeError naming the field for a bad period. */
export async function readControlsReport(db: Kysely<Schema>, period: Period, now: string): Promise<ControlsReport> {
  const bounds = periodBounds(period);
  const [accountList, changes, fourEyes] = await Promise.all([accounts(db), accessChanges(db), fourEyesChanges(db)]);
  return buildControlsReport({
    period,
    generatedAt: now,
    logBegan: changes[0]?.at ?? null,
    accounts: accountList,
    accessChanges: changes,
    publications: await publications(db, bounds.start, bounds.end, fourEyes),
    rejections: await rejections(db, bounds.start, bounds.end),
    fourEyesChanges: fourEyes,
  });
}

/**
 * The report as a signed package (kind "period-report"): what the API and the CLI hand out. With a
 * printer the summary is also there as summary.pdf, printed from summary.html.
 */
export async function controlsReportPackage(
  db: Kysely<Schema>,
  period: Period,
  key: SigningKey,
  now: string,
  printer?: PdfPrinter,
): Promise<Uint8Array> {
  const report = await readControlsReport(db, period, now);
  const { header, files } = controlsPackageFiles(report);
  const html = files.find((f) => f.path === CONTROLS_SUMMARY_HTML);
  const pdf = printer && html ? [{ path: "summary.pdf", bytes: await printer.printPdf(Buffer.from(html.bytes).toString("utf8")) }] : [];
  return writePackage(header, [...files, ...pdf], key);
}
