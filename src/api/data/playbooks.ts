// Playbook versions as the API shows them: built in (published from the playbooks folder at start)
// or uploaded (linted first, then published by someone), listed by playbook with their versions.
import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import type { Instant } from "../../engine/types.ts";
import { bundleIncludes } from "../../playbook/include.ts";
import { readProcedureFiles } from "../../playbook/load.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
import { loadPlaybookVersion, playbookCache } from "../../store/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import type { ApiDb } from "./tables.ts";

export interface BuiltInReport {
  readonly published: readonly { readonly id: string; readonly version: string; readonly file: string }[];
  readonly failed: readonly { readonly file: string; readonly message: string }[];
}

/** Where a version came from in a repository: `onboard publish` sends them from CI. */
export interface CommitOrigin {
  readonly commit: string | null;
  readonly commitAuthor: string | null;
}

export const NO_COMMIT: CommitOrigin = { commit: null, commitAuthor: null };

export async function recordSource(
  db: ApiDb,
  source: {
    id: string;
    version: string;
    origin: "built_in" | "upload";
    file: string | null;
    uploadedBy: string | null;
  } & Partial<CommitOrigin>,
  now: Instant,
): Promise<void> {
  await db
    .insertInto("playbook_sources")
    .values({
      playbook_id: source.id,
      version: source.version,
      origin: source.origin,
      file: source.file,
      uploaded_by: source.uploadedBy,
      recorded_at: now,
      commit_sha: source.commit ?? null,
      commit_author: source.commitAuthor ?? null,
    })
    .onConflict((oc) => oc.columns(["playbook_id", "version"]).doNothing())
    .execute();
}

/** Publish every .yaml in the playbooks folder. A file that fails is reported, not fatal: the others still serve. */
export async function publishBuiltIns(deps: ApiDeps): Promise<BuiltInReport> {
  const dir = deps.config.playbooksDir;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => [".yaml", ".yml"].includes(extname(n))).sort();
  } catch (error) {
    throw new Error(`PLAYBOOKS_DIR ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const published: { id: string; version: string; file: string }[] = [];
  const failed: { file: string; message: string }[] = [];
  // Shared procedures (playbooks/procedures/*.yaml) are copied into each version that includes them.
  const procedures = await readProcedureFiles(join(dir, "procedures"));
  for (const name of names) {
    try {
      const source = bundleIncludes(await readFile(join(dir, name), "utf8"), procedures);
      const now = deps.clock();
      const playbook = await deps.service.publishPlaybook(source, { file: name, now });
      await recordSource(deps.db, { id: playbook.id, version: playbook.version, origin: "built_in", file: name, uploadedBy: null }, now);
      published.push({ id: playbook.id, version: playbook.version, file: name });
    } catch (error) {
      failed.push({ file: name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { published, failed };
}

export interface VersionInfo extends CommitOrigin {
  readonly version: string;
  readonly title: string;
  readonly contentHash: string;
  readonly publishedAt: Instant;
  readonly origin: "built_in" | "upload";
  readonly file: string | null;
  readonly uploadedBy: string | null;
}

export interface PlaybookInfo {
  readonly id: string;
  readonly title: string;
  readonly latestVersion: string;
  readonly versions: readonly VersionInfo[];
}

export async function modelOf(deps: ApiDeps, id: string, version: string): Promise<PlaybookModel> {
  return (await loadPlaybookVersion(deps.database.db, playbookCache(deps.database.db), { id, version })).model;
}

async function versionsOf(deps: ApiDeps, ids: readonly string[]): Promise<Map<string, VersionInfo[]>> {
  const byId = new Map<string, VersionInfo[]>();
  if (ids.length === 0) return byId;
  const rows = await deps.db
    .selectFrom("playbook_versions as v")
    .leftJoin("playbook_sources as s", (join) => join.onRef("s.playbook_id", "=", "v.playbook_id").onRef("s.version", "=", "v.version"))
    .select([
      "v.playbook_id",
      "v.version",
      "v.content_hash",
      "v.published_at",
      "s.origin",
      "s.file",
      "s.uploaded_by",
      "s.commit_sha",
      "s.commit_author",
    ])
    .where("v.playbook_id", "in", ids)
    .orderBy("v.playbook_id")
    .orderBy("v.published_at")
    .orderBy("v.version")
    .execute();
  for (const row of rows) {
    const model = await modelOf(deps, row.playbook_id, row.version);
    const list = byId.get(row.playbook_id) ?? [];
    list.push({
      version: row.version,
      title: model.playbook.document.title,
      contentHash: row.content_hash,
      publishedAt: row.published_at.toISOString(),
      // Versions published through the library (the CLI, tests) have no recorded source: uploads.
      origin: row.origin ?? "upload",
      file: row.file ?? null,
      uploadedBy: row.uploaded_by ?? null,
      commit: row.commit_sha ?? null,
      commitAuthor: row.commit_author ?? null,
    });
    byId.set(row.playbook_id, list);
  }
  return byId;
}

/** Playbooks by id after `after`, each with every version (oldest first); limit + 1 rows to detect a next page. */
export async function listPlaybooks(deps: ApiDeps, after: string | undefined, limit: number): Promise<PlaybookInfo[]> {
  let query = deps.db
    .selectFrom("playbook_versions")
    .select("playbook_id")
    .distinct()
    .orderBy("playbook_id")
    .limit(limit + 1);
  if (after !== undefined) query = query.where("playbook_id", ">", after);
  const ids = (await query.execute()).map((r) => r.playbook_id);
  const versions = await versionsOf(deps, ids);
  return ids.flatMap((id) => {
    const list = versions.get(id) ?? [];
    const latest = list.at(-1);
    return latest ? [{ id, title: latest.title, latestVersion: latest.version, versions: list }] : [];
  });
}

/** One playbook with every version (oldest first); undefined when no version of it is published. */
export async function getPlaybook(deps: ApiDeps, id: string): Promise<PlaybookInfo | undefined> {
  const list = (await versionsOf(deps, [id])).get(id) ?? [];
  const latest = list.at(-1);
  return latest ? { id, title: latest.title, latestVersion: latest.version, versions: list } : undefined;
}

export async function getVersion(deps: ApiDeps, id: string, version: string): Promise<(VersionInfo & { source: string }) | undefined> {
  const row = await deps.db
    .selectFrom("playbook_versions")
    .select("source")
    .where("playbook_id", "=", id)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) return undefined;
  const info = (await versionsOf(deps, [id])).get(id)?.find((v) => v.version === version);
  return info ? { ...info, source: row.source } : undefined;
}

export async function contentHashOf(db: ApiDb, id: string, version: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("playbook_versions")
    .select("content_hash")
    .where("playbook_id", "=", id)
    .where("version", "=", version)
    .executeTakeFirst();
  return row?.content_hash;
}

export function fileName(name: string | undefined): string {
  return name === undefined ? "playbook.yaml" : basename(name);
}
