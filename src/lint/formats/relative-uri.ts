// Where a finding's file is, as code-scanning tools want it: relative to the checkout's root with
// forward slashes, so an annotation lands on the file of the pull request whatever the runner's path.
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

/** The file relative to `base` with "/" separators; a file outside `base` keeps its absolute path. */
export function relativePath(file: string, base: string): string {
  const within = relative(resolve(base), resolve(file));
  if (within === "" || within.startsWith("..") || isAbsolute(within)) return resolve(file).split(sep).join("/");
  return within.split(sep).join("/");
}

/** A URI reference for SARIF's artifactLocation: relative and percent-encoded, or file:// outside `base`. */
export function relativeUri(file: string, base: string): string {
  const within = relative(resolve(base), resolve(file));
  if (within === "" || within.startsWith("..") || isAbsolute(within)) return pathToFileURL(resolve(file)).href;
  return within.split(sep).map(encodeURIComponent).join("/");
}
