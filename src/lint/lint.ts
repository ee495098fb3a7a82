// Runs every lint rule over loaded playbooks. Loader diagnostics come first: a playbook that does
// not load is not linted further.
import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { compareDiagnostics, type Diagnostic, type Finding } from "../playbook/diagnostics.ts";
import { type LoadResult, loadPlaybookFile, positioned } from "../playbook/load.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { LintRule } from "./rule.ts";
import { cadenceAgreedAnswer, cadenceNotice } from "./rules/cadences.ts";
import { formFilledBefore, optionalFactGuarded } from "./rules/conditions.ts";
import { complianceAttached, exceptionsPresent, kpiMeasurable, kpisPresent, unusedDeclarations } from "./rules/coverage.ts";
import { documentDates } from "./rules/document.ts";
import { blockedForever, decisionMeasurable, dependencyCycles, loopExit, loopSameData, unreachableSteps } from "./rules/flow.ts";
import { deadlineInWindow, timeZoneOwner } from "./rules/schedule.ts";
import {
  gateReachable,
  gateSystemSigner,
  handoffBothSides,
  raciAccountable,
  stepActionable,
  stepTimeline,
  templateReferenced,
} from "./rules/steps.ts";
import { linkAddress } from "./rules/text.ts";

export const RULES: readonly LintRule[] = [
  stepActionable,
  stepTimeline,
  handoffBothSides,
  gateReachable,
  gateSystemSigner,
  raciAccountable,
  templateReferenced,
  decisionMeasurable,
  optionalFactGuarded,
  formFilledBefore,
  dependencyCycles,
  unreachableSteps,
  blockedForever,
  loopExit,
  loopSameData,
  deadlineInWindow,
  timeZoneOwner,
  cadenceAgreedAnswer,
  cadenceNotice,
  documentDates,
  exceptionsPresent,
  kpisPresent,
  kpiMeasurable,
  complianceAttached,
  unusedDeclarations,
  linkAddress,
];

export interface LintReport {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * "strict": the SOP QA checklist is enforced (CI for the built-in playbooks, `onboard lint --strict`).
 * "draft": a faithful encoding of a procedure that lacks results, KPIs or exception rules is allowed;
 * the quality rules' errors are reported as warnings (upload, `onboard lint`). Correctness rules and
 * everything the loader finds are errors in both.
 */
export type LintProfile = "strict" | "draft";

export interface LintOptions {
  readonly profile?: LintProfile;
  readonly rules?: readonly LintRule[];
}

/** Ids of the rules the profile decides on. */
export const QUALITY_RULES: ReadonlySet<string> = new Set(RULES.filter((r) => r.kind === "quality").map((r) => r.id));

/** A rule's severity under a profile, as its findings are reported (SARIF's defaultConfiguration). */
export function ruleSeverity(rule: LintRule, profile: LintProfile): Diagnostic["severity"] {
  return severityIn(profile, rule, rule.severity);
}

function severityIn(profile: LintProfile, rule: LintRule, severity: Diagnostic["severity"]): Diagnostic["severity"] {
  return profile === "draft" && rule.kind === "quality" && severity === "error" ? "warning" : severity;
}

function run(model: PlaybookModel, rules: readonly LintRule[], profile: LintProfile): Finding[] {
  return rules.flatMap((rule) =>
    [...rule.check(model)].map((f) => ({
      ...f,
      rule: rule.id,
      severity: severityIn(profile, rule, f.severity ?? rule.severity),
    })),
  );
}

export function lintLoaded(loaded: LoadResult, options: LintOptions = {}): LintReport {
  if (!loaded.model || !loaded.source) return { file: loaded.file, diagnostics: loaded.diagnostics };
  const findings = run(loaded.model, options.rules ?? RULES, options.profile ?? "strict");
  const diagnostics = [...loaded.diagnostics, ...positioned(loaded.source, findings)].sort(compareDiagnostics);
  return { file: loaded.file, diagnostics };
}

/**
 * What the SOP QA checklist finds missing in a loaded playbook: the quality rules' errors, which
 * `--strict` refuses and the draft profile lets through. Printed as "Quality findings" in the SOP.
 */
export function qualityFindings(model: PlaybookModel): Finding[] {
  return run(
    model,
    RULES.filter((r) => r.kind === "quality"),
    "strict",
  ).filter((f) => f.severity === "error");
}

const PLAYBOOK_EXTENSIONS = new Set([".yaml", ".yml"]);

/** A path named on the command line that is not there, as the finding every command prints for it. */
export function missingFile(file: string): Diagnostic {
  return {
    rule: "source/read",
    severity: "error",
    message: "no such file or directory",
    fix: "check the path",
    file,
    line: 1,
    column: 1,
    path: [],
  };
}

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

export async function lintFile(file: string, options: LintOptions = {}): Promise<LintReport> {
  return lintLoaded(await loadPlaybookFile(file), options);
}
