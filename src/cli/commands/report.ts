// `onboard report controls`: the period report of access and change control (SOC 2 CC6.1, CC8.1)
// straight from the database, as the same signed package GET /reports/controls hands out.
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Command, UsageError } from "../args.ts";

/** The key file the server generates in a data folder (src/api/audit-key.ts). */
const FOLDER_KEY = "audit-signing-key.pem";

function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

const USAGE = `Usage: onboard report controls --from YYYY-MM-DD --to YYYY-MM-DD [options]

The access and change control report of a period (SOC 2 CC6.1 and CC8.1): who held which access
role when, every access change, and every playbook version published with its diff, author,
approver and the projects it affected. Written as a ZIP whose manifest the audit key signs
(report.json, CSV files, summary.html); any change to it is found by opening it with the public key.

Options:
  --database <url or dir>  postgres://..., a data folder, or pglite:<folder> (default: $ONBOARD_DATABASE)
  --from <date>            the first day of the period (UTC)
  --to <date>              the last day of the period (UTC)
  --key <file>             the Ed25519 private key that signs (PEM; default: the data folder's
                           audit-signing-key.pem)
  --origin <name>          the signer's name (default: derived from the key, as the server does)
  -o, --out <file>         where to write the ZIP (default: controls-report-<from>-to-<to>.zip)

Exit codes: 0 written, 1 the database could not be read, 2 usage error.`;

export const reportCommand: Command = {
  name: "report",
  summary: "the access and change control report of a period, as a signed package",
  usage: USAGE,
  options: {
    database: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    key: { type: "string" },
    origin: { type: "string" },
    out: { type: "string", short: "o" },
  },
  async run(values, positionals, io) {
    const [kind, ...extra] = positionals;
    if (kind !== "controls" || extra.length > 0) throw new UsageError(`expected "controls"\n\n${this.usage}`);
    const from = stringOption(values, "from");
    const to = stringOption(values, "to");
    if (from === undefined || to === undefined) throw new UsageError(`give the period with --from and --to\n\n${this.usage}`);
    const { periodBounds } = await import("../../compliance/controls-report.ts");
    try {
      periodBounds({ from, to });
    } catch (error) {
      throw new UsageError(`--${(error as Error).message}`);
    }
    const location = stringOption(values, "database") ?? process.env.ONBOARD_DATABASE;
    if (!location) throw new UsageError(`name the database with --database (or set ONBOARD_DATABASE)\n\n${this.usage}`);
    // Loaded when run: the other commands do not pay for the store at startup.
    const store = await import("../../store/index.ts");
    const target = store.parseDatabaseTarget(location);
    const folder = store.dataFolderOf(target);
    // Opening a folder that is not a database would create an empty one and report on nothing.
    if (target.kind !== "postgres" && (folder === undefined || !store.isDatabaseFolder(folder))) {
      throw new UsageError(`${location} is not an Onboard database folder`);
    }
    const keyFile = stringOption(values, "key") ?? (folder !== undefined ? join(folder, FOLDER_KEY) : undefined);
    if (keyFile === undefined) throw new UsageError("name the Ed25519 private key that signs the package with --key <file>");
    let key: ReturnType<typeof store.signingKey>;
    try {
      const privateKey = await store.readPrivateKeyFile(keyFile);
      key = store.signingKey(stringOption(values, "origin") ?? store.defaultOrigin(privateKey), privateKey);
    } catch (error) {
      if (store.isAppError(error, "invalid")) throw new UsageError(error.message);
      throw error;
    }
    const out = stringOption(values, "out") ?? `controls-report-${from}-to-${to}.zip`;
    const { controlsReportPackage } = await import("../../compliance/controls-data.ts");
    const database = await store.openDatabase(target, {
      migrate: false,
      shareRunning: true,
      log: (message) => io.err(`onboard: ${message}`),
    });
    try {
      const pending = await store.pendingMigrations(database.db);
      if (pending.length > 0) {
        io.err(`onboard report: ${database.description} needs ${pending.length} migration(s) first; start Onboard once to apply them`);
        return 1;
      }
      const { openSummaryPrinter } = await import("../../api/data/summary-printer.ts");
      const printing = await openSummaryPrinter(undefined, { required: process.env.CI === "true" });
      if (printing.note) io.err(`onboard report: ${printing.note}`);
      let zip: Uint8Array;
      try {
        zip = await controlsReportPackage(database.db, { from, to }, key, new Date().toISOString(), printing.printer);
      } finally {
        await printing.close();
      }
      await writeFile(out, zip);
      io.out(`${out}: the controls report ${from} to ${to}, signed by ${key.vkey}`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
