// Runs every lint rule over loaded playbooks. Loader diagnostics come first: a playbook that does
// not load is not linted further.
import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { compareDiagnostics, type Diagnostic } from "../playbook/diagnostics.ts";
import { type LoadResult, loadPlaybookFile, positioned } from "../playbook/load.ts";
import type { LintRule } from "./rule.ts";
import { optionalFactGuarded } from "./rules/conditions.ts";
import { complianceAttached, exceptionsPresent, kpisPresent, unusedDeclarations } from "./rules/coverage.ts";
import { documentDates } from "./rules/document.ts";
import { decisionMeasurable, dependencyCycles, loopExit, unreachableSteps } from "./rules/flow.ts";
import { deadlineInWindow } from "./rules/schedule.ts";
import { gateReachable, handoffBothSides, raciAccountable, stepActionable, stepTimeline, templateReferenced } from "./rules/steps.ts";

export const RULES: readonly LintRule[] = [
  stepActionable,
  stepTimeline,
  handoffBothSides,
  gateReachable,
  raciAccountable,
  templateReferenced,
  decisionMeasurable,
  optionalFactGuarded,
  dependencyCycles,
  unreachableSteps,
  loopExit,
  deadlineInWindow,
  documentDates,
  exceptionsPresent,
  kpisPresent,
  complianceAttached,
  unusedDeclarations,
];

export interface LintReport {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
}

export function lintLoaded(loaded: LoadResult, rules: readonly LintRule[] = RULES): LintReport {
  if (!loaded.model || !loaded.source) return { file: loaded.file, diagnostics: loaded.diagnostics };
  const findings = rules.flatMap((rule) =>
    [...rule.check(loaded.model as NonNullable<LoadResult["model"]>)].map((f) => ({
      ...f,
      rule: rule.id,
      severity: f.severity ?? rule.severity,
    })),
  );
  const diagnostics = [...loaded.diagnostics, ...positioned(loaded.source, findings)].sort(compareDiagnostics);
  return { file: loaded.file, diagnostics };
}

const PLAYBOOK_EXTENSIONS = new Set([".yaml", ".yml"]);

/** Files named directly, and every .yaml/.yml below directories named. */
export async function expandPaths(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = async (path: string, named: boolean): Promise<void> => {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      if (named) missing.push(path);
      return;
    }
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      for (const entry of entries) await walk(join(path, entry), false);
    } else if (named || PLAYBOOK_EXTENSIONS.has(extname(path))) {
      files.push(path);
    }
  };
  for (const path of paths) await walk(path, true);
  return { files, missing };
}

export async function lintFile(file: string): Promise<LintReport> {
  return lintLoaded(await loadPlaybookFile(file));
}
