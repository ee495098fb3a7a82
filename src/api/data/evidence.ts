// The evidence package of one project, read from the database: its events, a checkpoint that
// covers the newest of them (written now when the latest does not), every event's inclusion proof,
// its playbook version, who is who, its files; then the summary (compliance/evidence.ts), printed
// to PDF by Chromium when one is there (else the HTML summary, which the JSON and the caller say),
// and the whole signed with the audit key (compliance/package.ts). Used by the API and the CLI.
import {
  buildEvidenceSummary,
  EVIDENCE_FILES,
  EVIDENCE_KIND,
  type EvidenceSummary,
  eventsJsonl,
  type RawEvent,
} from "../../compliance/evidence.ts";
import { evidenceHtml } from "../../compliance/evidence-html.ts";
import { type PackageFile, writePackage } from "../../compliance/package.ts";
import type { Instant, ProjectState } from "../../engine/types.ts";
import { eventInclusionProof, latestCheckpoint, writeCheckpoint } from "../../store/audit-log.ts";
import type { Database } from "../../store/database.ts";
import { AppError, notFound } from "../../store/errors.ts";
import { loadPlaybookVersion, playbookCache } from "../../store/playbooks.ts";
import type { SigningKey } from "../../store/signed-note.ts";
import { fromDb } from "../../store/time.ts";
import { openSummaryPrinter, type PrinterLauncher } from "./summary-printer.ts";
import { apiDb } from "./tables.ts";

export type { PrinterLauncher };

export interface EvidencePackage {
  readonly zip: Uint8Array;
  readonly summary: EvidenceSummary;
  readonly fileName: string;
}

async function checkpointCovering(database: Database, key: SigningKey, projectId: string, head: number, now: Instant) {
  const leaf = await database.db
    .selectFrom("audit_leaves")
    .select("position")
    .where("project_id", "=", projectId)
    .where("seq", "=", head)
    .executeTakeFirst();
  const latest = await latestCheckpoint(database.db);
  if (leaf && latest && Number(leaf.position) < latest.treeSize) return latest;
  return (await writeCheckpoint(database, key, now)).checkpoint;
}

async function namesOf(database: Database, state: ProjectState, actors: ReadonlySet<string>): Promise<Map<string, string>> {
  const db = apiDb(database);
  const ids = [...actors, ...Object.values(state.assignments)];
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const plain = ids.map((id) => id.replace(/^service:/, ""));
  for (const row of await db.selectFrom("people").select(["id", "name"]).where("id", "in", plain).execute()) names.set(row.id, row.name);
  for (const row of await db.selectFrom("users").select(["id", "name"]).where("id", "in", plain).execute()) names.set(row.id, row.name);
  for (const row of await db.selectFrom("contacts").select(["id", "name"]).where("id", "in", plain).execute())
    names.set(row.id, `${row.name} (client contact)`);
  for (const id of ids) if (id.startsWith("service:")) names.set(id, `${names.get(id.slice(8)) ?? id.slice(8)} (automation)`);
  names.set("system", "Onboard (scheduler)");
  return names;
}

/**
 * Build and sign the evidence package of `projectId`. `launchPrinter` undefined: Chromium if it is
 * installed; without one the summary goes in as HTML and says so, unless `requirePdf`.
 */
export async function buildEvidencePackage(
  database: Database,
  key: SigningKey,
  projectId: string,
  now: Instant,
  options: { readonly launchPrinter?: PrinterLauncher | null; readonly requirePdf?: boolean } = {},
): Promise<EvidencePackage> {
  const db = apiDb(database);
  const project = await db.selectFrom("projects").select(["id", "state", "version"]).where("id", "=", projectId).executeTakeFirst();
  if (!project) throw notFound(`project ${projectId}`, { projectId });
  const state = project.state as ProjectState;
  const rows = await db
    .selectFrom("events")
    .select(["project_id", "seq", "type", "at", "actor", "payload", "payload_hash", "prev_hash", "hash"])
    .where("project_id", "=", projectId)
    .where("seq", "<=", project.version)
    .orderBy("seq")
    .execute();
  const events: RawEvent[] = rows.map((r) => ({ ...r, at: fromDb(r.at), payload: r.payload as Record<string, unknown> }));
  const head = events.at(-1);
  if (!head) throw new AppError("illegal_state", `project ${projectId} has no events`, { projectId });
  const checkpoint = await checkpointCovering(database, key, projectId, head.seq, now);
  const leaves = [];
  for (const event of events) {
    const proof = await eventInclusionProof(database, projectId, event.seq, checkpoint.treeSize);
    leaves.push({
      seq: proof.seq,
      eventHash: proof.eventHash,
      leafIndex: proof.leafIndex,
      proof: proof.proof.map((h) => h.toString("hex")),
    });
  }
  const published = await loadPlaybookVersion(database.db, playbookCache(database.db), state.playbook);
  const source = await db
    .selectFrom("playbook_versions")
    .select("source")
    .where("playbook_id", "=", state.playbook.id)
    .where("version", "=", state.playbook.version)
    .executeTakeFirstOrThrow();
  const attachments = await db
    .selectFrom("attachments")
    .select(["step_id", "file_name", "sha256", "uploaded_by", "created_at"])
    .where("project_id", "=", projectId)
    .orderBy("created_at")
    .execute();
  const names = await namesOf(database, state, new Set(events.map((e) => e.actor)));

  const printing = await openSummaryPrinter(options.launchPrinter, { required: options.requirePdf ?? false });
  const { printer, note } = printing;
  try {
    const summary = buildEvidenceSummary({
      state,
      model: published.model,
      contentHash: published.contentHash,
      events,
      names,
      attachments: attachments.map((a) => ({
        step: a.step_id,
        fileName: a.file_name,
        sha256: a.sha256,
        uploadedBy: a.uploaded_by,
        at: fromDb(a.created_at),
      })),
      checkpoint: { origin: checkpoint.origin, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash.toString("base64") },
      generatedAt: now,
      rendering: printer ? "pdf" : "html",
      ...(note ? { renderingNote: note } : {}),
    });
    const html = evidenceHtml(summary);
    const readable: PackageFile = printer
      ? { path: EVIDENCE_FILES.summaryPdf, bytes: await printer.printPdf(html) }
      : { path: EVIDENCE_FILES.summaryHtml, bytes: Buffer.from(html, "utf8") };
    const procedureFile = `procedure/${state.playbook.id}-${state.playbook.version}.yaml`.replace(/[^A-Za-z0-9._/-]/g, "_");
    const files: PackageFile[] = [
      { path: EVIDENCE_FILES.summaryJson, bytes: Buffer.from(`${JSON.stringify(summary, null, 2)}\n`, "utf8") },
      readable,
      { path: EVIDENCE_FILES.events, bytes: Buffer.from(eventsJsonl(events), "utf8") },
      { path: EVIDENCE_FILES.checkpoint, bytes: Buffer.from(checkpoint.note, "utf8") },
      {
        path: EVIDENCE_FILES.inclusion,
        bytes: Buffer.from(`${JSON.stringify({ treeSize: checkpoint.treeSize, leaves }, null, 2)}\n`, "utf8"),
      },
      { path: procedureFile, bytes: Buffer.from(source.source, "utf8") },
    ];
    const zip = writePackage({ kind: EVIDENCE_KIND, subject: projectId, createdAt: now }, files, key);
    return { zip, summary, fileName: `evidence-${projectId.replace(/[^A-Za-z0-9._-]/g, "_")}.zip` };
  } finally {
    await printing.close();
  }
}
