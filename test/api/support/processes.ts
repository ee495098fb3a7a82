// Onboard as real child processes (`onboard serve`, `onboard worker`), for tests of what only
// separate processes show: several servers on one database, kill -9, restarts.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Variables of the test runner's own environment that must not leak into a child's configuration. */
const OWN = ["DATABASE_URL", "DATA_DIR", "PORT", "ONBOARD_ADMIN_PASSWORD", "SCHEDULER", "OUTBOX"];

export interface OnboardProcess {
  readonly child: ChildProcess;
  /** The server's URL (serve); undefined for a worker. */
  readonly url: string | undefined;
  /** Everything it printed so far. */
  output(): string;
  /** kill -9, and wait for it to be gone. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | null>;
}

const READY: Record<"serve" | "worker", RegExp> = {
  // The banner is written at once; its last line says how to sign in.
  serve: /listening on (http:\/\/\S+)[\s\S]*sign in[^\n]*\n/i,
  worker: /Onboard worker running[^\n]*\n/,
};

export async function startOnboard(
  command: "serve" | "worker",
  env: Record<string, string>,
  options: { readonly timeoutMs?: number } = {},
): Promise<OnboardProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !OWN.includes(key)));
  const child = spawn(process.execPath, [join(ROOT, "src/cli/main.ts"), command], {
    cwd: ROOT,
    env: { ...clean, PORT: "0", LOG_LEVEL: "warn", ONBOARD_DEMO_PROJECTS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const collect = (chunk: Buffer) => {
    out += chunk;
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const limit = options.timeoutMs ?? 90_000;
    const timer = setTimeout(() => reject(new Error(`onboard ${command} did not start within ${limit / 1000} s:\n${out}`)), limit);
    const check = () => {
      const match = READY[command].exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`onboard ${command} exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
