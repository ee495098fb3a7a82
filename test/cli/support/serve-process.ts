// `onboard serve` (or `onboard worker`) as an operator starts it: a child process configured by
// environment variables. Either it prints its banner (started) or it exits (refused); every wait
// is bounded.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI = join(ROOT, "src", "cli", "main.ts");

export interface Finished {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export interface ServeProcess {
  /** Where it listens (a worker listens nowhere: ""). */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything written so far. */
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  /** kill -9 (a crash), resolved once it is gone. */
  kill(): Promise<void>;
}

/** The environment a served process gets: the caller's variables over quiet, demo-free defaults. */
export function serveEnvironment(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: "1", LOG_LEVEL: "warn", PORT: "0", ONBOARD_DEMO_PROJECTS: "0", ...env };
}

function launch(args: readonly string[], env: Readonly<Record<string, string>>): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: serveEnvironment(env), stdio: ["ignore", "pipe", "pipe"] });
}

/** Run the CLI to its end (a refusal, or a one-shot command); killed after `timeoutMs`. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 120_000): Promise<Finished> {
  return new Promise((resolve) => {
    const child = launch(args, env);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** What each prints once it runs: the server its URL, the worker its first line. */
const STARTED = { serve: /Onboard is listening on (\S+)/, worker: /Onboard worker running[^\n]*?(?:at (http:\/\/\S+)|no HTTP())/ } as const;

/** Start `onboard serve`; resolves with its URL once it listens, rejects if it exits or takes longer than `timeoutMs`. */
export function startServe(env: Readonly<Record<string, string>>, timeoutMs = 120_000): Promise<ServeProcess> {
  return startOnboard("serve", env, timeoutMs);
}

/** Start `onboard serve` or `onboard worker`; resolves once it runs, rejects if it exits or takes longer than `timeoutMs`. */
export function startOnboard(
  command: "serve" | "worker",
  env: Readonly<Record<string, string>>,
  timeoutMs = 120_000,
  args: readonly string[] = [],
): Promise<ServeProcess> {
  const child = launch([command, ...args], env);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const stop = async (graceMs = 30_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(5_000).then(() => reject(new Error(`onboard ${command} did not start within ${timeoutMs} ms:\n${out}\n${err}`)));
    }, timeoutMs);
    const onData = () => {
      const match = STARTED[command].exec(out);
      if (!match) return;
      const url = match[1] ?? "";
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      const kill = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
      };
      resolve({ url, child, output: () => `${out}\n${err}`, stop, kill });
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`onboard ${command} exited with ${code} before it ran:\n${out}\n${err}`));
    });
  });
}
