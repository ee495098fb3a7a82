// The server's configuration: environment variables parsed and validated once, at start, into a
// typed value that is passed to everything that needs it. Nothing else reads process.env. A wrong
// value stops the start with a message naming the variable, what it holds and what is allowed.

import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { defaultEmbeddedEngine } from "../store/embedded-server/binaries.ts";
import type { DatabaseTarget } from "../store/index.ts";
import { ACCESS_ROLES, type AccessRole } from "./auth/roles.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const BUILT_IN_PLAYBOOKS = fileURLToPath(new URL("../../playbooks/", import.meta.url));

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseTarget;
  /** `auto`: migrate the database at start (under the advisory lock); `off`: never change the schema, refuse one that is not current. */
  readonly migrations: "auto" | "off";
  readonly logLevel: LogLevel;
  /** Tick due projects in this process (off on API-only nodes). */
  readonly scheduler: boolean;
  /** Deliver the outbox's effects in this process (off on API-only nodes). */
  readonly outbox: boolean;
  readonly playbooksDir: string;
  /**
   * The erasure journal (JSON lines, ids only): every erasure is appended here too, and re-applied
   * at start when a restored backup brought its subject's data back. Keep it outside the backup set.
   */
  readonly erasureJournal: string;
  readonly admin: { readonly email: string; readonly password: string | undefined };
  readonly sessionTtlHours: number;
  /** `auto`: Secure cookies unless the request is for localhost. */
  readonly cookieSecure: "auto" | "on" | "off";
  /** The origin browsers reach the server at (behind a proxy), for the CSRF Origin check. */
  readonly publicUrl: string | undefined;
  readonly trustProxy: boolean;
  /** Login attempts allowed per client address and minute. */
  readonly loginRateLimit: number;
  /** Password attempts allowed per account (email) in 15 minutes, counted in the database; a sign-in resets it. */
  readonly loginAccountLimit: number;
  /** Demo projects to create on an empty database (ONBOARD_DEMO_PROJECTS; unset: 300 for `npm start`, 0: none). */
  readonly demoProjects: number | undefined;
  /** Portal sign-in link requests allowed per client address and minute. */
  readonly magicLinkRateLimit: number;
  /** CRM webhook deliveries allowed per source address and minute. */
  readonly webhookRateLimit: number;
  readonly shutdownTimeoutMs: number;
  /** CRM webhooks (routes/webhooks): a source whose secret is unset answers 503. */
  readonly webhooks: WebhookConfig;
  /** Single sign-on through OpenID Connect (routes/auth/oidc-*); undefined (OIDC_ISSUER unset): those routes answer 503. */
  readonly oidc: OidcConfig | undefined;
  /** AES-256-GCM key (TOTP_ENCRYPTION_KEY) the TOTP secrets are stored under; undefined: stored as they are. */
  readonly totpEncryptionKey: Buffer | undefined;
  /** Email, chat and survey links (src/notify). */
  readonly notifications: NotificationConfig;
  /** Bounds on work one user can ask of the server: template rendering and stored files. */
  readonly limits: LimitsConfig;
  /** Signed checkpoints of the global audit log (src/store/audit-log.ts). */
  readonly audit: AuditConfig;
  /** Metrics, tracing and readiness (src/api/telemetry). */
  readonly observability: ObservabilityConfig;
}

export interface ObservabilityConfig {
  /** The bearer token GET /metrics asks for; undefined: only loopback callers without a proxy may scrape. */
  readonly metricsToken: string | undefined;
  /** Where OTLP/HTTP traces go (the collector's base URL, /v1/traces is added); undefined: no tracing. */
  readonly otlpEndpoint: string | undefined;
  /** service.name in the traces. */
  readonly serviceName: string;
  /** A node running the scheduler answers 503 on /health/ready when due projects wait longer than this, ms. */
  readonly readyMaxSchedulerLagMs: number;
}

export interface LimitsConfig {
  /** Worker threads rendering templates (src/notify/render-pool.ts). */
  readonly templateThreads: number;
  /** Renders that may wait for a thread before a preview answers 503 with Retry-After (the outbox's mail always waits). */
  readonly templateQueue: number;
  /** Time one message may take to render (subject, text and HTML), ms; beyond it 422. */
  readonly templateRenderMs: number;
  /** Bytes of files each client's projects may hold (team and portal uploads together). */
  readonly clientFileQuotaBytes: number;
  /** Files one portal contact may upload per hour. */
  readonly portalUploadsPerHour: number;
}

