import { readFile, writeFile } from "node:fs/promises";
import { AUDIT_KEY_FILE } from "../../store/data-folder.ts";
import type { AuditReport, StoredCheckpoint, VerifierKey } from "../../store/index.ts";
import { type Command, type Io, UsageError } from "../args.ts";
import { databaseOption, signingKeyOption, stringOption, withDatabase } from "../database-options.ts";

function paint(io: Io, ok: boolean, text: string): string {
  return io.color ? `\u001b[${ok ? 32 : 31}m${text}\u001b[0m` : text;
}

function printReport(io: Io, report: AuditReport): void {
  for (const project of report.projects) {
    const redacted = project.redacted > 0 ? `, ${project.redacted} redacted` : "";
    const verdict = project.intact ? "intact" : `${project.problems.length} problem${project.problems.length === 1 ? "" : "s"}`;
    io.out(paint(io, project.intact, `${project.projectId}: version ${project.version}, ${project.events} events${redacted}: ${verdict}`));
    for (const p of project.problems) io.out(`  seq ${String(p.seq).padEnd(5)} ${p.kind.padEnd(9)} ${p.message}`);
  }
  const { log } = report;
  if (log) {
    for (const c of log.checkpoints) {
      io.out(
        paint(
          io,
          c.signed,
          `checkpoint of ${c.treeSize} events (${c.origin}, root ${c.rootHash}): ${c.signed ? "signed by the key" : "NOT signed by the key"}`,
        ),
      );
    }
    io.out(
      paint(io, log.intact, `log: ${log.leaves} events in the database's log: ${log.intact ? "it extends the checkpoints" : "tampered"}`),
    );
    for (const p of log.problems) io.out(`  ${p.kind.padEnd(12)} ${p.message}`);
  }
  const tampered = report.projects.filter((p) => !p.intact).length;
  const count = `${report.projects.length} project${report.projects.length === 1 ? "" : "s"}, ${report.events} event${report.events === 1 ? "" : "s"}`;
  io.out(
    report.intact
      ? `${count}: the audit trail is intact${log ? " and holds everything the checkpoints cover" : ""}`
      : `${count}: tampering found${tampered > 0 ? ` in ${tampered} project${tampered === 1 ? "" : "s"}` : ""}${log && !log.intact ? " and in the log" : ""}`,
  );
  if (!log)
    io.out("(the chains alone cannot show truncation, deleted projects or recomputed chains: verify --against a published checkpoint)");
}

function checkpointJson(checkpoint: StoredCheckpoint, extra: Record<string, unknown>) {
  return {
    origin: checkpoint.origin,
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash.toString("base64"),
    note: checkpoint.note,
    createdAt: checkpoint.createdAt,
    ...extra,
  };
}

const USAGE = `Usage: onboard audit verify [options]
       onboard audit checkpoint [options]

verify recomputes every project's event hash chain and reports events that were edited (payload
changed without an erasure recorded in the chain), deleted (a gap, or fewer events than the
project's version), reordered or forged (a hash or link that no longer matches). Nothing is written.
With --against it also proves, from a signed checkpoint published earlier, that the database still
holds exactly what the checkpoint covered: the signature; the log's first N events recomputed to the
checkpoint's Merkle root (truncation, removed, inserted or reordered events); every logged event
still there with the hash logged (deleted events and projects, lowered versions, recomputed chains);
erasures newer than the checkpoint sealed by the key. Give --against twice (an older and a newer
checkpoint) to prove the newer extends the older.

checkpoint appends the events not yet in the global audit log (an RFC 9162 Merkle tree over every
project's chain) and signs its head with the Ed25519 key: a C2SP signed note, printed, written to a
file or posted to a webhook. Publish it somewhere the database's administrators cannot rewrite.

Options:
  --database <url or dir>  postgres://..., a data folder, or pglite:<folder> (default: $ONBOARD_DATABASE, else $DATABASE_URL)
  --project <id>           verify: check one project only (not with --against)
  --against <file>         verify: a checkpoint note (or its JSON) to verify against; twice: older and newer
  --key <file>             verify: the signer's public key (PEM; a private key file works too)
                           checkpoint: the Ed25519 private key (PEM; default: the data folder's
                           ${AUDIT_KEY_FILE} for a data folder)
  --vkey <vkey>            verify: the signer's verifier key (name+id+key, as the server logs it)
  --origin <name>          checkpoint: the log's name (default: derived from the key, as the server does)
  -o, --output <file>      checkpoint: write the note to this file instead of printing it
  --webhook <url>          checkpoint: POST the checkpoint as JSON to this URL
  --json                   print the report (or the checkpoint) as one JSON document
  -h, --help               show this help

Exit codes: 0 intact (or written), 1 tampering found (or the database could not be read, or the
webhook failed), 2 usage error.`;

async function readArgumentFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

