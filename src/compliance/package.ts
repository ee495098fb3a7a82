// A signed package: a ZIP whose every file is listed, with its SHA-256, in a manifest that the
// operator's audit key signs (a C2SP signed note, the same format as the log's checkpoints). The
// manifest's lines are `sha256sum` lines, so an auditor can check the files with standard tools,
// and `onboard evidence verify` checks the signature with only the operator's public key (vkey).
// Changing, adding or removing any byte of any file, the manifest or its signature is detected.
import { createHash, verify } from "node:crypto";
import { unzipSync, zipSync } from "fflate";
import { keyIdOf, parseNote, type SigningKey, signNote, type VerifierKey } from "../store/signed-note.ts";

export const MANIFEST_FILE = "MANIFEST.note";
const FORMAT = "onboard-package/1";
/** ZIP timestamps are fixed so the same package is the same bytes. */
const ZIP_TIME = new Date("2000-01-01T00:00:00Z");
/** A package's paths: relative, forward slashes, no "..": nothing a ZIP tool could write outside its folder. */
const SAFE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

export interface PackageFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface PackageHeader {
  /** What the package is: "evidence", "period-report" … */
  readonly kind: string;
  /** What it is about: a project id, a period. One line. */
  readonly subject: string;
  readonly createdAt: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function oneLine(name: string, value: string): string {
  if (value === "" || /[\r\n]/.test(value)) throw new RangeError(`the package's ${name} must be one non-empty line`);
  return value;
}

/** The manifest's text: format, header, then one `sha256sum` line per file in path order. */
export function manifestText(header: PackageHeader, files: readonly PackageFile[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => `${sha256(file.bytes)}  ${file.path}\n`);
  return `${FORMAT}\n${oneLine("kind", header.kind)}\n${oneLine("subject", header.subject)}\n${oneLine("createdAt", header.createdAt)}\n${lines.join("")}`;
}

/** Zip the files with their signed manifest. */
export function writePackage(header: PackageHeader, files: readonly PackageFile[], key: SigningKey): Uint8Array {
  const seen = new Set<string>();
  for (const file of files) {
    if (!SAFE_PATH.test(file.path) || file.path === MANIFEST_FILE) throw new RangeError(`not a package path: "${file.path}"`);
    if (seen.has(file.path)) throw new RangeError(`two files named "${file.path}"`);
    seen.add(file.path);
  }
  const note = signNote(manifestText(header, files), key);
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {
    [MANIFEST_FILE]: [Buffer.from(note, "utf8"), { mtime: ZIP_TIME }],
  };
  for (const file of files) entries[file.path] = [file.bytes, { mtime: ZIP_TIME }];
  return zipSync(entries, { level: 6 });
}

export type PackageProblemKind = "format" | "signature" | "altered" | "missing" | "extra";

export interface PackageProblem {
  readonly kind: PackageProblemKind;
  readonly message: string;
  readonly path?: string;
}

export interface OpenedPackage {
  /** The signature verifies and every file matches its line: the files can be trusted as the operator's. */
  readonly intact: boolean;
  readonly problems: readonly PackageProblem[];
  readonly header?: PackageHeader;
  /** Every file but the manifest, as found (read them only when `intact`). */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** A signed note's text and whether `key` signed it; an unreadable note is an error, not a throw. */
function openNote(note: string, key: VerifierKey): { text: string; signed: boolean; why?: string } | { error: string } {
  let parsed: ReturnType<typeof parseNote>;
  try {
    parsed = parseNote(note);
  } catch (error) {
    return { error: `${MANIFEST_FILE} is not a signed note: ${(error as Error).message}` };
  }
  const { text, signatures } = parsed;
  const byKey = signatures.filter((s) => {
    if (key.name !== undefined && s.name !== key.name) return false;
    try {
      return s.keyId.equals(keyIdOf(s.name, key.publicKey));
    } catch {
      return false; // a name no key can have ("+" in it)
    }
  });
  if (byKey.length === 0) return { text, signed: false, why: `signed by ${signatures.map((s) => s.name).join(", ")}, not by this key` };
  const signed = byKey.some((s) => verify(null, Buffer.from(text, "utf8"), key.publicKey, s.signature));
  return signed ? { text, signed } : { text, signed, why: "the signature does not match the manifest" };
}

/** Open a package and check its manifest's signature and every file against it. Never throws on bad input. */
export function openPackage(zip: Uint8Array, key: VerifierKey): OpenedPackage {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    return { intact: false, files: new Map(), problems: [{ kind: "format", message: `not a ZIP archive: ${(error as Error).message}` }] };
  }
  const files = new Map(Object.entries(entries).filter(([path]) => path !== MANIFEST_FILE && !path.endsWith("/")));
  const manifest = entries[MANIFEST_FILE];
  if (!manifest) return { intact: false, files, problems: [{ kind: "format", message: `no ${MANIFEST_FILE}: not an Onboard package` }] };
  const opened = openNote(Buffer.from(manifest).toString("utf8"), key);
  if ("error" in opened) return { intact: false, files, problems: [{ kind: "format", message: opened.error }] };
  const problems: PackageProblem[] = [];
  if (!opened.signed) problems.push({ kind: "signature", message: `the manifest is not signed by the given key: ${opened.why}` });
  const [format, kind, subject, createdAt, ...lines] = opened.text.split("\n");
  if (format !== FORMAT || !kind || !subject || !createdAt) {
    problems.push({ kind: "format", message: `the manifest does not begin with ${FORMAT}, a kind, a subject and a time` });
    return { intact: false, files, problems };
  }
  const listed = new Set<string>();
  for (const line of lines.filter((l) => l !== "")) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match) {
      problems.push({ kind: "format", message: `not a manifest line: "${line.slice(0, 80)}"` });
      continue;
    }
    const [, hash, path] = match as unknown as [string, string, string];
    listed.add(path);
    const bytes = files.get(path);
    if (!bytes) problems.push({ kind: "missing", path, message: `${path} is listed in the manifest but not in the package` });
    else if (sha256(bytes) !== hash)
      problems.push({ kind: "altered", path, message: `${path} does not match its SHA-256 in the manifest` });
  }
  for (const path of files.keys()) {
    if (!listed.has(path)) problems.push({ kind: "extra", path, message: `${path} is in the package but not in the signed manifest` });
  }
  return { intact: problems.length === 0, problems, header: { kind, subject, createdAt }, files };
}
