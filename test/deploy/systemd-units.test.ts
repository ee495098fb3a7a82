// deploy/onboard.service and deploy/onboard-worker.service as systemd reads them: systemd-analyze
// verify finds nothing to say (unknown keys, bad values, a command that is not executable), the
// command they run is the project's Node 24 on an Onboard command that exists, their hardening is
// there, every path the environment example writes to is one the unit lets it write, and systemd
// waits longer than Onboard's own shutdown timeout before killing it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { KNOWN_VARIABLES, parseConfig } from "../../src/api/config.ts";
import { ROOT } from "../cli/support/serve-process.ts";

const INSTALLED_AT = "/opt/onboard";
const ENV_FILE = "/etc/onboard/onboard.env";
const UNITS = [
  { file: "onboard.service", command: "serve" },
  { file: "onboard-worker.service", command: "worker" },
] as const;

/** Section → key → values (a key may repeat), as systemd reads a unit file. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.+)\]$/.exec(line)?.[1];
    if (section !== undefined) {
      current = new Map();
      sections.set(section, current);
      continue;
    }
    const at = line.indexOf("=");
    assert.ok(current && at > 0, `not a key=value in a section: ${line}`);
    const key = line.slice(0, at);
    current.set(key, [...(current.get(key) ?? []), line.slice(at + 1)]);
  }
  return sections;
}

function envFile(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const);
  return Object.fromEntries(entries);
}

function seconds(value: string): number {
  const match = /^(\d+)(s|min)?$/.exec(value);
  assert.ok(match, `a duration in seconds or minutes: ${value}`);
  return Number(match[1]) * (match[2] === "min" ? 60 : 1);
}

const EXAMPLE = readFileSync(join(ROOT, "deploy", "onboard.env.example"), "utf8");

describe("the systemd units", () => {
  const scratch = mkdtempSync(join(tmpdir(), "onboard-units-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("the environment example sets only variables Onboard knows, to values it accepts", () => {
    const env = envFile(EXAMPLE);
    assert.ok(Object.keys(env).length > 10, "the example sets the important variables");
    assert.deepEqual(
      Object.keys(env).filter((name) => !KNOWN_VARIABLES.includes(name)),
      [],
    );
    const config = parseConfig(env);
    assert.equal(config.trustProxy, true);
    assert.equal(config.publicUrl, "https://onboard.example.com");
    assert.equal(config.host, "127.0.0.1", "only the proxy reaches it");
  });

  for (const { file, command } of UNITS) {
    const text = readFileSync(join(ROOT, "deploy", file), "utf8");
    const unit = parseUnit(text);
    const service = unit.get("Service") ?? new Map<string, string[]>();
    const one = (key: string) => {
      const values = service.get(key);
      assert.equal(values?.length, 1, `${file}: one ${key}=`);
      return values?.[0] ?? "";
    };

    test(`${file}: systemd-analyze verify has nothing to say`, (t) => {
      if (spawnSync("systemd-analyze", ["--version"]).status !== 0) {
        if (process.env.CI === "true") assert.fail("systemd-analyze is missing (apt-get install systemd)");
        t.skip("systemd-analyze not installed (apt-get install systemd)");
        return;
      }
      // Where this checkout is instead of /opt/onboard, so verify can check the command is executable.
      assert.ok(text.includes(INSTALLED_AT) && text.includes(ENV_FILE));
      const here = join(scratch, file);
      writeFileSync(
        here,
        text.replaceAll(INSTALLED_AT, ROOT.replace(/\/$/, "")).replaceAll(ENV_FILE, join(ROOT, "deploy", "onboard.env.example")),
      );
      const verified = spawnSync("systemd-analyze", ["verify", here], { encoding: "utf8" });
      assert.equal(verified.status, 0, verified.stderr);
      assert.equal(`${verified.stdout}${verified.stderr}`.trim(), "", "no warnings");
    });

    test(`${file}: runs the project's Node 24 on src/cli/main.ts ${command} from the checkout`, () => {
      const [binary, script, subcommand, ...rest] = one("ExecStart").split(/\s+/);
      assert.equal(binary, `${INSTALLED_AT}/node_modules/node/bin/node`);
      assert.equal(script, "src/cli/main.ts");
      assert.equal(subcommand, command);
      assert.deepEqual(rest, []);
      assert.equal(one("WorkingDirectory"), INSTALLED_AT);
      assert.equal(one("EnvironmentFile"), ENV_FILE);
      const node = join(ROOT, "node_modules", "node", "bin", "node");
      const version = spawnSync(node, ["--version"], { encoding: "utf8" });
      assert.match(version.stdout, /^v24\./, "npm ci puts Node 24 there");
      assert.ok(existsSync(join(ROOT, script ?? "")));
      const help = spawnSync(node, [join(ROOT, "src/cli/main.ts"), command, "--help"], { cwd: ROOT, encoding: "utf8" });
      assert.equal(help.status, 0, help.stderr);
    });

    test(`${file}: hardened, restarted on failure, stopped with SIGTERM after Onboard's own timeout`, () => {
      for (const [key, value] of [
        ["NoNewPrivileges", "yes"],
        ["ProtectSystem", "strict"],
        ["PrivateTmp", "yes"],
        ["Restart", "on-failure"],
        ["KillSignal", "SIGTERM"],
      ]) {
        assert.equal(one(key ?? ""), value, `${file}: ${key}`);
      }
      assert.notEqual(one("User"), "root");
      const shutdown = Number(envFile(EXAMPLE).SHUTDOWN_TIMEOUT_SECONDS ?? "30");
      const stop = seconds(one("TimeoutStopSec"));
      assert.ok(stop > shutdown && stop <= shutdown + 30, `TimeoutStopSec ${stop} s just above SHUTDOWN_TIMEOUT_SECONDS ${shutdown} s`);
      const writable = one("ReadWritePaths").split(/\s+/);
      const env = envFile(EXAMPLE);
      for (const variable of ["DATA_DIR", "MAIL_DIR", "FILES_DIR", "ERASURE_JOURNAL"]) {
        const path = env[variable];
        if (path === undefined) continue;
        assert.ok(
          writable.some((dir) => path === dir || path.startsWith(`${dir}/`)),
          `${variable}=${path} is under ReadWritePaths=${writable.join(" ")}`,
        );
      }
    });
  }
});
