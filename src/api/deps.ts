// What the endpoints are given: the configuration, the database (the store's tables and the API's),
// the project service and the clock. Passed in, never global.
import type { Instant } from "../engine/types.ts";
import type { Mailer } from "../notify/mailer.ts";
import type { Database, ProjectService, SigningKey } from "../store/index.ts";
import type { Config } from "./config.ts";
import type { ApiDb } from "./data/tables.ts";

export interface ApiDeps {
  readonly config: Config;
  readonly database: Database;
  readonly db: ApiDb;
  readonly service: ProjectService;
  readonly clock: () => Instant;
  /** Email out: SMTP when configured, else the mail outbox the app shows. */
  readonly mailer: Mailer;
  /** Signs audit checkpoints (and seals erasures); undefined: checkpoints are off. */
  readonly auditKey?: SigningKey | undefined;
}
