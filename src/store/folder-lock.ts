// PGlite does not lock its data folder: two processes opening it would both write and corrupt it.
// We hold a lock file inside the folder containing our pid. A lock left by a dead process (a crash,
// kill -9) is taken over; a lock held by a live process is refused with its pid.
import { link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "./errors.ts";
import { processAlive } from "./process-alive.ts";

export const LOCK_FILE = "onboard.lock";

async function readPid(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Create the lock file with our pid already in it: written aside, then hard-linked into place
 * (link fails if the lock exists), so nobody ever reads a lock file without a pid. */
async function create(path: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

function locked(dir: string, pid: number): AppError {
  const who =
    pid === process.pid
      ? "this process (open it once and share the handle)"
      : `process ${pid}, another Onboard: stop it first, or choose another DATA_DIR`;
  return new AppError("unavailable", `the database folder ${dir} is in use by ${who}`, { dataDir: dir, pid });
}

export class FolderLock {
  readonly path: string;
  #released = false;

  private constructor(path: string) {
    this.path = path;
  }

  static async acquire(dir: string): Promise<FolderLock> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTDIR") {
        throw new AppError("invalid", `the data folder ${dir} is not a folder (a file of that name is in the way)`, { dataDir: dir });
      }
      throw error;
    }
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await create(path)) return new FolderLock(path);
      const holder = await readPid(path);
      if (holder !== undefined && processAlive(holder)) throw locked(dir, holder);
      // Stale (dead pid, or unreadable). Move it aside atomically, then check that what we moved is
      // the stale lock and not one a racing process created meanwhile; if it was theirs, put it back.
      const aside = `${path}.stale-${process.pid}`;
      try {
        await rename(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      const moved = await readPid(aside);
      if (moved !== undefined && moved !== holder && processAlive(moved)) {
        await link(aside, path).catch(() => {});
        await unlink(aside).catch(() => {});
        throw locked(dir, moved);
      }
      await unlink(aside).catch(() => {});
    }
    const holder = await readPid(path);
    throw locked(dir, holder ?? 0);
  }

  /** Remove the lock if it is still ours. Safe to call twice. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if ((await readPid(this.path)) === process.pid) await unlink(this.path).catch(() => {});
  }
}
