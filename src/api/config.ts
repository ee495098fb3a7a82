// The server's configuration: environment variables parsed and validated once, at start, into a
// typed value that is passed to everything that needs it. Nothing else reads process.env. A wrong
// value stops the start with a message naming the variable, what it holds and what is allowed.
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { DatabaseTarget } from "../store/index.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const BUILT_IN_PLAYBOOKS = fileURLToPath(new URL("../../playbooks/", import.meta.url));

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseTarget;
  readonly logLevel: LogLevel;
  /** Tick due projects in this process (off on API-only nodes). */
  readonly scheduler: boolean;
  /** Deliver the outbox's effects in this process (off on API-only nodes). */
  readonly outbox: boolean;
  readonly playbooksDir: string;
  readonly admin: { readonly email: string; readonly password: string | undefined };
  readonly sessionTtlHours: number;
  /** `auto`: Secure cookies unless the request is for localhost. */
  readonly cookieSecure: "auto" | "on" | "off";
  /** The origin browsers reach the server at (behind a proxy), for the CSRF Origin check. */
  readonly publicUrl: string | undefined;
  readonly trustProxy: boolean;
  /** Login attempts allowed per client address and minute. */
  readonly loginRateLimit: number;
  readonly shutdownTimeoutMs: number;
  /** CRM webhooks (routes/webhooks): a source whose secret is unset answers 503. */
  readonly webhooks: WebhookConfig;
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
  DATA_DIR: z.string().trim().min(1, { error: "must be a folder for the embedded database" }).default("./data"),
  DATABASE_POOL_SIZE: integer(1, 200, 10),
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

/** What `onboard serve --help` lists. */
export const VARIABLES: readonly (readonly [string, string])[] = [
  ["PORT", "port to listen on (default 3000; 0 picks a free one)"],
  ["HOST", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"],
  ["DATABASE_URL", "postgres://... to use a PostgreSQL server (default: the embedded database)"],
  ["DATA_DIR", "folder of the embedded database when DATABASE_URL is unset (default ./data)"],
  ["DATABASE_POOL_SIZE", "PostgreSQL connections per process (default 10)"],
  ["LOG_LEVEL", `${LOG_LEVELS.join(", ")} (default info)`],
  ["SCHEDULER", "on|off: tick due projects in this process (default on)"],
  ["OUTBOX", "on|off: deliver effects in this process (default on)"],
  ["PLAYBOOKS_DIR", "built-in playbooks published at start (default the bundled playbooks/)"],
  ["ONBOARD_ADMIN_EMAIL", "the first admin's email, created on first start (default admin@onboard.local)"],
  ["ONBOARD_ADMIN_PASSWORD", "the first admin's password (default: generated and printed once)"],
  ["SESSION_TTL_HOURS", "how long a sign-in lasts (default 12)"],
  ["COOKIE_SECURE", "auto|on|off: Secure cookies (auto: unless the request is for localhost)"],
  ["PUBLIC_URL", "the URL browsers use, behind a proxy (checked against Origin on writes)"],
  ["TRUST_PROXY", "on|off: trust X-Forwarded-* from a reverse proxy (default off)"],
  ["LOGIN_RATE_LIMIT", "login attempts per client address and minute (default 10)"],
  ["SHUTDOWN_TIMEOUT_SECONDS", "how long a graceful stop may take before exiting anyway (default 30)"],
  ["ONBOARD_WEBHOOK_SECRET", "HMAC key of POST /webhooks/deals/generic (unset: that webhook answers 503)"],
  ["HUBSPOT_CLIENT_SECRET", "the HubSpot app's client secret, for signature v3 (unset: the HubSpot webhook answers 503)"],
  ["HUBSPOT_WON_STAGES", "HubSpot deal stage ids that mean won, comma-separated (default closedwon)"],
  ["PIPEDRIVE_WEBHOOK_USER", "basic auth user Pipedrive webhooks send (with PIPEDRIVE_WEBHOOK_PASSWORD)"],
  ["PIPEDRIVE_WEBHOOK_PASSWORD", "basic auth password Pipedrive webhooks send"],
  ["CRM_DEFAULT_PLAYBOOK", "playbook id[@version] for CRMs that do not name one, e.g. HubSpot (default: none, HubSpot answers 503)"],
  ["CRM_DEFAULT_TIME_ZONE", "time zone of clients a CRM creates without one (default UTC)"],
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
  const known = Object.keys(Environment.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
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
  return {
    port: e.PORT,
    host: e.HOST,
    database:
      e.DATABASE_URL !== undefined
        ? { kind: "postgres", url: e.DATABASE_URL, maxConnections: e.DATABASE_POOL_SIZE }
        : { kind: "pglite", dataDir: e.DATA_DIR },
    logLevel: e.LOG_LEVEL,
    scheduler: e.SCHEDULER,
    outbox: e.OUTBOX,
    playbooksDir: e.PLAYBOOKS_DIR,
    admin: { email: e.ONBOARD_ADMIN_EMAIL.toLowerCase(), password: e.ONBOARD_ADMIN_PASSWORD },
    sessionTtlHours: e.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
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
    },
  };
}

/** The one place that reads the process environment. */
export function configFromEnvironment(): Config {
  return parseConfig(process.env);
}
