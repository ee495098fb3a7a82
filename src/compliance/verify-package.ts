// `onboard evidence verify`: any signed package's manifest (its signature by the operator's key,
// every file against its SHA-256), whatever its kind; and for an evidence package also its chain,
// checkpoint, inclusion proofs and summary (evidence.ts). Offline: the ZIP and the public key.

import type { VerifierKey } from "../store/signed-note.ts";
import { EVIDENCE_KIND, verifyEvidenceFiles } from "./evidence.ts";
import { openPackage, type PackageHeader } from "./package.ts";

export interface PackageCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
  readonly problems: readonly string[];
}

export interface PackageVerification {
  readonly intact: boolean;
  readonly header?: PackageHeader;
  readonly files: number;
  readonly checks: readonly PackageCheck[];
}

export function verifyPackage(zip: Uint8Array, key: VerifierKey): PackageVerification {
  const opened = openPackage(zip, key);
  const problems = opened.problems.map((p) => p.message);
  const checks: PackageCheck[] = [
    {
      name: "manifest",
      ok: opened.intact,
      message: opened.intact ? `signed by the key; all ${opened.files.size} files match their SHA-256` : (problems[0] as string),
      problems,
    },
  ];
  if (opened.header?.kind === EVIDENCE_KIND) checks.push(...verifyEvidenceFiles(opened.header.subject, opened.files, key));
  return {
    intact: checks.every((c) => c.ok),
    ...(opened.header ? { header: opened.header } : {}),
    files: opened.files.size,
    checks,
  };
}
