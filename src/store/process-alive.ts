// Whether a pid names a running process: one that exists (EPERM: it belongs to someone else) and
// is not a zombie, a killed process its parent has not reaped yet, which a lock or a pid file
// must not be held by.
import { readFileSync } from "node:fs";

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    return stat.slice(close + 2, close + 3) !== "Z";
  } catch {
    return true; // no /proc (macOS): kill(0) is all there is
  }
}
