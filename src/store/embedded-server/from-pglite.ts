// The one-time move of a data folder PGlite used (its cluster files at the top of the folder) into
// the folder's PostgreSQL server: a backup of PGlite's files first, then every row copied and
// verified (counts, digests, audit trail), then PGlite's files leave the top of the folder. Files'
// bytes, the audit key and the erasure journal stay where they are: both engines keep them in the
// folder. Crash-safe: a marker says a copy is under way (a start that finds it drops the half copy
// and begins again from the untouched PGlite files), another that a finished copy's PGlite files
// may go. PGlite files beside a server cluster without those markers are not ours to delete: the
// folder holds two databases and Onboard says so instead of choosing.
import { existsSync } from "node:fs";
import { cp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { copyDatabase } from "../copy.ts";
import { openDatabase } from "../database.ts";
import { AppError } from "../errors.ts";
import { CLUSTER_DIR, type EmbeddedServer, hasCluster, stopOrphan } from "./server.ts";

/** PGlite's own files at the top of a data folder (not ours: files/, keys, the lock, postgres*). */
const PGLITE_ENTRY = /^(PG_VERSION|base|global|pg_[a-z_]+(\.conf)?|postgresql(\.auto)?\.conf|postmaster\.(pid|opts))$/;
/** Present while a copy is under way. */
export const MOVE_MARKER = "postgres.moving-from-pglite";
/** Present from a verified copy until PGlite's files have left the top of the folder. */
export const MOVED_MARKER = "postgres.moved-from-pglite";
export const BACKUP_PREFIX = "pglite-backup-";

export function isPgliteFolder(dataDir: string): boolean {
  return existsSync(join(dataDir, "PG_VERSION")) && existsSync(join(dataDir, "base"));
}

async function pgliteEntries(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir)).filter((name) => PGLITE_ENTRY.test(name));
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
}

export async function existingBackup(dataDir: string): Promise<string | undefined> {
  const found = (await readdir(dataDir)).filter((name) => name.startsWith(BACKUP_PREFIX) && !name.endsWith(".partial")).sort();
  return found.length > 0 ? join(dataDir, found[found.length - 1] ?? "") : undefined;
}

/** Copy PGlite's files aside, complete or not at all (written as .partial, then renamed). */
async function backUp(dataDir: string, entries: readonly string[]): Promise<string> {
  const target = join(dataDir, `${BACKUP_PREFIX}${stamp(new Date())}`);
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  for (const entry of entries) await cp(join(dataDir, entry), join(partial, entry), { recursive: true, preserveTimestamps: true });
  await rename(partial, target);
  return target;
}

export interface MoveOptions {
  readonly log: (message: string) => void;
  /** Start the folder's server (creating its cluster). */
  readonly startServer: () => Promise<EmbeddedServer>;
}

/**
 * If `dataDir` is a PGlite folder, move its data into the folder's PostgreSQL server. The caller
 * holds the folder lock. Returns the backup folder when something was moved.
 */
export async function moveFromPglite(dataDir: string, options: MoveOptions): Promise<string | undefined> {
  const marker = join(dataDir, MOVE_MARKER);
  const moved = join(dataDir, MOVED_MARKER);
  if (!isPgliteFolder(dataDir)) {
    await rm(moved, { force: true });
    return undefined;
  }
  const entries = await pgliteEntries(dataDir);
  const cluster = join(dataDir, CLUSTER_DIR);
  if (existsSync(moved)) {
    // A verified copy whose clean-up a crash interrupted: PGlite's files (backed up) only need to leave.
    for (const entry of entries) await rm(join(dataDir, entry), { recursive: true, force: true });
    await rm(moved);
    return await existingBackup(dataDir);
  }
  if (hasCluster(dataDir) && !existsSync(marker)) {
    throw new AppError(
      "conflict",
      `${dataDir} holds two databases: the embedded PostgreSQL server's (postgres/, where the move from PGlite put your data) and a PGlite one at the top of the folder, made after the move (an older Onboard started on the folder makes a new, empty one with a new admin and demo data). Onboard will not choose between them: move the one you do not want out of the folder (PGlite's are PG_VERSION, base/, global/, every pg_* folder and file, and postgresql*.conf; the server's is postgres/), then start again`,
      { dataDir },
    );
  }
  options.log(
    `${dataDir} holds a PGlite database: moving it into the folder's own PostgreSQL server (once; PGlite's files are backed up first)`,
  );
  const backup = (existsSync(marker) ? await existingBackup(dataDir) : undefined) ?? (await backUp(dataDir, entries));
  options.log(`backup of the PGlite database: ${backup}`);
  if (existsSync(cluster)) {
    // A copy interrupted earlier: its half is dropped, the PGlite files are untouched.
    await stopOrphan(cluster, options.log);
    await rm(cluster, { recursive: true, force: true });
  }
  await writeFile(marker, `copy from PGlite started ${new Date().toISOString()}\n`);
  const server = await options.startServer();
  try {
    const source = await openDatabase({ kind: "pglite", dataDir }, { folderLockHeld: true });
    try {
      const target = await openDatabase({ kind: "postgres", url: server.url });
      try {
        let shown = "";
        const report = await copyDatabase(source, target, {
          // The server keeps its files in the same files/ folder PGlite did: rows keep pointing there.
          filesStay: true,
          progress: (table, copied, total) => {
            if (total >= 10_000 && table !== shown) {
              shown = table;
              options.log(`copying ${table} (${total} rows) ...`);
            }
            if (total >= 10_000 && copied === total) options.log(`copied ${table}`);
          },
        });
        options.log(
          `moved ${report.rows} rows (${report.events} events, audit trail verified on both sides) from PGlite to PostgreSQL ${server.version}`,
        );
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  } finally {
    await server.stop();
  }
  await rename(marker, moved);
  for (const entry of entries) await rm(join(dataDir, entry), { recursive: true, force: true });
  await rm(moved);
  options.log(`PGlite's files are kept in ${backup}: delete that folder once you are satisfied`);
  return backup;
}
