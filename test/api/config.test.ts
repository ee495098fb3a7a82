// The server's configuration: environment variables parsed once with defaults, and a wrong value
// stops the start with a message naming the variable and what is allowed (in the library and in
// `onboard serve` as a person runs it). Only config.ts reads the environment.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, parseConfig } from "../../src/api/config.ts";
import { dataFolderOf } from "../../src/store/database.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function problems(env: Record<string, string>): Record<string, string> {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return Object.fromEntries(error.problems.map((p) => [p.variable, p.message]));
  }
  assert.fail("expected a ConfigError");
}

function serve(env: Record<string, string>, ...args: string[]) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !["DATABASE_URL", "PORT", "DATA_DIR"].includes(key)));
  const result = spawnSync(process.execPath, [join(ROOT, "src/cli/main.ts"), "serve", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...base, ...env },
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("configuration", () => {
  test("defaults: port 3000 on 127.0.0.1, the embedded database in ./data, scheduler and outbox on", () => {
    const config = parseConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, "127.0.0.1");
    assert.deepEqual(config.database, { kind: "embedded", dataDir: "./data", maxConnections: 10 });
    assert.equal(config.scheduler, true);
    assert.equal(config.outbox, true);
    assert.equal(config.logLevel, "info");
    assert.equal(config.admin.password, undefined);
  });

  test("EMBEDDED_DATABASE chooses the embedded engine: pglite keeps PGlite in DATA_DIR, anything else is refused by name", () => {
    assert.deepEqual(parseConfig({ EMBEDDED_DATABASE: "pglite", DATA_DIR: "/srv/onboard" }).database, {
      kind: "pglite",
      dataDir: "/srv/onboard",
    });
    assert.equal(parseConfig({ EMBEDDED_DATABASE: "postgres" }).database.kind, "embedded");
    // An env file is not a shell, but ~/ means the home folder to whoever writes one.
    assert.equal(dataFolderOf(parseConfig({ DATA_DIR: "~/onboard-data" }).database), join(homedir(), "onboard-data"));
    assert.equal(parseConfig({ EMBEDDED_DATABASE: "postgres", DATABASE_URL: "postgres://u@h/db" }).database.kind, "postgres");
    assert.throws(
      () => parseConfig({ EMBEDDED_DATABASE: "sqlite" }),
      (error: Error) => /EMBEDDED_DATABASE/.test(error.message) && /postgres .*pglite/.test(error.message),
    );
  });

  test("DATABASE_URL selects PostgreSQL; on/off switches; empty values count as unset", () => {
    const config = parseConfig({
      DATABASE_URL: "postgres://u:p@db:5432/onboard",
      SCHEDULER: "off",
      OUTBOX: "off",
      PORT: "",
      DATABASE_POOL_SIZE: "4",
    });
    assert.deepEqual(config.database, { kind: "postgres", url: "postgres://u:p@db:5432/onboard", maxConnections: 4 });
    assert.equal(config.scheduler, false);
    assert.equal(config.outbox, false);
    assert.equal(config.port, 3000);
    assert.equal(parseConfig({ PUBLIC_URL: "https://onboard.example.com/app/" }).publicUrl, "https://onboard.example.com");
  });

  test("MIGRATIONS: auto by default, off for processes that must not change the schema, nothing else", () => {
    assert.equal(parseConfig({}).migrations, "auto");
    assert.equal(parseConfig({ MIGRATIONS: "off" }).migrations, "off");
    assert.match(problems({ MIGRATIONS: "never" }).MIGRATIONS ?? "", /"auto" .* or "off" .*\(got "never"\)/);
  });

  test("every wrong value is named with what is allowed", () => {
    const found = problems({
      PORT: "abc",
      SCHEDULER: "maybe",
      OUTBOX: "yes",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://root:secret@db/onboard",
      ONBOARD_ADMIN_PASSWORD: "short",
      SESSION_TTL_HOURS: "0",
      COOKIE_SECURE: "sometimes",
    });
    assert.deepEqual(Object.keys(found).sort(), [
      "COOKIE_SECURE",
      "DATABASE_URL",
      "LOG_LEVEL",
      "ONBOARD_ADMIN_PASSWORD",
      "OUTBOX",
      "PORT",
      "SCHEDULER",
      "SESSION_TTL_HOURS",
    ]);
    assert.match(found.PORT ?? "", /whole number from 0 to 65535 \(got "abc"\)/);
    assert.match(found.SCHEDULER ?? "", /"on" or "off" \(got "maybe"\)/);
    assert.match(found.LOG_LEVEL ?? "", /one of fatal, error, warn, info, debug, trace, silent/);
    assert.match(found.DATABASE_URL ?? "", /postgres:\/\//);
    assert.doesNotMatch(found.DATABASE_URL ?? "", /secret/, "a password in a URL is not echoed");
    assert.match(found.ONBOARD_ADMIN_PASSWORD ?? "", /at least 12 characters$/, "nor a password");
    assert.match(found.SESSION_TTL_HOURS ?? "", /from 1 to 720/);
    assert.equal(problems({ PORT: "70000" }).PORT, 'must be a whole number from 0 to 65535 (got "70000")');
  });

  test("audit checkpoints: a key file, an interval in seconds (0: on demand only), an origin", () => {
    assert.deepEqual(parseConfig({}).audit, { signingKeyFile: undefined, checkpointIntervalMs: 600_000, origin: undefined });
    assert.deepEqual(
      parseConfig({
        AUDIT_SIGNING_KEY: "/etc/onboard/audit.pem",
        AUDIT_CHECKPOINT_INTERVAL: "0",
        AUDIT_LOG_ORIGIN: "onboard.example.com/audit",
      }).audit,
      { signingKeyFile: "/etc/onboard/audit.pem", checkpointIntervalMs: 0, origin: "onboard.example.com/audit" },
    );
    const found = problems({ AUDIT_CHECKPOINT_INTERVAL: "soon", AUDIT_LOG_ORIGIN: "my log" });
    assert.match(found.AUDIT_CHECKPOINT_INTERVAL ?? "", /whole number from 0 to 604800/);
    assert.match(found.AUDIT_LOG_ORIGIN ?? "", /without spaces/);
  });

  test("onboard serve refuses a wrong value with exit code 2, naming the variable, without a stack trace", () => {
    const { code, err, out } = serve({ PORT: "abc", SCHEDULER: "maybe" });
    assert.equal(code, 2, out + err);
    assert.match(err, /onboard serve: invalid configuration:/);
    assert.match(err, /PORT must be a whole number from 0 to 65535 \(got "abc"\)/);
    assert.match(err, /SCHEDULER must be "on" or "off" \(got "maybe"\)/);
    assert.doesNotMatch(err, /\n\s+at /);
  });

  test("onboard serve --help lists the variables", () => {
    const { code, out } = serve({}, "--help");
    assert.equal(code, 0);
    for (const name of ["PORT", "HOST", "DATABASE_URL", "DATA_DIR", "LOG_LEVEL", "SCHEDULER", "OUTBOX", "ONBOARD_ADMIN_PASSWORD"]) {
      assert.match(out, new RegExp(`\\b${name}\\b`));
    }
  });

  test("nothing in the API but config.ts reads the environment", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
      });
    const readers = [...files(join(ROOT, "src/api")), join(ROOT, "src/cli/commands/serve.ts")].filter((file) =>
      /process\.env/.test(readFileSync(file, "utf8")),
    );
    assert.deepEqual(
      readers.map((f) => f.slice(ROOT.length)),
      ["src/api/config.ts"],
    );
  });
});
