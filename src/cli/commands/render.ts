import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { formatDiagnostic, hasErrors } from "../../playbook/diagnostics.ts";
import { loadPlaybookFile } from "../../playbook/load.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
import { chromiumInstalled } from "../../render/chromium-path.ts";
import { type ClientFile, type ClientFileResult, clientEdition, parseClientFile } from "../../render/client.ts";
import { defaultCacheDir, FileDiagramStore } from "../../render/diagram-store.ts";
import { FORMATS, type Format, renderDocument } from "../../render/render.ts";
import { buildSop } from "../../render/sop/build.ts";
import type { Edition } from "../../render/sop/edition.ts";
import { type Command, UsageError } from "../args.ts";

const USAGE = `Usage: onboard render <playbook>... --format md|html|docx|pdf|all [--client <facts.yaml>] [-o file|folder]

Renders the playbook as its SOP document: document control, purpose, scope, responsibilities,
definitions, prerequisites, the procedure by phase (6.1, 6.2 ...), quality controls, compliance
addenda, exception handling, KPIs, references, revision history and approval block, followed by
the RACI matrix, the process map (drawn; Mermaid in md), the swimlane view by role and the
one-page-per-phase checklist job aid.

Options:
  -f, --format FORMAT   md (GitHub Markdown, Mermaid in fenced blocks), html (standalone, print-ready),
                        docx (Word), pdf (printed by headless Chromium); several separated by
                        commas (md,pdf), or all; default md
  -c, --client FILE     a client edition: YAML with client: {name, time_zone, country, region, start},
                        facts: {...} and params: {...}; conditional parts are resolved, placeholders
                        filled and dates planned on the client's business calendar
  -o, --output FILE     where to write; default: standard output for md and html,
                        <playbook name>.docx / .pdf for docx and pdf. With several playbooks or
                        formats, a folder (created if missing; default the current one) that gets
                        <playbook name>.<format> for each, all from one browser session
  --chromium PATH       the Chromium to print PDF and picture maps for Word with (default /usr/bin/chromium)
  --diagram-cache DIR   where Word's pictures of the process maps are kept, so an unchanged map is
                        not pictured again (default $ONBOARD_CACHE_DIR, else $XDG_CACHE_HOME/onboard,
                        else ~/.cache/onboard)
  --no-diagram-cache    picture every map afresh and keep nothing
  -h, --help            show this help

The process map is drawn by Onboard itself (SVG in html and pdf). Chromium prints pdf and turns the
map into a picture for docx; without it, docx gives the map as Mermaid text, and pdf cannot be made.

Exit codes: 0 written, 1 the playbook or client file has errors, 2 usage error.`;

/** `md`, `pdf`, a list such as `html,pdf`, or `all`. */
function parseFormats(value: string): Format[] {
  const names = value === "all" ? [...FORMATS] : value.split(",").map((f) => f.trim());
  for (const name of names) {
    if (!(FORMATS as readonly string[]).includes(name))
      throw new UsageError(
        `--format must be one of ${FORMATS.join(", ")} (several separated by commas, or all), not "${name}"\n\n${USAGE}`,
      );
  }
  return [...new Set(names as Format[])];
}

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
    if (positionals.length === 0) throw new UsageError(`name a playbook file\n\n${USAGE}`);
    const names = positionals.map((file) => basename(file, extname(file)));
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) throw new UsageError(`two playbooks named ${twice}: their files would overwrite each other\n\n${USAGE}`);
    const formats = parseFormats(String(values.format ?? "md"));
    const many = positionals.length > 1 || formats.length > 1;
    if (values["no-diagram-cache"] && typeof values["diagram-cache"] === "string")
      throw new UsageError(`--diagram-cache and --no-diagram-cache exclude each other\n\n${USAGE}`);

    // Every playbook (and the client edition of each) is checked before anything is written.
    const jobs: { file: string; model: PlaybookModel; edition: Edition | undefined }[] = [];
    let client: { file: string; data: ClientFile; source: ClientFileResult["source"] } | undefined;
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
      client = { file: values.client, data: parsed.client, source: parsed.source };
    }
    let failed = false;
    for (const file of positionals) {
      const loaded = await loadPlaybookFile(file);
      if (!loaded.model || hasErrors(loaded.diagnostics)) {
        for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) io.err(formatDiagnostic(d));
        failed = true;
        continue;
      }
      let edition: Edition | undefined;
      if (client) {
        const result = clientEdition(loaded.model, client.data, today(), client.file, client.source);
        if (!result.edition) {
          for (const d of result.diagnostics) io.err(formatDiagnostic(d));
          failed = true;
          continue;
        }
        edition = result.edition;
      }
      jobs.push({ file, model: loaded.model, edition });
    }
    if (failed) return 1;

    const output = typeof values.output === "string" ? values.output : undefined;
    // One file: -o names it (standard output for md and html without it). Several: -o is a folder.
    const target = (file: string, format: Format): string | undefined => {
      const name = `${basename(file, extname(file))}.${format}`;
      if (many) return join(output ?? ".", name);
      return output ?? (format === "docx" || format === "pdf" ? name : undefined);
    };
    if (many && output !== undefined) await mkdir(output, { recursive: true });

    const chromiumPath = typeof values.chromium === "string" ? values.chromium : undefined;
    const wantsBrowser = formats.includes("pdf") || formats.includes("docx");
    if (formats.includes("pdf") && !chromiumInstalled(chromiumPath)) {
      io.err(
        `onboard render: PDF is printed by headless Chromium, which is not installed${chromiumPath ? ` at ${chromiumPath}` : ""} (Debian: apt-get install chromium)`,
      );
      return 1;
    }
    const diagramStore = values["no-diagram-cache"]
      ? undefined
      : new FileDiagramStore(typeof values["diagram-cache"] === "string" ? values["diagram-cache"] : defaultCacheDir(process.env));
    // One browser for every document, started only when a job needs it: Word whose map pictures are
    // all in the diagram cache is written without Chromium.
    // playwright-core is loaded only then: Markdown and HTML need no browser code at all.
    const browser =
      wantsBrowser && chromiumInstalled(chromiumPath)
        ? await (await import("../../render/chromium.ts")).launchChromium(chromiumPath, {
            lazy: true,
            ...(diagramStore ? { diagramStore } : {}),
          })
        : undefined;
    try {
      const total = jobs.length * formats.length;
      let done = 0;
      await Promise.all(
        jobs.flatMap(({ file, model, edition }) => {
          const doc = buildSop(model, edition);
          return formats.map(async (format) => {
            const rendered = await renderDocument(doc, format, browser);
            for (const finding of rendered.findings) io.err(`${file}: ${finding.severity} [${finding.code}] ${finding.message}`);
            const path = target(file, format);
            if (path === undefined) {
              io.out(typeof rendered.output === "string" ? rendered.output.replace(/\n$/, "") : "");
              return;
            }
            await writeFile(path, rendered.output);
            done++;
            io.err(many ? `wrote ${path} (${done}/${total})` : `wrote ${path}`);
          });
        }),
      );
      return 0;
    } finally {
      await browser?.close();
    }
  },
};
