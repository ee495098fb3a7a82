// The embedded database as a real PostgreSQL server: its cluster lives in the data folder
// (`postgres/`), it is started with Onboard and stopped with it, and nobody else can use it: it
// listens on 127.0.0.1 only, on a port chosen at each start, with no Unix socket, and its only
// login is a superuser whose generated password is kept in the folder (mode 0600). A server left
// running by an Onboard that was killed (kill -9 leaves the child behind) is stopped at the next
// start; a server that was itself killed recovers from its WAL as PostgreSQL always does.
//
// PostgreSQL refuses to run as root: as root, the server runs as the system account `postgres`
// (created if missing, as the postgres packages do).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, lchown, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { AppError } from "../errors.ts";
import { processAlive } from "../process-alive.ts";
import { type ServerBinaries, serverBinaries } from "./binaries.ts";

const run = promisify(execFile);

/** The server's cluster, inside the data folder. */
export const CLUSTER_DIR = "postgres";
/** The superuser's generated password (mode 0600). */
export const PASSWORD_FILE = "postgres-password";
/** The server's own log (startup, crash recovery, errors). */
export const SERVER_LOG = "postgres.log";
export const SUPERUSER = "onboard";
export const DATABASE_NAME = "onboard";
/** The account the server runs as when Onboard runs as root. */
export const SERVER_ACCOUNT = "postgres";

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

export interface EmbeddedServer {
  /** postgres://onboard:<password>@127.0.0.1:<port>/onboard */
  readonly url: string;
  /** The server's version, e.g. "18.4". */
  readonly version: string;
  /** Fast shutdown (open transactions roll back, a checkpoint is written). Safe twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Told about what a person watching the start would want to know (a cluster created, an orphan stopped). */
  readonly log?: (message: string) => void;
}

interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

function lookupAccount(name: string): Account | undefined {
  let passwd: string;
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    return undefined;
  }
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** Undefined unless we are root; then the account the server must run as. */
async function serverAccount(log: (message: string) => void): Promise<Account | undefined> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const found = lookupAccount(SERVER_ACCOUNT);
  if (found) return found;
  try {
    await run("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/usr/sbin/nologin",
      SERVER_ACCOUNT,
    ]);
  } catch (error) {
    throw new AppError(
      "unavailable",
      `PostgreSQL does not run as root and there is no "${SERVER_ACCOUNT}" account to run it as (useradd failed: ${(error as Error).message}); create one, run Onboard as another user, or set DATABASE_URL`,
    );
  }
  log(`created the system account "${SERVER_ACCOUNT}" for the embedded PostgreSQL server (it does not run as root)`);
  const created = lookupAccount(SERVER_ACCOUNT);
  if (!created) throw new AppError("unavailable", `useradd created no "${SERVER_ACCOUNT}" account`);
  return created;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A deadline that does not keep the process alive: it only bounds a wait on something that does. */
async function deadline(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Fast shutdown, then immediate, then kill: each signal gets its time before the next one. */
const SHUTDOWN = [
  ["SIGINT", STOP_TIMEOUT_MS],
  ["SIGQUIT", 10_000],
  ["SIGKILL", 5_000],
] as const;

/** Send each of SHUTDOWN's signals until `gone` says the server is; false if even SIGKILL did not end it. */
async function shutDown(send: (signal: NodeJS.Signals) => boolean, gone: (ms: number) => Promise<boolean>): Promise<boolean> {
  for (const [signal, ms] of SHUTDOWN) {
    if (!send(signal)) return true;
    if (await gone(ms)) return true;
  }
  return false;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!processAlive(pid)) return true;
    await sleep(25);
  }
  return !processAlive(pid);
}

/** The postmaster of this cluster if one is running (its pid file names a live process running on this folder). */
function runningPostmaster(cluster: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(cluster, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  // A pid file left by a killed server may name a pid since reused by something else.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.includes(cluster)) return undefined;
  } catch {
    // No /proc (macOS): trust the pid file, as pg_ctl does.
  }
  return pid;
}

/** Stop a server an Onboard killed with SIGKILL left behind (we hold the folder lock, so it is nobody's). */
export async function stopOrphan(cluster: string, log: (message: string) => void): Promise<void> {
  const pid = runningPostmaster(cluster);
  if (pid === undefined) {
    // A pid file naming a dead (or not yet reaped) server: PostgreSQL itself would refuse to start
    // while the pid is a zombie, so it goes; the server recovers from its WAL.
    await rm(join(cluster, "postmaster.pid"), { force: true });
    return;
  }
  log(`stopping the database server (pid ${pid}) left running by an Onboard that did not stop cleanly`);
  const send = (signal: NodeJS.Signals) => {
    try {
      return process.kill(pid, signal);
    } catch {
      return false; // already gone
    }
  };
  if (await shutDown(send, (ms) => waitGone(pid, ms))) return;
  throw new AppError("unavailable", `the database server (pid ${pid}) of ${cluster} does not stop`);
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function ensurePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, PASSWORD_FILE);
  try {
    const kept = (await readFile(file, "utf8")).trim();
    if (kept !== "") return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: "wx" });
  return password;
}

