import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { AuditReport } from "../../store/index.ts";
import { type Command, type Io, UsageError } from "../args.ts";

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
  const tampered = report.projects.filter((p) => !p.intact).length;
  const count = `${report.projects.length} project${report.projects.length === 1 ? "" : "s"}, ${report.events} event${report.events === 1 ? "" : "s"}`;
  io.out(
    report.intact ? `${count}: the audit trail is intact` : `${count}: tampering found in ${tampered} project${tampered === 1 ? "" : "s"}`,
  );
}

export const auditCommand: Command = {
  name: "audit",
  summary: "verify that the hash-chained audit trail has not been edited",
  usage: `Usage: onboard audit verify [options]

Recomputes every project's event hash chain and reports events that were edited (payload changed
without a recorded redaction), deleted (a gap, or fewer events than the project's version),
reordered or forged (a hash or link that no longer matches). Nothing is written.

Options:
  --database <url or dir>  postgres://... or a PGlite data folder (default: $ONBOARD_DATABASE)
  --project <id>           check one project only
  --json                   print the report as one JSON document
  -h, --help               show this help

Exit codes: 0 intact, 1 tampering found (or the database could not be read), 2 usage error.`,
  options: { database: { type: "string" }, project: { type: "string" }, json: { type: "boolean" } },
  async run(values, positionals, io) {
    const [action, ...extra] = positionals;
    if (action !== "verify" || extra.length > 0) throw new UsageError(`expected "verify"\n\n${this.usage}`);
    const location = typeof values.database === "string" ? values.database : process.env.ONBOARD_DATABASE;
    if (!location) throw new UsageError(`name the database with --database (or set ONBOARD_DATABASE)\n\n${this.usage}`);
    // Loaded when run: the other commands do not pay for the store at startup.
    const { openDatabase, parseDatabaseTarget, pendingMigrations, verifyAudit } = await import("../../store/index.ts");
    const target = parseDatabaseTarget(location);
    if (target.kind === "pglite") {
      // Opening a folder that is not a database would create an empty one and call it intact.
      if (target.dataDir === undefined || !(await stat(join(target.dataDir, "PG_VERSION")).catch(() => undefined))) {
        throw new UsageError(`${location} is not an Onboard database folder`);
      }
    }
    const database = await openDatabase(target, { migrate: false });
    try {
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0) {
        io.err(
          `onboard audit: ${database.description} needs ${pending.length} migration(s) before it can be verified; start Onboard once to apply them`,
        );
        return 1;
      }
      const project = typeof values.project === "string" ? values.project : undefined;
      const report = await verifyAudit(database, project);
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else printReport(io, report);
      return report.intact ? 0 : 1;
    } finally {
      await database.close();
    }
  },
};
