// Findings as GitHub Actions workflow commands (::error file=...,line=...::message): the runner
// turns each line into an annotation on the pull request's diff. Escaping follows the runner's
// rules (@actions/core's command.ts): in the message %, CR and LF; in a property also ":" and ",".
import type { Diagnostic, Severity } from "../../playbook/diagnostics.ts";
import { relativePath } from "./relative-uri.ts";

const COMMAND: Readonly<Record<Severity, string>> = { error: "error", warning: "warning", info: "notice" };

export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

export function githubAnnotation(d: Diagnostic, base: string): string {
  const properties = [
    `file=${escapeProperty(relativePath(d.file, base))}`,
    `line=${d.line}`,
    `col=${d.column}`,
    `title=${escapeProperty(`[${d.rule}]`)}`,
  ].join(",");
  const message = d.fix ? `${d.message}\nfix: ${d.fix}` : d.message;
  return `::${COMMAND[d.severity]} ${properties}::${escapeData(message)}`;
}
