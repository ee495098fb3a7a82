// `onboard report controls`: the period report of access and change control (SOC 2 CC6.1, CC8.1)
// straight from the database, as the same signed package GET /reports/controls hands out.
import { writeFile } from "node:fs/promises";
import { type Command, UsageError } from "../args.ts";
import { databaseOption, signingKeyOption, stringOption, withDatabase } from "../database-options.ts";

const USAGE = `Usage: onboard report controls --from YYYY-MM-DD --to YYYY-MM-DD [options]

The access and change control report of a period (SOC 2 CC6.1 and CC8.1): who held which access
role when, every access change, and every playbook version published with its diff, author,
approver and the projects it affected. Written as a ZIP whose manifest the audit key signs
(report.json, CSV files, summary.html); any change to it is found by opening it with the public key.

Options:
  --database <url or dir>  postgres://..., a data folder, or pglite:<folder> (default: $ONBOARD_DATABASE, else $DATABASE_URL)
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
    // Loaded when run: the other commands do not pay for the store at startup.
    const store = await import("../../store/index.ts");
    // A folder that is not a database would be created empty and reported on as nothing.
    const { target, folderKey } = databaseOption(store, values, this.usage);
    const key = await signingKeyOption(store, values, folderKey, "name the Ed25519 private key that signs the package with --key <file>");
    const out = stringOption(values, "out") ?? `controls-report-${from}-to-${to}.zip`;
    const { controlsReportPackage } = await import("../../compliance/controls-data.ts");
    return withDatabase(store, target, io, "report", async (database) => {
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
    });
  },
};
