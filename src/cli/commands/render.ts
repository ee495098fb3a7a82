import { readFile, writeFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { formatDiagnostic, hasErrors } from "../../playbook/diagnostics.ts";
import { loadPlaybookFile } from "../../playbook/load.ts";
import { type BrowserSession, chromiumInstalled, launchChromium } from "../../render/chromium.ts";
import { clientEdition, parseClientFile } from "../../render/client.ts";
import { defaultCacheDir, FileDiagramStore } from "../../render/diagram-store.ts";
import { FORMATS, type Format, renderPlaybook } from "../../render/render.ts";
import type { Edition } from "../../render/sop/edition.ts";
import { type Command, UsageError } from "../args.ts";

const USAGE = `Usage: onboard render <playbook> --format md|html|docx|pdf [--client <facts.yaml>] [-o file]

Renders the playbook as its SOP document: document control, purpose, scope, responsibilities,
definitions, prerequisites, the procedure by phase (6.1, 6.2 ...), quality controls, compliance
addenda, exception handling, KPIs, references, revision history and approval block, followed by
the RACI matrix, the process map (drawn; Mermaid in md), the swimlane view by role and the one-page-per-phase
checklist job aid.

Options:
  -f, --format FORMAT   md (GitHub Markdown, Mermaid in fenced blocks), html (standalone, print-ready),
                        docx (Word), pdf (printed by headless Chromium); default md
  -c, --client FILE     a client edition: YAML with client: {name, time_zone, country, region, start},
                        facts: {...} and params: {...}; conditional parts are resolved, placeholders
                        filled and dates planned on the client's business calendar
  -o, --output FILE     where to write; default: standard output for md and html,
                        <playbook name>.docx / .pdf for docx and pdf
  --chromium PATH       the Chromium to print PDF and picture maps for Word with (default /usr/bin/chromium)
  --diagram-cache DIR   where Word's pictures of the process maps are kept, so an unchanged map is
                        not pictured again (default $ONBOARD_CACHE_DIR, else $XDG_CACHE_HOME/onboard,
                        else ~/.cache/onboard)
  --no-diagram-cache    picture every map afresh and keep nothing
  -h, --help            show this help

The process map is drawn by Onboard itself (SVG in html and pdf). Chromium prints pdf and turns the
map into a picture for docx; without it, docx gives the map as Mermaid text, and pdf cannot be made.

Exit codes: 0 written, 1 the playbook or client file has errors, 2 usage error.`;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export const renderCommand: Command = {
  name: "render",
  summary: "render a playbook as its SOP document (md, html, docx, pdf)",
  usage: USAGE,
  options: {
    format: { type: "string", short: "f" },
    client: { type: "string", short: "c" },
    output: { type: "string", short: "o" },
    chromium: { type: "string" },
    "diagram-cache": { type: "string" },
    "no-diagram-cache": { type: "boolean" },
  },
  async run(values, positionals, io) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError(`name exactly one playbook file\n\n${USAGE}`);
    const format = (values.format ?? "md") as string;
    if (!(FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not "${format}"\n\n${USAGE}`);
    const loaded = await loadPlaybookFile(file);
    if (!loaded.model || hasErrors(loaded.diagnostics)) {
      for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) io.err(formatDiagnostic(d));
      return 1;
    }
    let edition: Edition | undefined;
    if (typeof values.client === "string") {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(values.client);
      } catch (error) {
        io.err(
          `${values.client}:1:1 error [source/read] cannot read the client file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
        return 1;
      }
      const parsed = parseClientFile(values.client, bytes);
      if (!parsed.client) {
        for (const d of parsed.diagnostics) io.err(formatDiagnostic(d));
        return 1;
      }
      const result = clientEdition(loaded.model, parsed.client, today(), values.client, parsed.source);
      if (!result.edition) {
        for (const d of result.diagnostics) io.err(formatDiagnostic(d));
        return 1;
      }
      edition = result.edition;
    }
    const chromiumPath = typeof values.chromium === "string" ? values.chromium : undefined;
    const wantsBrowser = format === "pdf" || format === "docx";
    let browser: BrowserSession | undefined;
    if (values["no-diagram-cache"] && typeof values["diagram-cache"] === "string")
      throw new UsageError(`--diagram-cache and --no-diagram-cache exclude each other\n\n${USAGE}`);
    const diagramStore = values["no-diagram-cache"]
      ? undefined
      : new FileDiagramStore(typeof values["diagram-cache"] === "string" ? values["diagram-cache"] : defaultCacheDir(process.env));
    // Lazy: Word whose map pictures are all in the diagram cache is written without starting Chromium.
    if (wantsBrowser && chromiumInstalled(chromiumPath))
      browser = await launchChromium(chromiumPath, { lazy: true, ...(diagramStore ? { diagramStore } : {}) });
    else if (format === "pdf") {
      io.err(
        `onboard render: PDF is printed by headless Chromium, which is not installed${chromiumPath ? ` at ${chromiumPath}` : ""} (Debian: apt-get install chromium)`,
      );
      return 1;
    }
    try {
      const rendered = await renderPlaybook(loaded.model, format as Format, {
        ...(edition ? { edition } : {}),
        ...(browser ? { browser } : {}),
      });
      for (const finding of rendered.findings) io.err(`${file}: ${finding.severity} [${finding.code}] ${finding.message}`);
      const output =
        typeof values.output === "string"
          ? values.output
          : format === "docx" || format === "pdf"
            ? `${basename(file, extname(file))}.${format}`
            : undefined;
      if (output === undefined) {
        io.out(typeof rendered.output === "string" ? rendered.output.replace(/\n$/, "") : "");
      } else {
        await writeFile(output, rendered.output);
        io.err(`wrote ${output}`);
      }
      return 0;
    } finally {
      await browser?.close();
    }
  },
};
