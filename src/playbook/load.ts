// The one entry point from bytes to a typed playbook. It never throws: whatever it is given,
// it returns diagnostics with file, line and column, and a playbook only when there are no errors.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { visit } from "yaml";
import { compareDiagnostics, type Diagnostic, type Finding, hasErrors } from "./diagnostics.ts";
import { ExpressionChecker } from "./expressions.ts";
import { type ProcedureFiles, resolveIncludes } from "./include.ts";
import { buildModel, type PlaybookModel } from "./model.ts";
import { expandProcedures } from "./procedures.ts";
import { type Playbook, PlaybookSchema, type RawPlaybook } from "./schema.ts";
import { issuesToFindings } from "./schema-issues.ts";
import { checkPlaceholders, checkTemplateTags, SemanticChecker } from "./semantics.ts";
import { decodeUtf8, locate, parseYaml, type SourceFile } from "./source.ts";
import { withYamlAdvice, yamlErrorAdvice } from "./yaml-advice.ts";

export interface LoadResult {
  readonly file: string;
  readonly playbook?: Playbook;
  readonly model?: PlaybookModel;
  readonly source?: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
}

function at(file: string, line: number, column: number, finding: Omit<Finding, "path">): Diagnostic {
  return { ...finding, file, line, column, path: [] };
}

export function positioned(source: SourceFile, findings: readonly Finding[]): Diagnostic[] {
  return findings.map((f) => {
    const { line, column } = locate(source, f);
    const { key: _key, offset: _offset, ...rest } = f;
    return { ...rest, file: source.name, line, column };
  });
}

export interface LoadOptions {
  /** Procedures files an `include:` may name, by id (their YAML text). */
  readonly procedures?: ProcedureFiles;
}

