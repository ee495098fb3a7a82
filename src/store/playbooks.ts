// Playbook versions in the database: the source text of every (id, version) a project ever started
// on, so each project keeps running on its own version after the playbook changes. Loading a
// playbook (YAML, schema, CEL checks) costs milliseconds, so models are cached by content hash.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { formatDiagnostic } from "../playbook/diagnostics.ts";
import { loadPlaybook } from "../playbook/load.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { AppError } from "./errors.ts";
import { sha256 } from "./hashing.ts";
import type { Schema } from "./schema.ts";
import { fromDb } from "./time.ts";

export interface PlaybookRef {
  readonly id: string;
  readonly version: string;
}

export interface PublishedPlaybook extends PlaybookRef {
  readonly contentHash: string;
  readonly model: PlaybookModel;
}

/** Parsed playbooks by content hash; immutable values, so sharing them is safe. */
export class PlaybookCache {
  readonly #models = new Map<string, PlaybookModel>();
  /** Published versions never change content (a different text is refused), so (id, version) is a stable key. */
  readonly #published = new Map<string, PublishedPlaybook>();

  published(ref: PlaybookRef): PublishedPlaybook | undefined {
    return this.#published.get(`${ref.id}@${ref.version}`);
  }

  remember(playbook: PublishedPlaybook): void {
    this.#published.set(`${playbook.id}@${playbook.version}`, playbook);
  }

  cached(contentHash: string): PlaybookModel | undefined {
    return this.#models.get(contentHash);
  }

  model(contentHash: string, source: string, file: string): PlaybookModel {
    const cached = this.#models.get(contentHash);
    if (cached) return cached;
    const result = loadPlaybook(file, source);
    if (!result.model) {
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      throw new AppError("invalid", `the playbook does not load:\n${errors.map(formatDiagnostic).join("\n")}`, {
        diagnostics: errors,
      });
    }
    this.#models.set(contentHash, result.model);
    return result.model;
  }
}

const caches = new WeakMap<Kysely<Schema>, PlaybookCache>();

/** One cache per database handle: it lives and dies with the handle, no global state. */
export function playbookCache(db: Kysely<Schema>): PlaybookCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new PlaybookCache();
    caches.set(db, cache);
  }
  return cache;
}

/**
 * Store a playbook version. Publishing the same text again is a no-op; publishing different text
 * under an existing (id, version) is refused: projects on that version must keep their rules.
 */
export async function publishPlaybook(
  db: Kysely<Schema>,
  cache: PlaybookCache,
  source: string,
  options: { readonly file?: string; readonly now: Instant },
): Promise<PublishedPlaybook> {
  const contentHash = sha256(source);
  const model = cache.model(contentHash, source, options.file ?? "playbook.yaml");
  const id = model.playbook.id;
  const version = model.playbook.document.version;
  await db
    .insertInto("playbook_versions")
    .values({ playbook_id: id, version, source, content_hash: contentHash, published_at: options.now })
    .onConflict((oc) => oc.columns(["playbook_id", "version"]).doNothing())
    .execute();
  const stored = await db
    .selectFrom("playbook_versions")
    .select("content_hash")
    .where("playbook_id", "=", id)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
  if (stored.content_hash !== contentHash) {
    throw new AppError(
      "conflict",
      `playbook ${id} version ${version} is already published with different content: raise document.version`,
      {
        playbook: id,
        version,
      },
    );
  }
  return { id, version, contentHash, model };
}

export async function loadPlaybookVersion(db: Kysely<Schema>, cache: PlaybookCache, ref: PlaybookRef): Promise<PublishedPlaybook> {
  const known = cache.published(ref);
  if (known) return known;
  const missing = () =>
    new AppError("not_found", `playbook ${ref.id} version ${ref.version} is not published`, { playbook: ref.id, version: ref.version });
  const version = db.selectFrom("playbook_versions").where("playbook_id", "=", ref.id).where("version", "=", ref.version);
  const row = await version.select("content_hash").executeTakeFirst();
  if (!row) throw missing();
  // The source (tens of kilobytes) is read only when this process has not parsed it yet.
  let model = cache.cached(row.content_hash);
  if (!model) {
    const full = await version.select("source").executeTakeFirst();
    if (!full) throw missing();
    model = cache.model(row.content_hash, full.source, `${ref.id}@${ref.version}`);
  }
  const published = { id: ref.id, version: ref.version, contentHash: row.content_hash, model };
  cache.remember(published);
  return published;
}

export async function listPlaybookVersions(db: Kysely<Schema>): Promise<(PlaybookRef & { contentHash: string; publishedAt: Instant })[]> {
  const rows = await db
    .selectFrom("playbook_versions")
    .select(["playbook_id", "version", "content_hash", "published_at"])
    .orderBy("playbook_id")
    .orderBy("published_at")
    .execute();
  return rows.map((r) => ({ id: r.playbook_id, version: r.version, contentHash: r.content_hash, publishedAt: fromDb(r.published_at) }));
}
