// Findings as SARIF 2.1.0 (OASIS), the format code-scanning services read (GitHub's upload-sarif,
// GitLab, Azure DevOps): one run whose tool lists every rule, and one result per finding located
// by a URI relative to the checkout. test/lint/sarif.test.ts validates it against the official schema.
import { readFileSync } from "node:fs";
import type { Diagnostic, Severity } from "../../playbook/diagnostics.ts";
import { type LintProfile, RULES, ruleSeverity } from "../lint.ts";
import { relativeUri } from "./relative-uri.ts";

const PACKAGE = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
const LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = { error: "error", warning: "warning", info: "note" };
const SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

interface SarifRule {
  readonly id: string;
  readonly shortDescription: { readonly text: string };
  readonly help: { readonly text: string };
  readonly defaultConfiguration: { readonly level: "error" | "warning" | "note" };
  readonly properties: { readonly kind: string };
}

/** The lint rules, then what the loader reports (syntax, schema, references), which are always errors. */
function rulesOf(diagnostics: readonly Diagnostic[], profile: LintProfile): SarifRule[] {
  const firstFix = new Map<string, string>();
  for (const d of diagnostics) if (d.fix && !firstFix.has(d.rule)) firstFix.set(d.rule, d.fix);
  const rules: SarifRule[] = RULES.map((rule) => ({
    id: rule.id,
    shortDescription: { text: rule.description },
    // A rule's fix depends on the finding; the first one met is the most useful general help.
    help: { text: firstFix.get(rule.id) ?? rule.description },
    defaultConfiguration: { level: LEVEL[ruleSeverity(rule, profile)] },
    properties: { kind: rule.kind },
  }));
  const known = new Set(rules.map((r) => r.id));
  for (const d of diagnostics) {
    if (known.has(d.rule)) continue;
    known.add(d.rule);
    rules.push({
      id: d.rule,
      shortDescription: { text: `the playbook loads: ${d.rule}` },
      help: { text: firstFix.get(d.rule) ?? "see the message" },
      defaultConfiguration: { level: "error" },
      properties: { kind: "loader" },
    });
  }
  return rules;
}

export function sarifLog(diagnostics: readonly Diagnostic[], options: { readonly profile: LintProfile; readonly base: string }) {
  const rules = rulesOf(diagnostics, options.profile);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  return {
    $schema: SCHEMA,
    version: "2.1.0" as const,
    runs: [
      {
        tool: { driver: { name: "onboard", version: PACKAGE.version, rules } },
        // Columns count UTF-16 code units, as the YAML parser's offsets do.
        columnKind: "utf16CodeUnits" as const,
        results: diagnostics.map((d) => ({
          ruleId: d.rule,
          ruleIndex: index.get(d.rule) ?? -1,
          level: LEVEL[d.severity],
          message: { text: d.fix ? `${d.message} (fix: ${d.fix})` : d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: relativeUri(d.file, options.base) },
                region: { startLine: d.line, startColumn: d.column },
              },
            },
          ],
        })),
      },
    ],
  };
}