function loadUnsafe(file: string, input: Uint8Array | string, options: LoadOptions): LoadResult {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    const decoded = decodeUtf8(input);
    if (!decoded.ok) {
      return {
        file,
        diagnostics: [
          at(file, decoded.line, decoded.column, {
            rule: "source/encoding",
            severity: "error",
            message: `byte ${decoded.byte} is not valid UTF-8`,
            fix: "save the file as UTF-8 (playbooks are always UTF-8; re-encoding guesses would corrupt names and symbols)",
          }),
        ],
      };
    }
    text = decoded.text;
  }

  const source = parseYaml(file, text);
  const diagnostics: Diagnostic[] = [];
  for (const error of source.document.errors) {
    const pos = source.lines.linePos(error.pos[0]);
    const advice = yamlErrorAdvice(text, error.code, error.pos);
    diagnostics.push(
      at(file, pos.line, pos.col, {
        rule: advice ? "source/quote" : "source/yaml",
        severity: "error",
        message: advice?.message ?? error.message.split("\n")[0] ?? error.code,
        fix:
          advice?.fix ??
          (error.code === "DUPLICATE_KEY"
            ? "remove or rename one of the two keys"
            : "fix the YAML syntax at this spot (indentation, quotes, a missing ':')"),
      }),
    );
  }
  if (diagnostics.length > 0) return { file, source, diagnostics };

  // Text no database can hold: YAML's "\0", "\x00" and "\ud800" escapes decode to U+0000 and to half
  // a surrogate pair, which PostgreSQL's text and jsonb refuse; a project started on such a
  // playbook could not be stored. Refused here, where the escape is.
  visit(source.document, {
    Scalar(_key, node) {
      if (typeof node.value !== "string" || !node.range) return;
      const bad = node.value.includes("\u0000")
        ? "U+0000 (NUL)"
        : node.value.isWellFormed()
          ? undefined
          : "half of a UTF-16 surrogate pair";
      if (bad === undefined) return;
      const pos = source.lines.linePos(node.range[0]);
      diagnostics.push(
        at(file, pos.line, pos.col, {
          rule: "source/text",
          severity: "error",
          message: `this text contains ${bad}, which cannot be stored`,
          fix: bad.startsWith("U+0000")
            ? "remove the \\0 (or \\x00, \\u0000) escape"
            : "write the character itself, or both halves of its surrogate pair (\\ud83d\\udfe2 for 🟢)",
        }),
      );
    },
  });
  if (diagnostics.length > 0) return { file, source, diagnostics };

  let raw: unknown;
  try {
    raw = source.document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      file,
      source,
      diagnostics: [
        at(file, 1, 1, {
          rule: "source/yaml",
          severity: "error",
          message: error instanceof Error ? error.message : String(error),
          fix: "remove YAML aliases (*name) that expand the document",
        }),
      ],
    };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      file,
      source,
      diagnostics: [
        at(file, 1, 1, {
          rule: "schema/type",
          severity: "error",
          message: "a playbook is a YAML mapping starting with `onboard: 1`",
          fix: "start the file with `onboard: 1`, then id:, document:, roles:, phases: ...",
        }),
      ],
    };
  }

  const parsed = PlaybookSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    return {
      file,
      source,
      diagnostics: positioned(source, withYamlAdvice(source, issuesToFindings(PlaybookSchema, parsed.error.issues))).sort(
        compareDiagnostics,
      ),
    };
  }
  const written: RawPlaybook = parsed.data;
  const includes = resolveIncludes(written.include, options.procedures ?? new Map());
  if (includes.findings.length > 0) return { file, source, diagnostics: positioned(source, includes.findings).sort(compareDiagnostics) };
  const expansion = expandProcedures(written, includes.included);
  const early = expansion.findings;
  if (early.length > 0) return { file, source, diagnostics: positioned(source, early).sort(compareDiagnostics) };
  const playbook = expansion.playbook;
  const model = buildModel(playbook, expansion.paths);
  const findings = [
    ...new SemanticChecker(model, new ExpressionChecker(playbook)).run(),
    ...checkPlaceholders(raw, playbook),
    ...checkTemplateTags(playbook),
  ];
  // A procedure's step is checked once per call: the same finding at the same spot is said once.
  const seen = new Set<string>();
  const all = positioned(source, findings)
    .filter((d) => {
      const key = `${d.line}:${d.column}:${d.rule}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(compareDiagnostics);
  return hasErrors(all) ? { file, source, diagnostics: all } : { file, playbook, model, source, diagnostics: all };
}

/** Load a playbook from text or bytes. Never throws. */
export function loadPlaybook(file: string, input: Uint8Array | string, options: LoadOptions = {}): LoadResult {
  try {
    return loadUnsafe(file, input, options);
  } catch (error) {
    // A bug of ours, not of the playbook: say so instead of crashing the caller.
    const message = error instanceof Error ? error.message : String(error);
    return {
      file,
      diagnostics: [
        at(file, 1, 1, {
          rule: "internal",
          severity: "error",
          message: `the loader failed: ${message}`,
          fix: "please report this with the file that caused it",
        }),
      ],
    };
  }
}

export async function loadPlaybookFile(location: string | URL): Promise<LoadResult> {
  const file = typeof location === "string" ? location : fileURLToPath(location);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      file,
      diagnostics: [
        at(file, 1, 1, {
          rule: "source/read",
          severity: "error",
          message: code === "ENOENT" ? "no such file" : `cannot read the file (${code ?? String(error)})`,
          fix: "check the path",
        }),
      ],
    };
  }
  return loadPlaybook(file, bytes, { procedures: await readProcedureFiles(join(dirname(file), "procedures")) });
}

/** The procedures files beside playbooks (`<dir>/<id>.yaml`), by id; none when the folder is missing. */
export async function readProcedureFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return files;
  }
  for (const name of names.sort()) {
    if (!name.endsWith(".yaml") && !name.endsWith(".yml")) continue;
    files.set(name.replace(/\.ya?ml$/, ""), await readFile(join(dir, name), "utf8"));
  }
  return files;
}
