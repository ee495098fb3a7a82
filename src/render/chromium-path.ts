// Where Chromium is and whether it is there: a check that needs none of the browser code in
// chromium.ts, so commands that may not need a browser do not load it.
import { existsSync } from "node:fs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export function chromiumInstalled(executablePath = DEFAULT_CHROMIUM): boolean {
  return existsSync(executablePath);
}