export interface AuditConfig {
  /**
   * A PKCS#8 PEM file holding the Ed25519 key checkpoints are signed with. Unset: on the embedded
   * database a key is generated in DATA_DIR on first start; on PostgreSQL checkpoints are off.
   */
  readonly signingKeyFile: string | undefined;
  /** How often the server writes a checkpoint (with the scheduler); 0: only on demand. */
  readonly checkpointIntervalMs: number;
  /** The log's name in its checkpoints; undefined: derived from the key. */
  readonly origin: string | undefined;
}

export interface NotificationConfig {
  /** smtp(s)://user:password@host:port; undefined: mail is written to mailDir. */
  readonly smtpUrl: string | undefined;
  /** Where mail goes as .eml files when no SMTP server is configured. */
  readonly mailDir: string;
  /** The sender of every message, "Name <address>". */
  readonly mailFrom: { readonly name?: string; readonly address: string };
  /** A Slack incoming webhook; undefined: no chat notifications. */
  readonly slackWebhookUrl: string | undefined;
  /** HMAC key of survey links; undefined: a random key per start (links die with the process). */
  readonly surveySecret: string | undefined;
  readonly surveyLinkDays: number;
}

export interface OidcConfig {
  /** The provider's issuer identifier (discovery at <issuer>/.well-known/openid-configuration). */
  readonly issuer: string;
  readonly clientId: string;
  /** Unset: a public client (PKCE alone). */
  readonly clientSecret: string | undefined;
  /** Email domains allowed to sign in (lower case); empty: any domain. */
  readonly allowedDomains: readonly string[];
  /** The access role of an account created at its first SSO sign-in; undefined: the account must exist already. */
  readonly newAccountRole: AccessRole | undefined;
}

export interface WebhookConfig {
  /** HMAC-SHA256 key of POST /webhooks/deals/generic. */
  readonly genericSecret: string | undefined;
  /** The HubSpot app's client secret (signature v3 of POST /webhooks/deals/hubspot). */
  readonly hubspotClientSecret: string | undefined;
  /** HubSpot deal stage ids that mean "won" (custom pipelines have their own ids). */
  readonly hubspotWonStages: readonly string[];
  /** Basic auth credentials Pipedrive sends (not served yet). */
  readonly pipedrive: { readonly user: string; readonly password: string } | undefined;
  /** The Salesforce org whose Outbound Messages are accepted (15-character form of its id). */
  readonly salesforceOrgId: string | undefined;
  /** The playbook a CRM that does not name one starts projects on; no version: the latest published. */
  readonly defaultPlaybook: { readonly id: string; readonly version?: string } | undefined;
  /** The time zone of clients a CRM creates without one. */
  readonly defaultTimeZone: string;
}

const onOff = (fallback: "on" | "off") =>
  z
    .enum(["on", "off"], { error: () => 'must be "on" or "off"' })
    .default(fallback)
    .transform((v) => v === "on");

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max, {
      error: `must be a whole number from ${min} to ${max}`,
    })
    .transform((v) => Number(v));

