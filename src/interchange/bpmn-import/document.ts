// The playbook around the imported steps: document control (placeholders a person replaces), purpose
// and scope (guessed), facts, roles and forms the steps use, in the playbook's own key order.
import type { VariableType } from "./conditions.ts";
import { documentation, type ImportContext, type Json } from "./context.ts";
import type { DraftForm } from "./decisions.ts";
import { oneLine, PROCESS_OWNER, slug } from "./owners.ts";
import type { BpmnDialect } from "./source.ts";

export interface Comment {
  readonly path: readonly (string | number)[];
  readonly text: string;
}

export interface DocumentParts {
  readonly facts: ReadonlyMap<string, VariableType>;
  readonly forms: ReadonlyMap<string, DraftForm>;
  readonly procedures: readonly Json[];
  readonly phases: readonly Json[];
  readonly rules: readonly Json[];
}

function dialectName(dialect: BpmnDialect): string {
  return dialect === "camunda7" ? "Camunda 7" : dialect === "camunda8" ? "Camunda 8" : "BPMN 2.0";
}

export function draftDocument(ctx: ImportContext, parts: DocumentParts): { readonly playbook: Json; readonly comments: Comment[] } {
  const { process, fileName, today, dialect } = ctx.input;
  const comments: Comment[] = [];
  const roles = ctx.roles.size > 0 ? [...ctx.roles.values()] : [PROCESS_OWNER];
  const name = oneLine(process.name) || oneLine(process.id) || "Imported process";
  const playbook: Json = {
    onboard: 1,
    id: slug(oneLine(process.name) || process.id || "") || "imported_process",
    document: {
      id: oneLine(process.id) || "BPMN-IMPORT",
      title: name,
      version: "0.1",
      status: "draft",
      owner: "Process owner",
      effective: today,
      review: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
    },
    purpose: documentation(process) ?? `${name}, drawn in the BPMN model ${fileName}. Say here why the procedure exists.`,
    scope: { applies_to: [`Every case of ${name}`] },
  };
  comments.push({
    path: ["document"],
    text: ` Imported from ${fileName} (${dialectName(dialect)}); the dates, owner and version are placeholders.`,
  });
  comments.push({ path: ["purpose"], text: " Guessed: the model says what is done, not why. Write the purpose and scope." });
  if (parts.facts.size > 0) {
    playbook.facts = Object.fromEntries(
      [...parts.facts].map(([id, type]) => [id, { type, label: id.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase()) }]),
    );
    comments.push({
      path: ["facts"],
      text: " Guessed: process variables the conditions read. If someone records one during the project, move it to a form of that step.",
    });
  }
  playbook.roles = Object.fromEntries(roles.map((r) => [r.id, { title: r.title, side: r.side }]));
  comments.push({ path: ["roles"], text: ` Guessed from ${[...new Set(roles.map((r) => r.from))].join(", ")}.` });
  if (parts.forms.size > 0) {
    playbook.forms = Object.fromEntries(
      [...parts.forms].map(([id, form]) => [
        id,
        {
          title: form.title,
          fields: Object.fromEntries(
            [...form.fields].map(([fid, f]) => [
              fid,
              { label: f.label, type: f.type, required: true, ...(f.options ? { options: f.options } : {}) },
            ]),
          ),
        },
      ]),
    );
    comments.push({
      path: ["forms"],
      text: " What the decisions read: the variables of the task before each gateway, or the way its owner chose.",
    });
  }
  if (parts.procedures.length > 0) playbook.procedures = parts.procedures;
  playbook.phases = parts.phases;
  if (parts.rules.length > 0) {
    playbook.rules = parts.rules;
    comments.push({ path: ["rules"], text: " From boundary timers: the timer is the step's deadline (due:), its path the escalation." });
  }
  return { playbook, comments };
}
