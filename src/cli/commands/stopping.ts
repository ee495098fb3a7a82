// How a long-running command (serve, worker) stops: the first SIGINT or SIGTERM starts a graceful
// stop; a second signal, or a stop that outlasts the timeout, exits at once: an operator asked twice.
import type { Io } from "../args.ts";

/** Resolves with the first SIGINT or SIGTERM. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (name: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(name);
    };
    process.once("SIGINT", on);
    process.once("SIGTERM", on);
  });
}

/** Run the graceful stop; exit(1) on a second signal or after `timeoutMs`. */
export async function stopWithin(timeoutMs: number, io: Io, name: string, stop: () => Promise<void>): Promise<void> {
  const force = (why: string) => {
    io.err(`${name}: ${why}: exiting without a clean stop`);
    process.exit(1);
  };
  const again = () => force("second signal");
  process.once("SIGINT", again);
  process.once("SIGTERM", again);
  const deadline = setTimeout(() => force(`not stopped after ${timeoutMs / 1000} s`), timeoutMs);
  deadline.unref();
  try {
    await stop();
  } finally {
    clearTimeout(deadline);
    process.off("SIGINT", again);
    process.off("SIGTERM", again);
  }
}
