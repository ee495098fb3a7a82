// The key the server signs audit checkpoints with: the operator's PEM file (AUDIT_SIGNING_KEY),
// else on the embedded database a key generated once in the data folder (mode 0600), else none:
// on PostgreSQL without a key, checkpoints are off and the server says so. The private key never
// goes into the database; its vkey is what the operator publishes for verifiers.
import type { KeyObject } from "node:crypto";
import { join } from "node:path";
import { AUDIT_KEY_FILE } from "../store/data-folder.ts";
import { dataFolderOf, defaultOrigin, ensureSigningKeyFile, readPrivateKeyFile, type SigningKey, signingKey } from "../store/index.ts";
import type { Config } from "./config.ts";

export type AuditKeySource =
  | { readonly kind: "configured"; readonly key: SigningKey; readonly file: string }
  | { readonly kind: "generated"; readonly key: SigningKey; readonly file: string; readonly created: boolean }
  | { readonly kind: "given"; readonly key: SigningKey }
  | { readonly kind: "off"; readonly why: string };

export async function resolveAuditKey(
  config: Config,
  options: { readonly ownsDatabase: boolean; readonly key?: KeyObject | undefined },
): Promise<AuditKeySource> {
  const named = (privateKey: KeyObject) => signingKey(config.audit.origin ?? defaultOrigin(privateKey), privateKey);
  if (options.key) return { kind: "given", key: named(options.key) };
  const file = config.audit.signingKeyFile;
  if (file !== undefined) return { kind: "configured", key: named(await readPrivateKeyFile(file)), file };
  const folder = dataFolderOf(config.database);
  if (options.ownsDatabase && folder !== undefined) {
    const path = join(folder, AUDIT_KEY_FILE);
    const { privateKey, created } = await ensureSigningKeyFile(path);
    return { kind: "generated", key: named(privateKey), file: path, created };
  }
  return {
    kind: "off",
    why:
      config.database.kind === "postgres"
        ? "audit checkpoints are off: set AUDIT_SIGNING_KEY to an Ed25519 private key file (openssl genpkey -algorithm ed25519 -out audit.pem)"
        : "audit checkpoints are off: no AUDIT_SIGNING_KEY for this database",
  };
}