/**
 * As root, the server's account must be able to pass through the data folder to its cluster: a
 * folder made private (mode 0700, as mkdtemp makes them) gets the traverse bit for others, not the
 * right to list or read it. Folders above it are the operator's: one the account cannot pass is
 * named, with the fix.
 */
async function letThrough(
  dataDir: string,
  binaries: ServerBinaries,
  account: Account | undefined,
  log: (message: string) => void,
): Promise<void> {
  if (!account) return;
  const passable = (mode: number, uid: number, gid: number) =>
    uid === account.uid ? (mode & 0o100) !== 0 : gid === account.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
  const folder = resolve(dataDir);
  for (const [path, what, fix] of [
    [folder, "the data folder", "choose a DATA_DIR elsewhere"],
    [binaries.postgres, "the server's binaries", "install Onboard elsewhere"],
  ] as const) {
    for (let above = dirname(path); ; above = dirname(above)) {
      const { mode, uid, gid } = await stat(above);
      if (!passable(mode, uid, gid)) {
        throw new AppError(
          "unavailable",
          `the embedded PostgreSQL server runs as "${account.name}" (it does not run as root), which cannot pass through ${above} (mode ${(mode & 0o777).toString(8)}) to ${what}: chmod o+x ${above}, ${fix}, or run Onboard as a user other than root`,
          { dataDir },
        );
      }
      if (dirname(above) === above) break;
    }
  }
  const { mode, uid, gid } = await stat(folder);
  if (passable(mode, uid, gid)) return;
  await chmod(folder, (mode & 0o7777) | 0o001);
  log(
    `${folder} may now be passed through by "${account.name}" (mode ${((mode & 0o7777) | 0o001).toString(8)}), which runs the database server`,
  );
}

/**
 * A cluster copied back by root (a restored backup, `cp -r`) belongs to root, and the server's
 * account could not read it: it is given back, as a restore with ownership kept would have left it.
 */
async function ensureOwned(cluster: string, account: Account | undefined, log: (message: string) => void): Promise<void> {
  if (!account) return;
  const owners = await Promise.all(
    [cluster, join(cluster, "PG_VERSION"), join(cluster, "postgresql.conf")].map((p) =>
      stat(p).then(
        (s) => s.uid,
        () => account.uid,
      ),
    ),
  );
  if (owners.every((uid) => uid === account.uid)) return;
  const walk = async (path: string): Promise<void> => {
    await lchown(path, account.uid, account.gid);
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) await walk(child);
      else await lchown(child, account.uid, account.gid);
    }
  };
  await walk(cluster);
  await chmod(cluster, 0o700);
  log(`${cluster} was not owned by "${account.name}", which runs the server (a copy made as root?): given back to it`);
}

function spawnOptions(account: Account | undefined) {
  return account ? { uid: account.uid, gid: account.gid } : {};
}

/** initdb into a scratch folder renamed into place at the end, so a crash mid-init leaves no half cluster. */
async function initCluster(binaries: ServerBinaries, dataDir: string, password: string, account: Account | undefined): Promise<void> {
  const scratch = join(dataDir, `${CLUSTER_DIR}.init`);
  const pwfile = join(dataDir, `${CLUSTER_DIR}.init-password`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { mode: 0o700 });
  await writeFile(pwfile, password, { mode: 0o600 });
  try {
    if (account) {
      await chown(scratch, account.uid, account.gid);
      await chown(pwfile, account.uid, account.gid);
    }
    await run(
      binaries.initdb,
      [
        "-D",
        scratch,
        "-U",
        SUPERUSER,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
        "--no-instructions",
        // One syncfs() of the file system instead of an fsync per file: as durable, and the first
        // start's initdb takes about half the time (1.3 s against 2.3 s measured). Linux only.
        ...(process.platform === "linux" ? ["--sync-method=syncfs"] : []),
      ],
      { ...spawnOptions(account), env: { ...process.env, LC_ALL: "C" } },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new AppError(
        "unavailable",
        `initdb could not create the database in ${scratch}: ${(error.stderr || error.message).trim()}${accessHint(account)}`,
      );
    });
    await rename(scratch, join(dataDir, CLUSTER_DIR));
  } finally {
    await rm(pwfile, { force: true });
  }
}

function accessHint(account: Account | undefined): string {
  return account ? ` (as root, the server runs as "${account.name}": the files it cannot open must be that account's)` : "";
}

async function logSince(file: string, offset: number): Promise<string> {
  try {
    const text = (await readFile(file, "utf8")).slice(offset);
    return text.trim().split("\n").slice(-8).join("\n");
  } catch {
    return "";
  }
}

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly version: string;
}

