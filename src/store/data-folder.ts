// The names of what a data folder holds besides its database, shared by the server that writes
// them and the CLI that reads them (and light to import: the CLI loads it before the store).

/** The Ed25519 key the server generates to sign audit checkpoints when no AUDIT_SIGNING_KEY is set. */
export const AUDIT_KEY_FILE = "audit-signing-key.pem";
