// A client's facts, checked against what its playbook declares: the types and allowed values of
// the playbook's `facts:` (what the client form is generated from). The same rules the engine
// applies when a project starts, applied here at the edge so the form's error names the field.

import { factSpec, valueProblem } from "../../playbook/values.ts";
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
    // The engine's own check (it refuses the same values when a project starts).
    const strictNumber = (def.type === "int" || def.type === "double") && typeof value !== "number";
    const problem = strictNumber
      ? def.type === "int"
        ? "must be a whole number"
        : "must be a number"
      : valueProblem(factSpec(def), value);
    if (problem) errors.push({ pointer, detail: problem });
  }
  if (errors.length > 0) throw fieldsProblem(errors);
}
