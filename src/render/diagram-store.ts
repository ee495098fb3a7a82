// Word's pictures of the process maps kept on disk between runs. Photographing a map is the one
// costly, deterministic part of drawing it: the same SVG photographed at the same scale gives the
// same PNG. So each picture is stored under a hash of both, and a playbook whose procedure did not
// change (or another edition of it) is rendered without photographing its map again.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export interface DiagramStore {
  readPng(key: string): Promise<Uint8Array | undefined>;
  writePng(key: string, png: Uint8Array): Promise<void>;
}

/** Bumped when the way pictures are taken changes in a way the SVG does not show. */
const PICTURE_FORMAT = 2;

/** The key of a picture: everything that decides what it looks like. */
export function pictureKey(svg: string, takenWith: { readonly pngScale: number }): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: PICTURE_FORMAT, pngScale: takenWith.pngScale, svg }))
    .digest("hex");
}

/** The default folder: $ONBOARD_CACHE_DIR, else $XDG_CACHE_HOME/onboard, else ~/.cache/onboard. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONBOARD_CACHE_DIR) return env.ONBOARD_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "onboard");
}

/**
 * Pictures as files `<dir>/diagrams/<key>.png`. Writes go to a temporary file renamed into place,
 * so a reader never sees half a picture; a file that cannot be read or is not a PNG is a miss (the
 * map is photographed again), and a store that cannot be written to only costs the next run its time.
 */
export class FileDiagramStore implements DiagramStore {
  readonly #dir: string;

  constructor(cacheDir: string) {
    this.#dir = join(cacheDir, "diagrams");
  }

  async #read(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.#dir, name));
    } catch {
      return undefined;
    }
  }

  async #write(name: string, content: Uint8Array): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true });
      const temporary = join(this.#dir, `.${name}.${randomBytes(6).toString("hex")}`);
      await writeFile(temporary, content);
      await rename(temporary, join(this.#dir, name));
    } catch {
      // A read-only or full disk: the drawing is simply not kept.
    }
  }

  async readPng(key: string): Promise<Uint8Array | undefined> {
    const raw = await this.#read(`${key}.png`);
    // A PNG starts with its 8-byte signature; anything else is a damaged file.
    return raw && raw.length > 8 && raw.readUInt32BE(0) === 0x89504e47 ? new Uint8Array(raw) : undefined;
  }

  writePng(key: string, png: Uint8Array): Promise<void> {
    return this.#write(`${key}.png`, png);
  }
}
