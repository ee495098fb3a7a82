// The framing of an Onboard backup file (.obk): a gzip stream (node:zlib) of records, each a line
// of JSON saying what it is, followed by exactly `bytes` bytes of payload when it says so (a page
// of rows as JSON text, a piece of a file). Written and read as a stream: one record in memory at
// a time. Written to <file>.partial, fsynced, then renamed: a backup file that exists is whole.
// gzip's own CRC and length catch a damaged or cut file; the trailer's counts and digests catch
// the rest (see backup.ts).
import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { createGunzip, createGzip, type Gzip } from "node:zlib";
import { AppError } from "../errors.ts";

export type RecordHead = { readonly kind: string; readonly bytes?: number } & Record<string, unknown>;

export interface BackupRecord {
  readonly head: RecordHead;
  readonly payload: Buffer | undefined;
}

/** A record's line may not be longer: anything longer is not a backup. */
const MAX_LINE = 1 << 20;
/** Nor a payload (a page of rows holds at most a few MB). */
const MAX_PAYLOAD = 1 << 30;

export class BackupWriter {
  readonly #path: string;
  readonly #partial: string;
  readonly #gzip: Gzip;
  readonly #out: WriteStream;
  readonly #done: Promise<void>;

  private constructor(path: string, out: WriteStream) {
    this.#path = path;
    this.#partial = `${path}.partial`;
    this.#out = out;
    this.#gzip = createGzip();
    this.#gzip.pipe(out);
    this.#done = new Promise((resolve, reject) => {
      // "close" comes after the file was flushed (fsync) and closed.
      out.once("close", resolve);
      out.once("error", reject);
      this.#gzip.once("error", reject);
    });
    // Seen by #write or finish(); never unhandled meanwhile.
    this.#done.catch(() => {});
  }

  static async create(path: string): Promise<BackupWriter> {
    const out = createWriteStream(`${path}.partial`, { mode: 0o600, flush: true });
    await once(out, "open");
    return new BackupWriter(path, out);
  }

  async record<H extends { readonly kind: string }>(head: H, payload?: Uint8Array): Promise<void> {
    const line = JSON.stringify(payload === undefined ? head : { ...head, bytes: payload.byteLength });
    await this.#write(Buffer.from(`${line}\n`));
    if (payload !== undefined && payload.byteLength > 0) await this.#write(payload);
  }

  async #write(buffer: Uint8Array): Promise<void> {
    if (!this.#gzip.write(buffer)) await Promise.race([once(this.#gzip, "drain"), this.#done]);
  }

  /** End the stream, fsync it, and give it its name. */
  async finish(): Promise<void> {
    this.#gzip.end();
    await this.#done;
    await rename(this.#partial, this.#path);
    const folder = await open(dirname(this.#path), "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  /** Leave nothing behind. */
  async abort(): Promise<void> {
    this.#gzip.destroy();
    this.#out.destroy();
    await rm(this.#partial, { force: true });
  }
}

function damaged(path: string, why: string): AppError {
  return new AppError("invalid", `the backup file ${path} is damaged or incomplete (${why}): it cannot be restored; use another backup`, {
    file: path,
  });
}

export class BackupReader {
  readonly path: string;
  readonly #chunks: AsyncIterator<Buffer>;
  readonly #close: () => void;
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;

  private constructor(path: string) {
    this.path = path;
    const input = createReadStream(path);
    const gunzip = createGunzip();
    input.once("error", (error) => gunzip.destroy(error));
    input.pipe(gunzip);
    this.#chunks = gunzip[Symbol.asyncIterator]();
    this.#close = () => {
      input.destroy();
      gunzip.destroy();
    };
  }

  static async open(path: string): Promise<BackupReader> {
    const reader = new BackupReader(path);
    // The first bytes say at once whether this is a gzip stream at all.
    await reader.#fill();
    return reader;
  }

  close(): void {
    this.#close();
  }

  /**
   * Read the rest of the stream for gzip's verdict: when loading fails (a page the database will
   * not take), a damaged file is the better explanation, and gzip's CRC only comes at the end.
   */
  async damage(): Promise<AppError | undefined> {
    try {
      while ((await this.#pull()) !== undefined) {}
      return undefined;
    } catch (error) {
      return error instanceof AppError ? error : undefined;
    }
  }

  /** The next record, or undefined at the end of the stream. */
  async next(): Promise<BackupRecord | undefined> {
    let newline = this.#buffer.indexOf(10);
    while (newline < 0) {
      if (this.#buffer.length > MAX_LINE) throw damaged(this.path, "a record longer than any Onboard writes");
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return undefined;
        throw damaged(this.path, "it ends inside a record");
      }
      newline = this.#buffer.indexOf(10);
    }
    const line = this.#buffer.subarray(0, newline).toString("utf8");
    this.#buffer = this.#buffer.subarray(newline + 1);
    let head: RecordHead;
    try {
      head = JSON.parse(line) as RecordHead;
    } catch {
      throw damaged(this.path, "a record that is not JSON");
    }
    if (typeof head !== "object" || head === null || typeof head.kind !== "string") throw damaged(this.path, "a record without a kind");
    if (head.bytes === undefined) return { head, payload: undefined };
    if (!Number.isSafeInteger(head.bytes) || head.bytes < 0 || head.bytes > MAX_PAYLOAD)
      throw damaged(this.path, "a record of impossible size");
    // Gathered, then joined once: a page arrives in many small pieces.
    const parts = [this.#buffer];
    for (let have = this.#buffer.length; have < head.bytes; ) {
      const piece = await this.#pull();
      if (piece === undefined) throw damaged(this.path, "it ends inside a record");
      parts.push(piece);
      have += piece.length;
    }
    this.#buffer = parts.length === 1 ? this.#buffer : Buffer.concat(parts);
    const payload = this.#buffer.subarray(0, head.bytes);
    this.#buffer = this.#buffer.subarray(head.bytes);
    return { head, payload };
  }

  async #fill(): Promise<boolean> {
    const piece = await this.#pull();
    if (piece === undefined) return false;
    this.#buffer = this.#buffer.length === 0 ? piece : Buffer.concat([this.#buffer, piece]);
    return true;
  }

  async #pull(): Promise<Buffer | undefined> {
    if (this.#ended) return undefined;
    let step: IteratorResult<Buffer>;
    try {
      step = await this.#chunks.next();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "ENOENT") throw new AppError("not_found", `no backup file ${this.path}`, { file: this.path });
      throw damaged(this.path, `gzip: ${(error as Error).message}`);
    }
    if (step.done) {
      this.#ended = true;
      return undefined;
    }
    return step.value;
  }
}
