// A client's facts, checked against what its playbook declares: the types and allowed values of
// the playbook's `facts:` (what the client form is generated from). The same rules the engine
// applies when a project starts, applied here at the edge so the form's error names the field.
import type { ApiDeps } from "../deps.ts";
import { type FieldError, fieldsProblem, HttpProblem } from "../problems.ts";
import type { FactInput } from "./clients.ts";
import { modelOf } from "./playbooks.ts";

/** The latest published version of a playbook, or undefined when it has none. */
export async function latestVersionOf(deps: ApiDeps, playbookId: string): Promise<string | undefined> {
  const row = await deps.db
    .selectFrom("playbook_versions")
    .select("version")
    .where("playbook_id", "=", playbookId)
    .orderBy("published_at", "desc")
    .orderBy("version", "desc")
    .executeTakeFirst();
  return row?.version;
}

/** Refuse (400, one error per field) facts the playbook does not declare or of the wrong type. */
export async function checkClientFacts(
  deps: ApiDeps,
  playbookId: string | null | undefined,
  facts: Readonly<Record<string, FactInput>> | undefined,
): Promise<void> {
  if (playbookId === undefined || playbookId === null) {
    if (facts && Object.keys(facts).length > 0)
      throw fieldsProblem([{ pointer: "/body/playbookId", detail: "choose the playbook whose facts these are" }]);
    return;
  }
  const version = await latestVersionOf(deps, playbookId);
  if (version === undefined) {
    throw new HttpProblem("validation", `no published playbook "${playbookId}"`, {
      extensions: { errors: [{ pointer: "/body/playbookId", detail: "is not a published playbook" }] },
    });
  }
  const declared = (await modelOf(deps, playbookId, version)).playbook.facts;
  const errors: FieldError[] = [];
  for (const [id, value] of Object.entries(facts ?? {})) {
    const def = declared[id];
    const pointer = `/body/facts/${id}`;
    if (!def) {
      errors.push({ pointer, detail: "the playbook declares no such fact" });
      continue;
    }
    const ok =
      (def.type === "bool" && typeof value === "boolean") ||
      (def.type === "int" && Number.isInteger(value)) ||
      (def.type === "double" && typeof value === "number" && Number.isFinite(value)) ||
      (def.type === "string" && typeof value === "string" && (!def.values || def.values.includes(value))) ||
      (def.type === "date" && typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) ||
      (def.type === "list" && Array.isArray(value) && value.every((v) => typeof v === "string"));
    if (!ok) {
      const expected: Record<string, string> = {
        bool: "must be yes or no",
        int: "must be a whole number",
        double: "must be a number",
        string: def.values ? `must be one of ${def.values.join(", ")}` : "must be text",
        date: "must be a date (YYYY-MM-DD)",
        list: "must be a list of texts",
      };
      errors.push({ pointer, detail: expected[def.type] ?? `must be a ${def.type}` });
    }
  }
  if (errors.length > 0) throw fieldsProblem(errors);
}