export const auditCommand: Command = {
  name: "audit",
  summary: "verify the audit trail (against signed checkpoints), sign a checkpoint",
  usage: USAGE,
  options: {
    database: { type: "string" },
    project: { type: "string" },
    json: { type: "boolean" },
    against: { type: "string", multiple: true },
    key: { type: "string" },
    vkey: { type: "string" },
    origin: { type: "string" },
    output: { type: "string", short: "o" },
    webhook: { type: "string" },
  },
  async run(values, positionals, io) {
    const [action, ...extra] = positionals;
    if ((action !== "verify" && action !== "checkpoint") || extra.length > 0) {
      throw new UsageError(`expected "verify" or "checkpoint"\n\n${this.usage}`);
    }
    const against = (values as Record<string, unknown>).against as string[] | undefined;
    // Loaded when run: the other commands do not pay for the store at startup.
    const store = await import("../../store/index.ts");
    const { target, folderKey } = databaseOption(store, values, this.usage);

    if (action === "verify") {
      const project = stringOption(values, "project");
      let notes: string[] = [];
      let key: VerifierKey | undefined;
      if (against && against.length > 0) {
        if (project !== undefined)
          throw new UsageError("--project checks one chain; --against checks the whole log: give one or the other");
        if (against.length > 2) throw new UsageError("give --against once, or twice (an older and a newer checkpoint)");
        notes = await Promise.all(against.map(async (file) => noteOf(await readArgumentFile(file, "the checkpoint"), file)));
        const keyFile = stringOption(values, "key");
        const vkey = stringOption(values, "vkey");
        if ((keyFile === undefined) === (vkey === undefined)) {
          throw new UsageError("verifying against a checkpoint needs the signer's key: give --key <public key file> or --vkey <vkey>");
        }
        try {
          key = vkey !== undefined ? store.parseVkey(vkey) : store.verifierFromPem(await readArgumentFile(keyFile as string, "the key"));
          for (const note of notes) store.openCheckpoint(note, key);
        } catch (error) {
          if (store.isAppError(error, "invalid")) throw new UsageError(error.message);
          throw error;
        }
      } else if (values.key !== undefined || values.vkey !== undefined) {
        throw new UsageError("--key and --vkey go with --against");
      }
      return withDatabase(store, target, io, "audit", async (database) => {
        const report = key ? await store.verifyAgainstCheckpoints(database, notes, key) : await store.verifyAudit(database, project);
        if (values.json) io.out(JSON.stringify(report, null, 2));
        else printReport(io, report);
        return report.intact ? 0 : 1;
      });
    }

    if (against !== undefined || values.project !== undefined || values.vkey !== undefined) {
      throw new UsageError("--against, --project and --vkey go with verify");
    }
    const key = await signingKeyOption(store, values, folderKey, "name the Ed25519 private key that signs checkpoints with --key <file>");
    const webhook = stringOption(values, "webhook");
    if (webhook !== undefined && !(/^https?:\/\//i.test(webhook) && URL.canParse(webhook))) {
      throw new UsageError(`--webhook must be an http(s) URL, not "${webhook}"`);
    }
    return withDatabase(store, target, io, "audit", async (database) => {
      const result = await store.writeCheckpoint(database, key, new Date());
      const json = checkpointJson(result.checkpoint, { vkey: key.vkey, appended: result.appended, written: result.written });
      const output = stringOption(values, "output");
      if (output !== undefined) await writeFile(output, values.json ? `${JSON.stringify(json, null, 2)}\n` : result.checkpoint.note);
      if (webhook !== undefined) {
        const response = await fetch(webhook, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(json),
          signal: AbortSignal.timeout(30_000),
        });
        if (!response.ok) {
          io.err(`onboard audit: the webhook answered ${response.status} ${response.statusText}; the checkpoint is stored in the database`);
          return 1;
        }
      }
      const summary = `checkpoint of ${result.checkpoint.treeSize} events (${result.appended} new), origin ${result.checkpoint.origin}, signed by ${key.vkey}`;
      if (output === undefined && webhook === undefined)
        io.out(values.json ? JSON.stringify(json, null, 2) : result.checkpoint.note.trimEnd());
      else if (values.json) io.out(JSON.stringify(json, null, 2));
      else
        io.out(`${summary}${output !== undefined ? `: written to ${output}` : ""}${webhook !== undefined ? `: posted to ${webhook}` : ""}`);
      return 0;
    });
  },
};

/** A checkpoint file: the signed note itself, or the JSON the server and `checkpoint --json` give (its note). */
function noteOf(text: string, file: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      const note = (JSON.parse(trimmed) as { note?: unknown }).note;
      if (typeof note === "string") return note;
    } catch {
      // not JSON: read as a note below
    }
    throw new UsageError(`${file} is JSON without a "note": give the checkpoint's signed note`);
  }
  return text;
}
