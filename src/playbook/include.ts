// Procedures shared between playbooks: a playbook's `include: [kyc_procedures@1.0]` names a
// procedures file (playbooks/procedures/<id>.yaml) and the version it was written against.
// Publishing freezes it: `bundleIncludes` copies the included procedures into the playbook's own
// `procedures:` (marked `included_from`) and drops `include:`, so the published source is
// self-contained and a project never changes when the shared file does.
import { isMap, isSeq, parseDocument } from "yaml";
import type { Finding, Path } from "./diagnostics.ts";
import { type Procedure, ProceduresFileSchema } from "./schema.ts";

/** Procedures files by id: their YAML text. */
export type ProcedureFiles = ReadonlyMap<string, string>;

function split(ref: string): { id: string; version: string } {
  const at = ref.lastIndexOf("@");
  return { id: ref.slice(0, at), version: ref.slice(at + 1) };
}

interface Resolved {
  readonly raw?: Record<string, unknown>[];
  readonly procedures?: Procedure[];
  readonly problem?: { message: string; fix: string };
}

function resolveOne(ref: string, files: ProcedureFiles): Resolved {
  const { id, version } = split(ref);
  const text = files.get(id);
  if (text === undefined) {
    const known = [...files.keys()];
    return {
      problem: {
        message: `no procedures file "${id}"`,
        fix: known.length > 0 ? `include one of: ${known.join(", ")}` : `add playbooks/procedures/${id}.yaml`,
      },
    };
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return { problem: { message: `procedures file "${id}": ${doc.errors[0]?.message.split("\n")[0]}`, fix: "run onboard lint on it" } };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      problem: {
        message: `procedures file "${id}": ${error instanceof Error ? error.message : String(error)}`,
        fix: "remove YAML aliases (*name) that expand the file",
      },
    };
  }
  const parsed = ProceduresFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      problem: {
        message: `procedures file "${id}" is not valid: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
        fix: "fix the procedures file",
      },
    };
  }
  if (parsed.data.version !== version) {
    return {
      problem: {
        message: `procedures file "${id}" is version ${parsed.data.version}, not ${version}`,
        fix: `include "${id}@${parsed.data.version}" after reviewing what changed`,
      },
    };
  }
  return {
    raw: (raw as { procedures: Record<string, unknown>[] }).procedures,
    procedures: parsed.data.procedures.map((p) => ({ ...p, included_from: ref })),
  };
}

/** The procedures a playbook's `include:` brings in, or why one cannot be. */
export function resolveIncludes(
  refs: readonly string[],
  files: ProcedureFiles,
): { included: { procedure: Procedure; path: Path }[]; findings: Finding[] } {
  const included: { procedure: Procedure; path: Path }[] = [];
  const findings: Finding[] = [];
  refs.forEach((ref, i) => {
    const resolved = resolveOne(ref, files);
    if (resolved.problem) findings.push({ rule: "include/unresolved", severity: "error", path: ["include", i], ...resolved.problem });
    for (const procedure of resolved.procedures ?? []) included.push({ procedure, path: ["include", i] });
  });
  return { included, findings };
}

/**
 * The playbook's text with its includes copied in: what gets published. A text without `include:`
 * comes back as it is; an include that cannot be resolved leaves the text unchanged (loading it
 * then reports why).
 */
export function bundleIncludes(text: string, files: ProcedureFiles): string {
  try {
    return bundled(text, files);
  } catch {
    return text; // whatever the text is, loading it says what is wrong; publishing never throws here
  }
}

function bundled(text: string, files: ProcedureFiles): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return text;
  const include = doc.get("include");
  if (!isSeq(include)) return text;
  const refs = include.items.map((item) => String((item as { value?: unknown }).value ?? item));
  const copies: Record<string, unknown>[] = [];
  for (const ref of refs) {
    const resolved = resolveOne(ref, files);
    if (!resolved.raw) return text;
    for (const procedure of resolved.raw) copies.push({ ...procedure, included_from: ref });
  }
  if (!doc.has("procedures")) doc.set("procedures", doc.createNode([]));
  const procedures = doc.get("procedures");
  if (!isSeq(procedures)) return text;
  for (const copy of copies) procedures.items.push(doc.createNode(copy));
  doc.delete("include");
  return doc.toString({ lineWidth: 0 });
}