async function spawnServer(
  binaries: ServerBinaries,
  cluster: string,
  logFile: string,
  account: Account | undefined,
  password: string,
): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const offset = await stat(logFile).then(
      (s) => s.size,
      () => 0,
    );
    const log = await open(logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(
        binaries.postgres,
        ["-D", cluster, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
        // Its own process group: a Ctrl-C in the terminal reaches Onboard, which stops the server
        // after its last query, instead of both at once.
        { ...spawnOptions(account), detached: true, stdio: ["ignore", log.fd, log.fd], env: { ...process.env, LC_ALL: "C" } },
      );
    } finally {
      await log.close();
    }
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.once("error", () => resolve(-1));
    });
    const ready = waitReady(urlFor(password, port, "postgres"), child);
    const outcome = await Promise.race([exited.then(() => undefined), ready.catch(() => undefined)]);
    if (outcome !== undefined) return { child, port, version: outcome };
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGQUIT");
      await exited;
      await ready.catch((error: unknown) => {
        throw new AppError("unavailable", `the embedded PostgreSQL server did not become ready: ${(error as Error).message}`);
      });
    }
    const said = await logSince(logFile, offset);
    if (attempt < 3 && /could not bind|Address already in use/i.test(said)) continue;
    // The backends of a server killed a moment ago still hold its shared memory: they exit as soon
    // as they notice their postmaster is gone.
    if (attempt < 40 && /shared memory block is still in use|lock file "postmaster.pid" already exists/i.test(said)) {
      await sleep(250);
      await stopOrphan(cluster, () => {});
      continue;
    }
    throw new AppError("unavailable", `the embedded PostgreSQL server did not start:\n${said || "(no output)"}${accessHint(account)}`);
  }
}

/** Until a login succeeds (57P03: starting up or recovering after a crash). */
async function waitReady(url: string, child: ChildProcess): Promise<string> {
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      const result = await client.query<{ server_version: string }>("SHOW server_version");
      return result.rows[0]?.server_version ?? "?";
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > until || (code !== "57P03" && code !== "ECONNREFUSED"))
        throw error;
      await sleep(25);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE_NAME]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

function urlFor(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * The URL of the server another Onboard runs on this folder, for a command that only needs a
 * connection (the CLI's reports and checks while the server runs); undefined when none runs.
 */
export function runningServerUrl(dataDir: string): string | undefined {
  const cluster = join(dataDir, CLUSTER_DIR);
  if (runningPostmaster(cluster) === undefined) return undefined;
  try {
    const port = Number.parseInt(readFileSync(join(cluster, "postmaster.pid"), "utf8").split("\n")[3] ?? "", 10);
    const password = readFileSync(join(dataDir, PASSWORD_FILE), "utf8").trim();
    return Number.isInteger(port) && port > 0 && password !== "" ? urlFor(password, port, DATABASE_NAME) : undefined;
  } catch {
    return undefined;
  }
}

/** The folder holds a server cluster (created by an earlier start). */
export function hasCluster(dataDir: string): boolean {
  return existsSync(join(dataDir, CLUSTER_DIR, "PG_VERSION"));
}

/**
 * Start the server of `dataDir`, creating its cluster on first use. The caller holds the folder's
 * lock (FolderLock): a server still running on the folder is then an orphan and is stopped first.
 */
export async function startEmbeddedServer(dataDir: string, options: StartOptions = {}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const binaries = serverBinaries();
  if ("missing" in binaries) {
    throw new AppError(
      "unavailable",
      `the embedded PostgreSQL server cannot start: ${binaries.missing}; run npm ci, or set EMBEDDED_DATABASE=pglite, or DATABASE_URL`,
    );
  }
  await mkdir(dataDir, { recursive: true });
  const account = await serverAccount(log);
  await letThrough(dataDir, binaries, account, log);
  const password = await ensurePassword(dataDir);
  const cluster = join(dataDir, CLUSTER_DIR);
  if (!hasCluster(dataDir)) {
    if (existsSync(cluster)) throw new AppError("unavailable", `${cluster} exists but is not a PostgreSQL data folder; move it away`);
    await initCluster(binaries, dataDir, password, account);
    log(`created the embedded PostgreSQL database in ${cluster}`);
  } else {
    await stopOrphan(cluster, log);
    await ensureOwned(cluster, account, log);
  }
  const { child, port, version } = await spawnServer(binaries, cluster, join(dataDir, SERVER_LOG), account, password);
  // If Onboard exits without stopping it (an uncaught error), the server still shuts down.
  const onExit = () => {
    if (child.exitCode === null) child.kill("SIGINT");
  };
  process.once("exit", onExit);
  child.unref();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      // Unreferenced while it runs (a forgotten handle must not keep Onboard alive); waited for now.
      child.ref();
      await shutDown(
        (signal) => child.kill(signal),
        (ms) => Promise.race([exited.then(() => true), deadline(ms).then(() => false)]),
      );
    })();
    return stopping;
  };
  try {
    await ensureDatabase(urlFor(password, port, "postgres"));
    return { url: urlFor(password, port, DATABASE_NAME), version, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
