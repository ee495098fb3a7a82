// What the endpoints are given: the configuration, the database (the store's tables and the API's,
// and its file store), the project service, the clock, the mailer, the template threads and telemetry.
// Passed in, never global.
import type { Instant } from "../engine/types.ts";
import type { Mailer } from "../notify/mailer.ts";
import type { TemplateRenderer } from "../notify/templates.ts";
import type { Database, ProjectService, SigningKey } from "../store/index.ts";
import type { Config } from "./config.ts";
import type { ApiDb } from "./data/tables.ts";
import type { Telemetry } from "./telemetry/telemetry.ts";

export interface ApiDeps {
  readonly config: Config;
  readonly database: Database;
  readonly db: ApiDb;
  readonly service: ProjectService;
  readonly clock: () => Instant;
  /** Email out: SMTP when configured, else .eml files in MAIL_DIR; recorded, secrets redacted, in the mail log. */
  readonly mailer: Mailer;
  /** Say that the outbox has new committed rows (wakes this process's dispatcher, if it runs one). */
  readonly outboxQueued: () => void;
  /** Where user-authored templates render: worker threads with a time limit and a bounded queue. */
  readonly templates: TemplateRenderer;
  /** Signs audit checkpoints (and seals erasures); undefined: checkpoints are off. */
  readonly auditKey?: SigningKey | undefined;
  /** This server's metrics registry and tracer. */
  readonly telemetry: Telemetry;
}
