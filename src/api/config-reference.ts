// The README's configuration reference, written from config.ts's own list (VARIABLES, which
// `onboard serve --help` prints) so the two cannot drift: `npm run docs:config` rewrites the README
// between the markers, and a test fails when the README differs from what this writes.
import { VARIABLES } from "./config.ts";

export const REFERENCE_START = "<!-- configuration reference: written by `npm run docs:config` from src/api/config.ts -->";
export const REFERENCE_END = "<!-- end of the configuration reference -->";

/** One Markdown list item per variable, as `onboard serve --help` says it ("<" escaped: it is not HTML). */
export function configurationReference(): string {
  return VARIABLES.map(([name, text]) => `- \`${name}\`: ${text.replaceAll("<", "\\<")}`).join("\n");
}

/** The README with its reference section replaced; throws when the markers are missing. */
export function withConfigurationReference(readme: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${REFERENCE_START} and ${REFERENCE_END}`);
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${configurationReference()}\n${readme.slice(end)}`;
}
