// Where the bytes of files (project attachments) live: never in the rows that describe them, and
// never whole in memory. Two adapters behind one port, chosen by where the database is:
//
//  - folder: the embedded database keeps files in a `files/` folder in its data folder (the
//    in-memory one, in tests, in a temporary folder), content-addressed by SHA-256 (ab/abcdef...),
//    each written to a temporary file, fsynced, then renamed into place and the directory fsynced.
//    PGlite runs on the event loop and its WASM heap never shrinks: 256 KB of bytea takes it tens
//    of milliseconds to write, and bytes that passed through it stay in memory. A folder costs
//    neither.
//  - table: PostgreSQL (several app servers share no folder) keeps files in `file_chunks`, 256 KB
//    per row, written one chunk per statement (no transaction held while a client is still
//    sending) and read back chunk by chunk. Chosen over large objects: chunks are ordinary rows, so
//    they replicate (large objects do not, with logical replication), back up with pg_dump's
//    defaults, need no lo_* privileges or vacuumlo, and are removed like any row.
//
// A write is only kept once the caller has recorded it (`put`'s `keep`, the caller's transaction):
// if the upload fails, is refused (type, size, quota) or `keep` throws, what was written is removed.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import { AppError, notFound } from "./errors.ts";
import type { Schema } from "./schema.ts";

export type FileStoreKind = "folder" | "table";

export interface StoredFile {
  readonly store: FileStoreKind;
  /** The file's key in its store: its SHA-256 (folder) or a random id (table). */
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

export interface FileStore {
  readonly kind: FileStoreKind;
  /** Where, for messages: the folder, or "the database". */
  readonly description: string;
  /**
   * Stream `source` in, then call `keep` with what was stored (to record it in the caller's
   * transaction) and return what it returns. When the source fails (it may throw to refuse the
   * upload) or `keep` throws, what this call wrote is removed and the error rethrown.
   */
  put<T>(source: AsyncIterable<Uint8Array>, keep: (file: StoredFile) => Promise<T>): Promise<T>;
  /** A stored file's bytes as a stream; not_found when the store has no such file. */
  open(key: string): Promise<Readable>;
  /** Remove a stored file's bytes (an erasure); nothing when the store has no such file. */
  remove(key: string): Promise<void>;
  /** Remove what interrupted writes left behind (a crash mid-upload); returns how many. */
  cleanUp(): Promise<number>;
}

/** Bytes per row of file_chunks. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Where the embedded database in `dataDir` keeps its files unless told otherwise: `files/` in its
 * data folder (PostgreSQL ignores what it does not know there, as it does our lock file). Not a
 * sibling: two data folders in one parent would share it, a process would no longer be alone in
 * it (the folder lock covers the data folder), and the parent may not be writable.
 */
export function defaultFilesDir(dataDir: string): string {
  return join(resolve(dataDir), "files");
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Serializes work per key within this process (the folder store has one process: PGlite's folder lock). */
class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = before.then(() => mine);
    this.#tails.set(key, tail);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

export function folderFileStore(root: string): FileStore {
  const temp = join(root, ".incoming");
  const pathOf = (sha: string) => join(root, sha.slice(0, 2), sha);
  const locks = new KeyedLock();
  return {
    kind: "folder",
    description: root,
    async put(source, keep) {
      await mkdir(temp, { recursive: true });
      const incoming = join(temp, randomUUID());
      const hash = createHash("sha256");
      let size = 0;
      const handle = await open(incoming, "wx");
      try {
        for await (const chunk of source) {
          hash.update(chunk);
          size += chunk.length;
          await handle.write(chunk);
        }
        await handle.sync();
      } catch (error) {
        await handle.close();
        await unlink(incoming).catch(() => {});
        throw error;
      }
      await handle.close();
      const sha256 = hash.digest("hex");
      const target = pathOf(sha256);
      // One writer per content at a time: a second upload of the same bytes waits, so a refused
      // upload never removes a file another upload has just recorded.
      return locks.run(sha256, async () => {
        const existed = await stat(target).then(
          () => true,
          () => false,
        );
        if (existed) await unlink(incoming);
        else {
          await mkdir(dirname(target), { recursive: true });
          await rename(incoming, target);
          await syncDirectory(dirname(target));
        }
        try {
          return await keep({ store: "folder", key: sha256, sha256, size });
        } catch (error) {
          if (!existed) await unlink(target).catch(() => {});
          throw error;
        }
      });
    },
    async open(key) {
      if (!SHA256.test(key)) throw notFound(`file ${key}`);
      try {
        const handle = await open(pathOf(key), "r");
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(`file ${key} in ${root}`);
        throw error;
      }
    },
    async remove(key) {
      if (!SHA256.test(key)) return;
      await locks.run(key, () => unlink(pathOf(key)).catch(() => {}));
    },
    async cleanUp() {
      // Only this process writes here (the embedded database's folder lock): every temporary file is a leftover.
      const names = await readdir(temp).catch(() => [] as string[]);
      await Promise.all(names.map((name) => rm(join(temp, name), { force: true })));
      return names.length;
    },
  };
}

/** Gather a stream's pieces into chunks of CHUNK_BYTES (the last may be shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (held + rest.length >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - held;
      parts.push(rest.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      held = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      // Copied: the source may reuse its buffer for the next piece.
      parts.push(Buffer.from(rest));
      held += rest.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

export function tableFileStore(db: Kysely<Schema>): FileStore {
  const remove = (key: string) => db.deleteFrom("file_chunks").where("blob_key", "=", key).execute();
  return {
    kind: "table",
    description: "the database (file_chunks)",
    async put(source, keep) {
      const key = randomUUID();
      const hash = createHash("sha256");
      let size = 0;
      let seq = 0;
      try {
        for await (const chunk of rechunk(source)) {
          hash.update(chunk);
          size += chunk.length;
          // One statement per chunk: nothing is held open while the client is still sending.
          await db.insertInto("file_chunks").values({ blob_key: key, seq, bytes: chunk }).execute();
          seq++;
        }
        return await keep({ store: "table", key, sha256: hash.digest("hex"), size });
      } catch (error) {
        await remove(key).catch(() => {});
        throw error;
      }
    },
    async open(key) {
      const chunk = (seq: number) =>
        db.selectFrom("file_chunks").select("bytes").where("blob_key", "=", key).where("seq", "=", seq).executeTakeFirst();
      const first = await chunk(0);
      if (!first) throw notFound(`file ${key}`);
      // One chunk in memory at a time, fetched as the response drains.
      return Readable.from(
        (async function* () {
          yield Buffer.from(first.bytes);
          for (let seq = 1; ; seq++) {
            const next = await chunk(seq);
            if (!next) return;
            yield Buffer.from(next.bytes);
          }
        })(),
      );
    },
    async remove(key) {
      await remove(key);
    },
    async cleanUp() {
      // Chunks no row refers to are left by a crash mid-upload; what refers to them is the
      // caller's (attachments: see api/data/attachments.ts, which removes them).
      return 0;
    },
  };
}

/**
 * The bytes of a file recorded as stored in `file.store`: the database's own store, or the chunk
 * table (always readable through the database, whatever store new files go to).
 */
export function openStoredFile(
  files: FileStore,
  db: Kysely<Schema>,
  file: { readonly store: FileStoreKind; readonly key: string },
): Promise<Readable> {
  if (file.store === files.kind) return files.open(file.key);
  if (file.store === "table") return tableFileStore(db).open(file.key);
  throw new AppError("unavailable", `file ${file.key} is kept in a files folder, and this server keeps its files in ${files.description}`, {
    key: file.key,
  });
}
