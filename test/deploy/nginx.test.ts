// deploy/nginx.conf in front of a real Onboard: nginx (not a daemon, on loopback ports, with a
// self-signed certificate openssl makes here) proxies to `onboard serve` with PUBLIC_URL and
// TRUST_PROXY=on. A sign-in and a CSRF-protected command work through it over TLS; a write from
// another origin is still refused; Onboard sees the client's address (127.0.0.2 here), not the
// proxy's and not one the client claims in its own X-Forwarded-For; plain HTTP is sent to https.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, type ServeProcess, startServe } from "../cli/support/serve-process.ts";
import { type FreshDatabase, testBackends } from "../store/support/backends.ts";

const PASSWORD = "an admin password for the proxy test";
/** A loopback address of its own for the client, so the address Onboard sees can only have come from nginx's header. */
const CLIENT_ADDRESS = "127.0.0.2";

function installed(command: string): boolean {
  return spawnSync(command, ["-v"], { stdio: "ignore" }).status === 0 || spawnSync("which", [command], { stdio: "ignore" }).status === 0;
}

const missing = ["nginx", "openssl"].filter((command) => !installed(command));
const postgres = (await testBackends()).find((b) => b.name === "postgres");
const skip =
  missing.length > 0
    ? process.env.CI === "true"
      ? false
      : `${missing.join(" and ")} not installed (apt-get install ${missing.join(" ")}): skipped`
    : (postgres?.skip ?? "no PostgreSQL backend");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Resolves once something accepts connections on the port; bounded by `tries`. */
