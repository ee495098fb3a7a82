// Drawn process maps kept on disk between runs. Drawing a map is the costly, deterministic part of
// rendering: the same Mermaid text drawn by the same mermaid with the same font and scale gives the
// same SVG and PNG. So each drawing is stored under a hash of all of these, and a playbook whose
// procedure did not change (or another edition of it) is rendered without drawing its map again.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Drawing } from "./diagram-cache.ts";

export interface DiagramStore {
  readSvg(key: string): Promise<Omit<Drawing, "id"> | undefined>;
  writeSvg(key: string, drawing: Omit<Drawing, "id">): Promise<void>;
  readPng(key: string): Promise<Uint8Array | undefined>;
  writePng(key: string, png: Uint8Array): Promise<void>;
}

let mermaidVersion: string | undefined;

/** The installed mermaid's version: a new mermaid draws differently, so it is part of the key. */
function installedMermaid(): string {
  mermaidVersion ??= (createRequire(import.meta.url)("mermaid/package.json") as { version: string }).version;
  return mermaidVersion;
}

/** The key of a drawing: everything that decides what it looks like. */
export function drawingKey(source: string, drawnWith: { readonly font: string; readonly pngScale: number }): string {
  return createHash("sha256")
    .update(JSON.stringify({ mermaid: installedMermaid(), font: drawnWith.font, pngScale: drawnWith.pngScale, source }))
    .digest("hex");
}

/** The default folder: $ONBOARD_CACHE_DIR, else $XDG_CACHE_HOME/onboard, else ~/.cache/onboard. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONBOARD_CACHE_DIR) return env.ONBOARD_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "onboard");
}

/**
 * Drawings as files under `<dir>/diagrams/`: `<key>.json` (SVG and size) and `<key>.png`. Writes go
 * to a temporary file renamed into place, so a reader never sees half a drawing; a file that cannot
 * be read or parsed is a miss (the map is drawn again), and a store that cannot be written to only
 * costs the next run its time.
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

  async #write(name: string, content: string | Uint8Array): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true });
      const temporary = join(this.#dir, `.${name}.${randomBytes(6).toString("hex")}`);
      await writeFile(temporary, content);
      await rename(temporary, join(this.#dir, name));
    } catch {
      // A read-only or full disk: the drawing is simply not kept.
    }
  }

  async readSvg(key: string): Promise<Omit<Drawing, "id"> | undefined> {
    const raw = await this.#read(`${key}.json`);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as { svg?: unknown; width?: unknown; height?: unknown };
      if (typeof parsed.svg !== "string" || typeof parsed.width !== "number" || typeof parsed.height !== "number") return undefined;
      return { svg: parsed.svg, width: parsed.width, height: parsed.height };
    } catch {
      return undefined;
    }
  }

  writeSvg(key: string, drawing: Omit<Drawing, "id">): Promise<void> {
    return this.#write(`${key}.json`, JSON.stringify({ svg: drawing.svg, width: drawing.width, height: drawing.height }));
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
