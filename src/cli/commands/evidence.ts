import { readFile, writeFile } from "node:fs/promises";
import type { PackageVerification } from "../../compliance/verify-package.ts";
import { AUDIT_KEY_FILE } from "../../store/data-folder.ts";
import type { VerifierKey } from "../../store/index.ts";
import { type Command, type Io, UsageError } from "../args.ts";
import { databaseOption, signingKeyOption, stringOption, withDatabase } from "../database-options.ts";

const USAGE = `Usage: onboard evidence <project> [--out <file>] [options]
       onboard evidence verify <package.zip> (--vkey <vkey> | --key-file <pem>)

<project> writes the project's evidence package, what an auditor's sample request asks for, as a
ZIP signed by the audit key: summary.pdf (summary.html when no Chromium can print it) and
summary.json (the procedure version and its document control, every step with who and when, every
sign-off with how its signer authenticated, every deviation with its reason and who allowed it, SLA
outcomes, the playbook's compliance checks with their evidence or "missing"), events.jsonl (the raw
events), proof/checkpoint.note and proof/inclusion.json (a signed checkpoint of the whole audit log
and every event's inclusion proof; a checkpoint is written when the latest does not cover the
project's newest event), the procedure's YAML, and MANIFEST.note (every file's SHA-256, signed).

verify checks a package offline with only the operator's public key: the manifest's signature and
every file against it (any kind of package); for an evidence package also the events' hash chain
(erasures recorded in the chain accepted), the checkpoint's signature, every event's inclusion in
it, and that the summary states the same head and checkpoint. Changing any byte is detected.

Options:
  --database <url or dir>  postgres://..., a data folder, or pglite:<folder> (default: $ONBOARD_DATABASE, else $DATABASE_URL)
  --key <file>             the audit key's Ed25519 private key (PEM; default: the data folder's
                           ${AUDIT_KEY_FILE} for a data folder)
  --origin <name>          the log's name (default: derived from the key, as the server does)
  -o, --out <file>         where to write the package (default: evidence-<project>.zip)
  --vkey <vkey>            verify: the operator's verifier key (name+id+key, as the server logs it)
  --key-file <file>        verify: the operator's public key (PEM; a private key file works too)
  --json                   verify: print the result as one JSON document
  -h, --help               show this help

Exit codes: 0 written (or intact), 1 a problem (any check failed, or the database could not be
read), 2 usage error.`;

function paint(io: Io, ok: boolean, text: string): string {
  return io.color ? `\u001b[${ok ? 32 : 31}m${text}\u001b[0m` : text;
}

function printVerification(io: Io, result: PackageVerification): void {
  if (result.header)
    io.out(`package: ${result.header.kind} of ${result.header.subject}, made ${result.header.createdAt}, ${result.files} files`);
  for (const check of result.checks) {
    io.out(paint(io, check.ok, `${check.ok ? "ok  " : "FAIL"} ${check.name.padEnd(10)} ${check.message}`));
    for (const problem of check.problems.slice(check.ok ? 0 : 1, 20)) io.out(`     ${"".padEnd(10)} ${problem}`);
    if (check.problems.length > 20) io.out(`     ${"".padEnd(10)} … and ${check.problems.length - 20} more`);
  }
  io.out(result.intact ? "the package is intact and signed by the key" : "the package does NOT verify");
}

async function readArgumentFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

export const evidenceCommand: Command = {
  name: "evidence",
  summary: "an onboarding's evidence package for an auditor (signed ZIP); verify one offline",
  usage: USAGE,
  options: {
    database: { type: "string" },
    key: { type: "string" },
    origin: { type: "string" },
    out: { type: "string", short: "o" },
    vkey: { type: "string" },
    "key-file": { type: "string" },
    json: { type: "boolean" },
  },
  async run(values, positionals, io) {
    const store = await import("../../store/index.ts");
    if (positionals[0] === "verify") {
      const [, file, ...extra] = positionals;
      if (file === undefined || extra.length > 0)
        throw new UsageError(`name one package: onboard evidence verify <package.zip>\n\n${this.usage}`);
      const vkey = stringOption(values, "vkey");
      const keyFile = stringOption(values, "key-file");
      if ((vkey === undefined) === (keyFile === undefined))
        throw new UsageError("give the operator's public key: --vkey <vkey> or --key-file <pem>");
      let key: VerifierKey;
      try {
        key =
          vkey !== undefined
            ? store.parseVkey(vkey)
            : store.verifierFromPem((await readArgumentFile(keyFile as string, "the key")).toString("utf8"));
      } catch (error) {
        if (store.isAppError(error, "invalid")) throw new UsageError(error.message);
        throw error;
      }
      const zip = await readArgumentFile(file, "the package");
      const { verifyPackage } = await import("../../compliance/verify-package.ts");
      const result = verifyPackage(zip, key);
      if (values.json) io.out(JSON.stringify(result, null, 2));
      else printVerification(io, result);
      return result.intact ? 0 : 1;
    }

    const [project, ...extra] = positionals;
    if (project === undefined || extra.length > 0) throw new UsageError(`name one project: onboard evidence <project>\n\n${this.usage}`);
    if (values.vkey !== undefined || values["key-file"] !== undefined) throw new UsageError("--vkey and --key-file go with verify");
    const { target, folderKey } = databaseOption(store, values, this.usage);
    const key = await signingKeyOption(
      store,
      values,
      folderKey,
      "name the audit key (the Ed25519 private key that signs checkpoints) with --key <file>",
    );
    return withDatabase(store, target, io, "evidence", async (database) => {
      const { buildEvidencePackage } = await import("../../api/data/evidence.ts");
      // Under CI a Chromium that does not start is a failure, not an HTML fallback.
      const built = await buildEvidencePackage(database, key, project, new Date().toISOString(), { requirePdf: process.env.CI === "true" });
      const out = stringOption(values, "out") ?? built.fileName;
      await writeFile(out, built.zip);
      const { summary } = built;
      io.out(
        `${out}: the evidence package of ${project} (${summary.project.client.name}), ${summary.chain.events} events, signed by ${key.vkey}`,
      );
      if (summary.rendering.summary === "html") io.out(`note: ${summary.rendering.note ?? "the summary is HTML"}`);
      const missing = summary.checks.filter((c) => c.status === "missing").length;
      io.out(
        `${summary.steps.length} steps, ${summary.approvals.length} sign-offs, ${summary.deviations.length} deviations, SLA ${summary.sla.met} met / ${summary.sla.missed} missed, ${summary.checks.length} compliance checks (${missing} missing)`,
      );
      io.out(`verify it with: onboard evidence verify ${out} --vkey ${key.vkey}`);
      return 0;
    });
  },
};