async function accepting(port: number, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** deploy/nginx.conf with this test's ports, certificate and Onboard; each replaced line must be there. */
function siteConfig(dir: string, ports: { https: number; http: number; onboard: number }): string {
  let text = readFileSync(join(ROOT, "deploy", "nginx.conf"), "utf8");
  const replace = (from: string, to: string) => {
    assert.ok(text.includes(from), `deploy/nginx.conf has "${from}"`);
    text = text.replaceAll(from, to);
  };
  replace("server 127.0.0.1:3000;", `server 127.0.0.1:${ports.onboard};`);
  replace("listen 443 ssl http2;", `listen 127.0.0.1:${ports.https} ssl http2;`);
  replace("listen [::]:443 ssl http2;", "");
  replace("listen 80;", `listen 127.0.0.1:${ports.http};`);
  replace("listen [::]:80;", "");
  replace("/etc/letsencrypt/live/onboard.example.com/fullchain.pem", join(dir, "cert.pem"));
  replace("/etc/letsencrypt/live/onboard.example.com/privkey.pem", join(dir, "key.pem"));
  replace("server_name onboard.example.com;", "server_name localhost;");
  return text;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

describe("deploy/nginx.conf in front of onboard serve", { skip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-nginx-"));
  chmodSync(dir, 0o755);
  let fresh: FreshDatabase | undefined;
  let onboard: ServeProcess | undefined;
  let nginx: ChildProcess | undefined;
  let nginxExited: Promise<void> = Promise.resolve();
  let origin = "";
  let httpPort = 0;
  let cert = "";

  const https = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const url = new URL(path, origin);
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: url.port,
          path: url.pathname,
          method,
          servername: "localhost",
          ca: cert,
          localAddress: CLIENT_ADDRESS,
          headers: { host: url.host, ...headers },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.end(body);
    });

  before(async () => {
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ].concat(["-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
      { encoding: "utf8" },
    );
    assert.equal(made.status, 0, made.stderr);
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    const ports = { https: await freePort(), http: await freePort() };
    httpPort = ports.http;
    origin = `https://localhost:${ports.https}`;

    if (postgres === undefined) throw new Error("no PostgreSQL backend");
    fresh = await postgres.fresh({ migrate: false });
    if (fresh.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    onboard = await startServe({
      DATABASE_URL: fresh.target.url,
      DATA_DIR: join(dir, "data"),
      MAIL_DIR: join(dir, "mail"),
      PUBLIC_URL: origin,
      TRUST_PROXY: "on",
      SCHEDULER: "off",
      OUTBOX: "off",
      ONBOARD_ADMIN_PASSWORD: PASSWORD,
      // Every request is logged with the address Onboard believes is the client's.
      LOG_LEVEL: "info",
    });
    const onboardPort = Number(new URL(onboard.url).port);

    writeFileSync(join(dir, "site.conf"), siteConfig(dir, { ...ports, onboard: onboardPort }));
    // Everything nginx writes stays in the test's folder; as root its workers stay root to read it.
    writeFileSync(
      join(dir, "nginx.conf"),
      `${process.getuid?.() === 0 ? "user root;\n" : ""}daemon off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  include ${join(dir, "site.conf")};
}
`,
    );
    const checked = spawnSync("nginx", ["-t", "-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], {
      encoding: "utf8",
    });
    assert.equal(checked.status, 0, `nginx -t: ${checked.stderr}`);
    nginx = spawn("nginx", ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], { stdio: "ignore" });
    const child = nginx;
    nginxExited = new Promise((resolve) => child.once("exit", () => resolve()));
    await accepting(ports.https);
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      // QUIT: nginx's graceful stop; its workers go with the master.
      nginx.kill("SIGQUIT");
      const killer = setTimeout(() => nginx?.kill("SIGKILL"), 10_000);
      await nginxExited;
      clearTimeout(killer);
    }
    await onboard?.stop();
    await fresh?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("sign in and a CSRF-protected command through the proxy; Onboard sees the client's address", async () => {
    const login = await https(
      "POST",
      "/auth/login",
      // A client's own claim about its address: nginx replaces it.
      { "content-type": "application/json", origin, "x-forwarded-for": "203.0.113.7" },
      JSON.stringify({ email: "admin@onboard.local", password: PASSWORD }),
    );
    assert.equal(login.status, 200, login.body);
    const csrfToken = JSON.parse(login.body).csrfToken as string;
    const setCookie = login.headers["set-cookie"] ?? [];
    const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie]).map((c) => c.split(";")[0]).join("; ");
    assert.ok(csrfToken && cookie, "a session cookie and its CSRF token");

    const write = (from: string) =>
      https(
        "POST",
        "/clients",
        { "content-type": "application/json", origin: from, cookie, "x-csrf-token": csrfToken },
        JSON.stringify({ id: `proxied-${from.length}`, name: "Proxied Ltd", timeZone: "Europe/Berlin", country: "DE" }),
      );
    const created = await write(origin);
    assert.equal(created.status, 201, created.body);
    const forged = await write("https://evil.example");
    assert.equal(forged.status, 403, forged.body);
    assert.match(forged.body, /csrf/);

    const logged = (onboard?.output() ?? "")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { req?: { url?: string; remoteAddress?: string } })
      .filter((entry) => entry.req?.url === "/auth/login");
    assert.ok(logged.length > 0, "the sign-in was logged");
    for (const entry of logged) assert.equal(entry.req?.remoteAddress, CLIENT_ADDRESS);
  });

  test("plain HTTP is redirected to https; a body above nginx's default 1 MB gets through to Onboard", async () => {
    const redirect = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: httpPort, path: "/app/", headers: { host: "localhost" } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, "https://localhost/app/");
    // 1.5 MB: above nginx's default limit, below Onboard's JSON limit (2 MB): Onboard's own refusal of
    // the email (problem+json), not nginx's 413 page.
    const big = await https(
      "POST",
      "/auth/login",
      { "content-type": "application/json", origin },
      JSON.stringify({ email: "x".repeat(1536 * 1024), password: "x" }),
    );
    assert.notEqual(big.headers["content-type"], "text/html", big.body.slice(0, 200));
    assert.match(String(big.headers["content-type"]), /application\/problem\+json/);
  });
});
