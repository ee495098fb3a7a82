import { type Command, type Io, UsageError } from "../args.ts";
import { databaseLocation, NAME_THE_DATABASE } from "../database-options.ts";
import { dbCopy } from "./db-copy.ts";
import { assertNoArguments, databaseStatus, migrateDatabase } from "./db-schema.ts";

export const dbCommand: Command = {
  name: "db",
  summary: "database administration: migrations, their status, copy to PostgreSQL, a least-privileged role",
  usage: `Usage: onboard db grant-app-role <role> [options]
       onboard db migrate [--database <location>]
       onboard db status [--database <location>]
       onboard db copy --from <source> --to <target>

grant-app-role gives an existing PostgreSQL role what the server needs and no more: it reads and
writes the application's tables but may only append to the audit trail (events, the audit log
and its checkpoints: no UPDATE, DELETE or TRUNCATE), may erase personal data only through the
audited function onboard_redact_event, and may not change the schema or switch triggers off. Run
it as the owner of the tables (the role that ran the migrations), again after upgrades that add
tables, then run the server as that role: DATABASE_URL=postgres://<role>:<password>@host/db.

  CREATE ROLE onboard_app LOGIN PASSWORD '...';   -- once, as an administrator

migrate applies the migrations this Onboard has and the database lacks, under the advisory lock
every migrating process takes, and lists what it applied: run it before starting (or rolling)
processes with MIGRATIONS=off. status says the database's migration, this Onboard's, what is
pending and what is unknown (applied by a newer Onboard). <location> is postgres://..., a data
folder, or pglite:<folder>.

copy takes every row and every file of an Onboard database into a new, empty one: the way from
the embedded database (a data folder, or pglite:<folder>) to PostgreSQL (postgres://...), or back
to a new folder. The source is read in one snapshot, so Onboard may keep running on it (not on a
PGlite folder: stop it first); files move between the folder store and PostgreSQL's file_chunks,
each SHA-256 checked. The target's transaction commits only once every table's count and digest
and the audit trail match the source. Prints what was verified and how to start Onboard on it.

Options:
  --from <source>   copy: a data folder, pglite:<folder> or postgres://...
  --to <target>     copy: postgres://... (an empty database) or a new, empty folder
  --database <url>  postgres://owner@host/db or a data folder (default: $ONBOARD_DATABASE, else $DATABASE_URL)
  --print           grant-app-role: print the SQL instead of running it (to review, or for
                    your own tooling)
  -h, --help        show this help

Exit codes: 0 done (status: up to date), 1 the database refused (status: migrations pending or
unknown; copy: refused or not verified), 2 usage error.`,
  options: { database: { type: "string" }, print: { type: "boolean" }, from: { type: "string" }, to: { type: "string" } },
  async run(values, positionals, io) {
    const [action, ...rest] = positionals;
    switch (action) {
      case "migrate":
        assertNoArguments(action, rest, this.usage);
        return migrateDatabase(values, io, this.usage);
      case "status":
        assertNoArguments(action, rest, this.usage);
        return databaseStatus(values, io, this.usage);
      case "copy":
        assertNoArguments(action, rest, this.usage);
        return dbCopy(values, io, this.usage);
      case "grant-app-role":
        return grantAppRoleCommand(values, rest, io, this.usage);
      default:
        throw new UsageError(`expected "migrate", "status", "copy" or "grant-app-role <role>"\n\n${this.usage}`);
    }
  },
};

async function grantAppRoleCommand(
  values: Record<string, unknown>,
  positionals: readonly string[],
  io: Io,
  usage: string,
): Promise<number> {
  const [role, ...extra] = positionals;
  if (role === undefined || extra.length > 0) {
    throw new UsageError(`expected "grant-app-role <role>"\n\n${usage}`);
  }
  const { appRoleStatements, grantAppRole } = await import("../../store/app-role.ts");
  const { isAppError, openDatabase, parseDatabaseTarget } = await import("../../store/index.ts");
  if (values.print) {
    try {
      for (const statement of appRoleStatements(role, "public")) io.out(`${statement};`);
    } catch (error) {
      if (isAppError(error, "invalid")) throw new UsageError(error.message);
      throw error;
    }
    return 0;
  }
  const location = databaseLocation(values);
  if (!location) throw new UsageError(`${NAME_THE_DATABASE}\n\n${usage}`);
  const target = parseDatabaseTarget(location);
  if (target.kind !== "postgres") throw new UsageError("roles and privileges are PostgreSQL's: the embedded database has one user");
  const database = await openDatabase(target, { migrate: false });
  try {
    const statements = await grantAppRole(database.db, role);
    for (const statement of statements) io.out(`${statement};`);
    io.out(`role ${role} may now run the server on ${database.description}; the audit trail is append-only for it`);
    return 0;
  } catch (error) {
    if (isAppError(error, "invalid")) throw new UsageError(error.message);
    throw error;
  } finally {
    await database.close();
  }
}