const Environment = z.object({
  PORT: integer(0, 65535, 3000),
  HOST: z
    .string()
    .trim()
    .min(1, { error: "must be a host name or an IP address to listen on (e.g. 127.0.0.1, 0.0.0.0, ::)" })
    .default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), {
      error: "must be a PostgreSQL URL, postgres://user:password@host:5432/database (unset it to use the embedded database in DATA_DIR)",
    })
    .optional(),
  DATA_DIR: z
    .string()
    .trim()
    .min(1, { error: "must be a folder for the embedded database" })
    // An env file is not a shell: "~/onboard" would be a folder named "~" in the working directory.
    .transform((v) => (v === "~" || v.startsWith("~/") ? join(homedir(), v.slice(1)) : v))
    .default("./data"),
  EMBEDDED_DATABASE: z
    .enum(["postgres", "pglite"], { error: () => "must be postgres (a PostgreSQL server kept in DATA_DIR) or pglite" })
    .optional(),
  FILES_DIR: z.string().trim().min(1, { error: "must be a folder for uploaded files" }).optional(),
  ERASURE_JOURNAL: z.string().trim().min(1, { error: "must be a file for the erasure journal" }).optional(),
  DATABASE_POOL_SIZE: integer(1, 200, 10),
  MIGRATIONS: z
    .enum(["auto", "off"], { error: () => 'must be "auto" (migrate at start) or "off" (refuse a database that needs migrations)' })
    .default("auto"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: () => `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  SCHEDULER: onOff("on"),
  OUTBOX: onOff("on"),
  PLAYBOOKS_DIR: z.string().trim().min(1, { error: "must be a folder of .yaml playbooks" }).default(BUILT_IN_PLAYBOOKS),
  ONBOARD_ADMIN_EMAIL: z.email({ error: "must be an email address" }).default("admin@onboard.local"),
  ONBOARD_ADMIN_PASSWORD: z.string().min(12, { error: "must have at least 12 characters" }).max(256).optional(),
  SESSION_TTL_HOURS: integer(1, 720, 12),
  COOKIE_SECURE: z.enum(["auto", "on", "off"], { error: () => 'must be "auto", "on" or "off"' }).default("auto"),
  PUBLIC_URL: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), { error: "must be an http(s) URL such as https://onboard.example.com" })
    .transform((v) => new URL(v).origin)
    .optional(),
  TRUST_PROXY: onOff("off"),
  LOGIN_RATE_LIMIT: integer(1, 100_000, 10),
  LOGIN_ACCOUNT_LIMIT: integer(1, 100_000, 10),
  MAGIC_LINK_RATE_LIMIT: integer(1, 100_000, 5),
  ONBOARD_DEMO_PROJECTS: z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) <= 1_000_000, { error: "must be a whole number of demo projects from 0 to 1000000" })
    .transform((v) => Number(v))
    .optional(),
  WEBHOOK_RATE_LIMIT: integer(1, 1_000_000, 600),
  SHUTDOWN_TIMEOUT_SECONDS: integer(1, 600, 30),
  ONBOARD_WEBHOOK_SECRET: z.string().min(16, { error: "must have at least 16 characters" }).max(512).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().trim().min(1).max(512).optional(),
  HUBSPOT_WON_STAGES: z
    .string()
    .default("closedwon")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    )
    .refine((v) => v.length > 0, { error: "must list at least one HubSpot deal stage id, comma-separated" }),
  SALESFORCE_ORGANIZATION_ID: z
    .string()
    .trim()
    .regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, { error: "must be a Salesforce organization id (15 or 18 characters, starting 00D)" })
    .optional(),
  PIPEDRIVE_WEBHOOK_USER: z.string().trim().min(1).max(256).optional(),
  PIPEDRIVE_WEBHOOK_PASSWORD: z.string().min(12, { error: "must have at least 12 characters" }).max(256).optional(),
  CRM_DEFAULT_PLAYBOOK: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9][A-Za-z0-9._-]*)?$/, {
      error: "must be a playbook id, optionally @version (onb-001@1.2)",
    })
    .transform((v) => {
      const [id = v, version] = v.split("@");
      return version === undefined ? { id } : { id, version };
    })
    .optional(),
  OIDC_ISSUER: z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && (/^https:\/\//i.test(v) || (/^http:\/\//i.test(v) && isLoopbackUrl(v))), {
      error: "must be the provider's https URL (its issuer identifier), http only on a loopback address",
    })
    .optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).max(512).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  OIDC_ALLOWED_DOMAINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim().toLowerCase().replace(/^@/, ""))
        .filter((s) => s !== ""),
    )
    .refine((v) => v.every((d) => /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(d)), { error: "must be email domains, comma-separated (example.com)" }),
  OIDC_NEW_ACCOUNT_ROLE: z
    .enum([...ACCESS_ROLES, "none"], { error: () => `must be "none" (the account must exist) or one of ${ACCESS_ROLES.join(", ")}` })
    .default("none"),
  TOTP_ENCRYPTION_KEY: z
    .string()
    .trim()
    .refine((v) => /^[0-9a-f]{64}$/i.test(v) || Buffer.from(v, "base64").length === 32, {
      error: "must be 32 random bytes, as 64 hex digits or base64 (openssl rand -hex 32)",
    })
    .transform((v) => (/^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, "hex") : Buffer.from(v, "base64")))
    .optional(),
  SMTP_URL: z
    .string()
    .trim()
    .refine((v) => /^smtps?:\/\//i.test(v) && URL.canParse(v), {
      error: "must be an smtp:// or smtps:// URL, smtp://user:password@host:587",
    })
    .optional(),
  MAIL_DIR: z.string().trim().min(1, { error: "must be a folder for mail written as .eml files" }).default("./mail"),
  MAIL_FROM: z
    .string()
    .trim()
    .default("Onboard <onboard@localhost>")
    .refine((v) => /^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(v), {
      error: 'must be an address or "Name <address>", e.g. Onboard <onboard@example.com>',
    }),
  SLACK_WEBHOOK_URL: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), {
      error: "must be a Slack incoming webhook URL, https://hooks.slack.com/services/...",
    })
    .optional(),
  SURVEY_SECRET: z.string().min(32, { error: "must have at least 32 characters" }).max(512).optional(),
  SURVEY_LINK_DAYS: integer(1, 365, 30),
  TEMPLATE_THREADS: integer(1, 64, Math.max(1, Math.min(4, availableParallelism() - 1))),
  TEMPLATE_QUEUE: integer(0, 10_000, 16),
  TEMPLATE_RENDER_MS: integer(50, 60_000, 1000),
  CLIENT_FILE_QUOTA_MB: integer(1, 100_000_000, 1024),
  PORTAL_UPLOADS_PER_HOUR: integer(1, 100_000, 60),
  AUDIT_SIGNING_KEY: z.string().trim().min(1, { error: "must be the path of an Ed25519 private key file (PEM)" }).optional(),
  AUDIT_CHECKPOINT_INTERVAL: integer(0, 7 * 24 * 3600, 600),
  AUDIT_LOG_ORIGIN: z
    .string()
    .trim()
    .regex(/^[^\s+]+$/, {
      error: 'must be one word without spaces or "+", conventionally a URL without its scheme (onboard.example.com/audit)',
    })
    .optional(),
  METRICS_TOKEN: z
    .string()
    .trim()
    .min(24, { error: "must have at least 24 characters (openssl rand -hex 24)" })
    .max(512)
    .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces (it travels in an Authorization header)" })
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), {
      error: "must be the OTLP/HTTP collector's base URL, e.g. http://127.0.0.1:4318 (traces go to <it>/v1/traces)",
    })
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(256).default("onboard"),
  READY_MAX_SCHEDULER_LAG: integer(1, 7 * 24 * 3600, 300),
  CRM_DEFAULT_TIME_ZONE: z
    .string()
    .trim()
    .default("UTC")
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: zone });
          return zone.includes("/") || zone === "UTC";
        } catch {
          return false;
        }
      },
      { error: "must be an IANA time zone such as Europe/Berlin" },
    ),
});

/** Every variable parseConfig reads, in the order it reads them. */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(Environment.shape);

/** What `onboard serve --help` lists and the README's configuration reference shows: every variable in KNOWN_VARIABLES. */
export const VARIABLES: readonly (readonly [string, string])[] = [
  ["PORT", "port to listen on (default 3000; 0 picks a free one)"],
  ["HOST", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"],
  ["DATABASE_URL", "postgres://... to use a PostgreSQL server (default: the embedded database)"],
  ["DATA_DIR", "folder of the embedded database when DATABASE_URL is unset (default ./data)"],
  [
    "EMBEDDED_DATABASE",
    "postgres: a PostgreSQL server kept in DATA_DIR, started and stopped with Onboard (the default where npm installed its binaries; a PGlite folder is moved into it once, backed up first); pglite: PGlite in DATA_DIR",
  ],
  [
    "FILES_DIR",
    "folder of uploaded files with the embedded database, one server per folder (default DATA_DIR/files; PostgreSQL keeps them in the database)",
  ],
  [
    "ERASURE_JOURNAL",
    "file every erasure is also appended to (ids only) and re-applied from at start after a backup restore; keep it outside the backup set (default DATA_DIR/erasure-journal.jsonl)",
  ],
  ["DATABASE_POOL_SIZE", "PostgreSQL connections per process (default 10)"],
  [
    "MIGRATIONS",
    "auto|off: auto applies pending migrations at start under an advisory lock; off never changes the schema and refuses a database that is behind, for `onboard db migrate` to bring up to date (default auto)",
  ],
  ["LOG_LEVEL", `${LOG_LEVELS.join(", ")} (default info)`],
  ["SCHEDULER", "on|off: tick due projects in this process (default on)"],
  ["OUTBOX", "on|off: deliver effects in this process (default on)"],
  ["PLAYBOOKS_DIR", "built-in playbooks published at start (default the bundled playbooks/)"],
  ["ONBOARD_ADMIN_EMAIL", "the first admin's email, created on first start (default admin@onboard.local)"],
  ["ONBOARD_ADMIN_PASSWORD", "the first admin's password (default: generated and printed once)"],
  ["SESSION_TTL_HOURS", "how long a sign-in lasts (default 12)"],
  ["COOKIE_SECURE", "auto|on|off: Secure cookies (default auto: Secure unless the request is for localhost)"],
  [
    "PUBLIC_URL",
    "the URL browsers use, behind a proxy: checked against Origin on writes, used in links (default: unset, links use http://HOST:PORT)",
  ],
  ["TRUST_PROXY", "on|off: trust X-Forwarded-* from a reverse proxy (default off)"],
  ["LOGIN_RATE_LIMIT", "login attempts per client address and minute (default 10)"],
  ["LOGIN_ACCOUNT_LIMIT", "password attempts per account in 15 minutes, for every server together (default 10)"],
  ["MAGIC_LINK_RATE_LIMIT", "portal sign-in link requests per client address and minute (default 5)"],
  ["WEBHOOK_RATE_LIMIT", "CRM webhook deliveries per source address and minute (default 600)"],
  ["ONBOARD_DEMO_PROJECTS", "demo onboardings generated on a database without projects (default 300; 0: none)"],
  ["SHUTDOWN_TIMEOUT_SECONDS", "how long a graceful stop may take before exiting anyway (default 30)"],
  ["ONBOARD_WEBHOOK_SECRET", "HMAC key of POST /webhooks/deals/generic (unset: that webhook answers 503)"],
  ["HUBSPOT_CLIENT_SECRET", "the HubSpot app's client secret, for signature v3 (unset: the HubSpot webhook answers 503)"],
  ["HUBSPOT_WON_STAGES", "HubSpot deal stage ids that mean won, comma-separated (default closedwon)"],
  ["PIPEDRIVE_WEBHOOK_USER", "basic auth user Pipedrive webhooks send, with PIPEDRIVE_WEBHOOK_PASSWORD (unset: none)"],
  ["PIPEDRIVE_WEBHOOK_PASSWORD", "basic auth password Pipedrive webhooks send (unset: none)"],
  [
    "SALESFORCE_ORGANIZATION_ID",
    "the Salesforce org (its id, 15 or 18 characters from 00D) whose Outbound Messages are accepted (unset: the Salesforce webhook answers 503)",
  ],
  ["CRM_DEFAULT_PLAYBOOK", "playbook id[@version] for CRMs that do not name one, e.g. HubSpot (default: none, HubSpot answers 503)"],
  ["CRM_DEFAULT_TIME_ZONE", "time zone of clients a CRM creates without one (default UTC)"],
  ["OIDC_ISSUER", "single sign-on: the OpenID Connect provider's issuer URL (unset: no SSO)"],
  [
    "OIDC_CLIENT_ID",
    "single sign-on: this server's client id at the provider, redirect URI <PUBLIC_URL>/auth/oidc/callback (unset: no SSO)",
  ],
  ["OIDC_CLIENT_SECRET", "single sign-on: the client secret (unset: a public client, PKCE only)"],
  ["OIDC_ALLOWED_DOMAINS", "single sign-on: email domains allowed to sign in, comma-separated (default: any)"],
  ["OIDC_NEW_ACCOUNT_ROLE", "single sign-on: access role of accounts created at first sign-in, or none: must exist (default none)"],
  ["TOTP_ENCRYPTION_KEY", "32 bytes (hex or base64) encrypting TOTP secrets at rest (default: stored unencrypted)"],
  ["SMTP_URL", "smtp(s)://user:password@host:port to send email (default: mail is written to MAIL_DIR)"],
  ["MAIL_DIR", "without SMTP_URL, the folder each email is written to as an .eml file (default ./mail)"],
  ["MAIL_FROM", 'sender of every email, "Name <address>" (default Onboard <onboard@localhost>)'],
  ["SLACK_WEBHOOK_URL", "a Slack incoming webhook for escalations, SLA breaches and low survey scores (default: none)"],
  ["SURVEY_SECRET", "HMAC key (32+ characters) of survey links (default: random per start, links die on restart)"],
  ["SURVEY_LINK_DAYS", "how long a survey link stays valid (default 30)"],
  ["TEMPLATE_THREADS", "worker threads rendering templates off the request loop (default: CPU cores - 1, at least 1, at most 4)"],
  [
    "TEMPLATE_QUEUE",
    "renders that may wait for a thread before a template preview answers 503 with Retry-After; mail waits its turn (default 16)",
  ],
  ["TEMPLATE_RENDER_MS", "time one message may take to render; a template running longer is refused with 422 (default 1000)"],
  ["CLIENT_FILE_QUOTA_MB", "megabytes of files each client's projects may hold; an upload past it answers 413 (default 1024)"],
  ["PORTAL_UPLOADS_PER_HOUR", "files one portal contact may upload per hour (default 60)"],
  [
    "AUDIT_SIGNING_KEY",
    "Ed25519 private key (PEM file) signing audit checkpoints (default: generated in DATA_DIR; on PostgreSQL: checkpoints off)",
  ],
  ["AUDIT_CHECKPOINT_INTERVAL", "seconds between signed audit checkpoints, with the scheduler (default 600; 0: on demand only)"],
  ["AUDIT_LOG_ORIGIN", "the audit log's name in its checkpoints (default: derived from the key; set it to keep one across keys)"],
  [
    "METRICS_TOKEN",
    "bearer token GET /metrics requires (24+ characters); unset: /metrics answers only loopback callers, and none with TRUST_PROXY=on",
  ],
  ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTLP/HTTP collector base URL to send traces to, e.g. http://127.0.0.1:4318 (unset: no tracing)"],
  ["OTEL_SERVICE_NAME", "service.name of the traces (default onboard)"],
  [
    "READY_MAX_SCHEDULER_LAG",
    "seconds a due project may wait before /health/ready answers 503 on a node running the scheduler (default 300)",
  ],
];

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly { readonly variable: string; readonly message: string }[];

  constructor(problems: readonly { readonly variable: string; readonly message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable} ${p.message}`).join("\n")}`);
    this.problems = problems;
  }
}

function shown(value: string | undefined, variable: string): string {
  if (value === undefined) return "";
  if (/PASSWORD|SECRET|TOKEN/.test(variable)) return "";
  const text = variable === "DATABASE_URL" ? value.replace(/\/\/[^@/]*@/, "//***@") : value;
  return ` (got "${text.length > 80 ? `${text.slice(0, 77)}...` : text}")`;
}

/** Parse the environment; throws ConfigError naming every variable at fault. Empty values count as unset. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input: Record<string, string> = {};
  for (const key of KNOWN_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") input[key] = value;
  }
  const parsed = Environment.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      return { variable, message: `${issue.message}${shown(input[variable], variable)}` };
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if ((e.PIPEDRIVE_WEBHOOK_USER === undefined) !== (e.PIPEDRIVE_WEBHOOK_PASSWORD === undefined)) {
    const missing = e.PIPEDRIVE_WEBHOOK_USER === undefined ? "PIPEDRIVE_WEBHOOK_USER" : "PIPEDRIVE_WEBHOOK_PASSWORD";
    throw new ConfigError([{ variable: missing, message: "must be set too: Pipedrive webhooks need both the user and the password" }]);
  }
  if (e.OIDC_ISSUER !== undefined && e.OIDC_CLIENT_ID === undefined) {
    throw new ConfigError([
      { variable: "OIDC_CLIENT_ID", message: "must be set too: single sign-on needs the client id OIDC_ISSUER knows" },
    ]);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    database:
      e.DATABASE_URL !== undefined
        ? { kind: "postgres", url: e.DATABASE_URL, maxConnections: e.DATABASE_POOL_SIZE }
        : (e.EMBEDDED_DATABASE ?? defaultEmbeddedEngine()) === "postgres"
          ? {
              kind: "embedded",
              dataDir: e.DATA_DIR,
              maxConnections: e.DATABASE_POOL_SIZE,
              ...(e.FILES_DIR !== undefined ? { filesDir: e.FILES_DIR } : {}),
            }
          : { kind: "pglite", dataDir: e.DATA_DIR, ...(e.FILES_DIR !== undefined ? { filesDir: e.FILES_DIR } : {}) },
    migrations: e.MIGRATIONS,
    logLevel: e.LOG_LEVEL,
    scheduler: e.SCHEDULER,
    outbox: e.OUTBOX,
    playbooksDir: e.PLAYBOOKS_DIR,
    erasureJournal: e.ERASURE_JOURNAL ?? join(e.DATA_DIR, "erasure-journal.jsonl"),
    admin: { email: e.ONBOARD_ADMIN_EMAIL.toLowerCase(), password: e.ONBOARD_ADMIN_PASSWORD },
    sessionTtlHours: e.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    loginAccountLimit: e.LOGIN_ACCOUNT_LIMIT,
    magicLinkRateLimit: e.MAGIC_LINK_RATE_LIMIT,
    demoProjects: e.ONBOARD_DEMO_PROJECTS,
    webhookRateLimit: e.WEBHOOK_RATE_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    webhooks: {
      genericSecret: e.ONBOARD_WEBHOOK_SECRET,
      hubspotClientSecret: e.HUBSPOT_CLIENT_SECRET,
      hubspotWonStages: e.HUBSPOT_WON_STAGES,
      pipedrive:
        e.PIPEDRIVE_WEBHOOK_USER !== undefined && e.PIPEDRIVE_WEBHOOK_PASSWORD !== undefined
          ? { user: e.PIPEDRIVE_WEBHOOK_USER, password: e.PIPEDRIVE_WEBHOOK_PASSWORD }
          : undefined,
      defaultPlaybook: e.CRM_DEFAULT_PLAYBOOK,
      defaultTimeZone: e.CRM_DEFAULT_TIME_ZONE,
      salesforceOrgId: e.SALESFORCE_ORGANIZATION_ID?.slice(0, 15),
    },
    oidc:
      e.OIDC_ISSUER !== undefined && e.OIDC_CLIENT_ID !== undefined
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            allowedDomains: e.OIDC_ALLOWED_DOMAINS,
            newAccountRole: e.OIDC_NEW_ACCOUNT_ROLE === "none" ? undefined : e.OIDC_NEW_ACCOUNT_ROLE,
          }
        : undefined,
    totpEncryptionKey: e.TOTP_ENCRYPTION_KEY,
    notifications: {
      smtpUrl: e.SMTP_URL,
      mailDir: e.MAIL_DIR,
      mailFrom: mailFromOf(e.MAIL_FROM),
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      surveySecret: e.SURVEY_SECRET,
      surveyLinkDays: e.SURVEY_LINK_DAYS,
    },
    limits: {
      templateThreads: e.TEMPLATE_THREADS,
      templateQueue: e.TEMPLATE_QUEUE,
      templateRenderMs: e.TEMPLATE_RENDER_MS,
      clientFileQuotaBytes: e.CLIENT_FILE_QUOTA_MB * 1024 * 1024,
      portalUploadsPerHour: e.PORTAL_UPLOADS_PER_HOUR,
    },
    audit: {
      signingKeyFile: e.AUDIT_SIGNING_KEY,
      checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL * 1000,
      origin: e.AUDIT_LOG_ORIGIN,
    },
    observability: {
      metricsToken: e.METRICS_TOKEN,
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: e.OTEL_SERVICE_NAME,
      readyMaxSchedulerLagMs: e.READY_MAX_SCHEDULER_LAG * 1000,
    },
  };
}

function mailFromOf(text: string): NotificationConfig["mailFrom"] {
  const named = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+)>\s*$/.exec(text);
  if (named?.[2]) return named[1] ? { name: named[1], address: named[2] } : { address: named[2] };
  return { address: text.trim() };
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The one place that reads the process environment. */
export function configFromEnvironment(): Config {
  return parseConfig(process.env);
}
