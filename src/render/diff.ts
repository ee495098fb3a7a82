// What changed between two versions of a playbook, in SOP terms: steps added, removed and changed
// (title, phase, owner, deadline, checkpoint, decision, condition, expected result, deliverable),
// phases and roles, KPIs and compliance addenda; and the revision-history entry that records it.
import type { PlaybookModel, StepEntry } from "../playbook/model.ts";
import { deliverablesOf, type Step } from "../playbook/schema.ts";
import { BuildContext } from "./sop/context.ts";
import { genericEdition } from "./sop/edition.ts";
import { deadlineWords, momentWords, windowWords } from "./sop/words.ts";

export interface FieldChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

export interface StepSummary {
  readonly id: string;
  /** Its number in the document it is in ("6.4"). */
  readonly number: string;
  readonly title: string;
  readonly owner: string;
  readonly deadline: string;
}

export interface PlaybookDiff {
  readonly before: { readonly id: string; readonly version: string };
  readonly after: {
    readonly id: string;
    readonly version: string;
    readonly effective: string;
    /** Whether its document.revisions already has an entry for its version. */
    readonly recorded: boolean;
  };
  readonly addedSteps: readonly StepSummary[];
  readonly removedSteps: readonly StepSummary[];
  readonly changedSteps: readonly (StepSummary & { readonly changes: readonly FieldChange[] })[];
  /** Other changes, one line each: phases, roles, KPIs, compliance, rules. */
  readonly other: readonly string[];
}

function deadline(ctx: BuildContext, step: Step, entry: StepEntry): string {
  if (step.due) return ctx.fill.plain(deadlineWords(step.due, ctx));
  if (step.opens) return ctx.fill.plain(`opens ${momentWords(step.opens, ctx)}`);
  if (step.on_demand) return "when needed";
  return entry.phase.window ? `by the end of the phase (${windowWords(entry.phase.window, ctx)})` : "none set";
}

function summary(ctx: BuildContext, entry: StepEntry): StepSummary {
  return {
    id: entry.step.id,
    number: ctx.number(entry.step.id),
    title: ctx.stepTitle(entry.step.id),
    owner: ctx.roleTitle(entry.step.owner),
    deadline: deadline(ctx, entry.step, entry),
  };
}

function gateText(ctx: BuildContext, step: Step): string {
  const g = step.gate;
  if (!g) return "none";
  return `${ctx.fill.plain(g.sign_off)} (signed off by ${g.approvers.map((a) => ctx.roleTitle(a)).join(g.rule === "any" ? " or " : ", ")}; holds the next ${g.blocks})`;
}

function decisionText(step: Step): string {
  const d = step.decision;
  if (!d) return "none";
  return `${d.question} ${d.branches.map((b) => `[${b.label}${b.when ? ` if ${b.when}` : ""} → ${b.detour ? `${b.detour.join(", ")}, then ` : ""}${b.next}]`).join(" ")}`;
}

const json = (value: unknown) => JSON.stringify(value ?? null);

export function diffPlaybooks(before: PlaybookModel, after: PlaybookModel): PlaybookDiff {
  const a = new BuildContext(before, genericEdition(before.playbook));
  const b = new BuildContext(after, genericEdition(after.playbook));
  const addedSteps: StepSummary[] = [];
  const removedSteps: StepSummary[] = [];
  const changedSteps: (StepSummary & { changes: FieldChange[] })[] = [];
  for (const entry of after.order) {
    const old = before.steps.get(entry.step.id);
    if (!old) {
      addedSteps.push(summary(b, entry));
      continue;
    }
    const changes: FieldChange[] = [];
    // Compared on what the playbook says (ids, phrases), shown in words: a renamed role or a
    // renumbered step is not a change of every step that mentions it.
    const field = (name: string, same: boolean, x: string, y: string) => {
      if (!same) changes.push({ field: name, before: x, after: y });
    };
    const s = entry.step;
    const o = old.step;
    field("title", o.title === s.title, a.stepTitle(o.id), b.stepTitle(s.id));
    field("phase", old.phase.id === entry.phase.id, old.phase.title, entry.phase.title);
    field("owner", o.owner === s.owner, a.roleTitle(o.owner), b.roleTitle(s.owner));
    const windowOf = (e: StepEntry) => (e.step.due || e.step.opens || e.step.on_demand ? "" : (e.phase.window?.text ?? ""));
    field(
      "deadline",
      json(o.due?.text) === json(s.due?.text) && json(o.opens?.text) === json(s.opens?.text) && windowOf(old) === windowOf(entry),
      deadline(a, o, old),
      deadline(b, s, entry),
    );
    field(
      "target",
      json(o.target?.text) === json(s.target?.text),
      o.target ? deadlineWords(o.target, a) : "none",
      s.target ? deadlineWords(s.target, b) : "none",
    );
    field("checkpoint", json(o.gate) === json(s.gate), gateText(a, o), gateText(b, s));
    field("decision", json(o.decision) === json(s.decision), decisionText(o), decisionText(s));
    field("applies when", o.when === s.when, o.when ?? "always", s.when ?? "always");
    field("expected result", o.expected_result === s.expected_result, o.expected_result ?? "none", s.expected_result ?? "none");
    const deliverable = (x: Step) =>
      deliverablesOf(x)
        .map((d) => `${d.title}${d.template ? ` (${d.template})` : ""}`)
        .join("; ") || "none";
    field("deliverable", deliverable(o) === deliverable(s), deliverable(o), deliverable(s));
    const deps = (e: StepEntry, ctx: BuildContext) => e.after.map((id) => ctx.number(id) || id).join(", ") || "the start";
    field("starts after", json(old.after) === json(entry.after), deps(old, a), deps(entry, b));
    field("RACI", json(o.raci) === json(s.raci), o.raci ? json(o.raci) : "owner only", s.raci ? json(s.raci) : "owner only");
    field(
      "instructions",
      json(o.instructions) === json(s.instructions),
      `${o.instructions.length} items`,
      `${s.instructions.length} items`,
    );
    field("checklist", json(o.checklist) === json(s.checklist), `${o.checklist.length} items`, `${s.checklist.length} items`);
    if (changes.length > 0) changedSteps.push({ ...summary(b, entry), changes });
  }
  for (const entry of before.order) if (!after.steps.has(entry.step.id)) removedSteps.push(summary(a, entry));

  const other: string[] = [];
  const pa = before.playbook;
  const pb = after.playbook;
  const phasesA = new Map(pa.phases.map((p) => [p.id, p]));
  for (const phase of pb.phases) {
    const old = phasesA.get(phase.id);
    if (!old) other.push(`Phase added: ${phase.title}${phase.window ? ` (${phase.window.text})` : ""}`);
    else {
      if (old.title !== phase.title) other.push(`Phase renamed: ${old.title} → ${phase.title}`);
      const [before, after] = [old.window?.text ?? "no window", phase.window?.text ?? "no window"];
      if (before !== after) other.push(`Phase window of ${phase.title}: ${before} → ${after}`);
    }
  }
  for (const phase of pa.phases) if (!pb.phases.some((p) => p.id === phase.id)) other.push(`Phase removed: ${phase.title}`);
  for (const [id, role] of Object.entries(pb.roles)) {
    const old = pa.roles[id];
    if (!old) other.push(`Role added: ${role.title}`);
    else if (old.title !== role.title) other.push(`Role renamed: ${old.title} → ${role.title}`);
  }
  for (const [id, role] of Object.entries(pa.roles)) if (!pb.roles[id]) other.push(`Role removed: ${role.title}`);
  const kpisA = new Map(pa.kpis.map((k) => [k.id, k]));
  for (const kpi of pb.kpis) {
    const old = kpisA.get(kpi.id);
    if (!old) other.push(`KPI added: ${kpi.title}${kpi.target ? ` (target ${kpi.target})` : ""}`);
    else if (old.target !== kpi.target) other.push(`KPI target of ${kpi.title}: ${old.target ?? "none"} → ${kpi.target ?? "none"}`);
  }
  for (const kpi of pa.kpis) if (!pb.kpis.some((k) => k.id === kpi.id)) other.push(`KPI removed: ${kpi.title}`);
  for (const addendum of pb.compliance)
    if (!pa.compliance.some((c) => c.id === addendum.id)) other.push(`Compliance addendum added: ${addendum.title}`);
  for (const addendum of pa.compliance)
    if (!pb.compliance.some((c) => c.id === addendum.id)) other.push(`Compliance addendum removed: ${addendum.title}`);
  for (const rule of pb.rules) {
    const old = pa.rules.find((r) => r.id === rule.id);
    if (!old) other.push(`Rule added: ${rule.title}`);
    else if (json(old) !== json(rule)) other.push(`Rule changed: ${rule.title}`);
  }
  for (const rule of pa.rules) if (!pb.rules.some((r) => r.id === rule.id)) other.push(`Rule removed: ${rule.title}`);

  return {
    before: { id: a.fill.plain(pa.document.id), version: a.fill.plain(pa.document.version) },
    after: {
      id: b.fill.plain(pb.document.id),
      version: b.fill.plain(pb.document.version),
      effective: b.fill.plain(pb.document.effective),
      recorded: pb.document.revisions.some((r) => b.fill.plain(r.version) === b.fill.plain(pb.document.version)),
    },
    addedSteps,
    removedSteps,
    changedSteps,
    other,
  };
}

export function hasChanges(diff: PlaybookDiff): boolean {
  return diff.addedSteps.length + diff.removedSteps.length + diff.changedSteps.length + diff.other.length > 0;
}

/** One sentence per kind of change, for the revision history's "changes". */
export function revisionChanges(diff: PlaybookDiff): string {
  const parts: string[] = [];
  const list = (items: readonly StepSummary[]) => items.map((s) => `${s.number} ${s.title}`).join("; ");
  if (diff.addedSteps.length > 0) parts.push(`Added ${list(diff.addedSteps)}.`);
  if (diff.removedSteps.length > 0) parts.push(`Removed ${list(diff.removedSteps)}.`);
  for (const step of diff.changedSteps) {
    const fields = step.changes.filter((c) =>
      ["owner", "deadline", "checkpoint", "decision", "applies when", "title", "phase"].includes(c.field),
    );
    if (fields.length === 0) parts.push(`Revised ${step.number} ${step.title}.`);
    else parts.push(`${step.number} ${step.title}: ${fields.map((c) => `${c.field} ${c.before} → ${c.after}`).join("; ")}.`);
  }
  parts.push(...diff.other.map((o) => `${o}.`));
  return parts.length > 0 ? parts.join(" ") : "No change to the procedure.";
}

/** The entry to add to `document.revisions`, as YAML. */
export function revisionEntryYaml(diff: PlaybookDiff, author?: string): string {
  const quote = (s: string) => JSON.stringify(s);
  return [
    `- version: ${quote(diff.after.version)}`,
    `  date: ${quote(diff.after.effective)}`,
    ...(author ? [`  author: ${quote(author)}`] : []),
    `  changes: ${quote(revisionChanges(diff))}`,
  ].join("\n");
}

/** The diff as text (or Markdown) for people. */
export function diffText(diff: PlaybookDiff, markdown = false, author?: string): string {
  const h = (title: string) => (markdown ? `\n### ${title}\n` : `\n${title}`);
  const item = (mark: string, text: string) => (markdown ? `- ${text}` : `  ${mark} ${text}`);
  const lines = [
    markdown
      ? `## ${diff.before.id} ${diff.before.version} → ${diff.after.id} ${diff.after.version}`
      : `${diff.before.id} ${diff.before.version} → ${diff.after.id} ${diff.after.version}`,
  ];
  if (diff.addedSteps.length > 0) {
    lines.push(h(`Steps added (${diff.addedSteps.length})`));
    for (const s of diff.addedSteps) lines.push(item("+", `${s.number} ${s.title} — ${s.owner}, ${s.deadline}`));
  }
  if (diff.removedSteps.length > 0) {
    lines.push(h(`Steps removed (${diff.removedSteps.length})`));
    for (const s of diff.removedSteps) lines.push(item("-", `${s.number} ${s.title} — ${s.owner}`));
  }
  if (diff.changedSteps.length > 0) {
    lines.push(h(`Steps changed (${diff.changedSteps.length})`));
    for (const s of diff.changedSteps) {
      lines.push(item("~", `${s.number} ${s.title}`));
      for (const c of s.changes)
        lines.push(markdown ? `  - ${c.field}: ${c.before} → ${c.after}` : `      ${c.field}: ${c.before} → ${c.after}`);
    }
  }
  if (diff.other.length > 0) {
    lines.push(h("Other changes"));
    for (const o of diff.other) lines.push(item("*", o));
  }
  if (!hasChanges(diff)) lines.push("", "No differences in the procedure.");
  // The entry is only worth suggesting for a version that has none yet; a change under the same
  // version is refused on upload, so that is said first.
  if (hasChanges(diff) && diff.before.version === diff.after.version)
    lines.push(
      "",
      `The new file keeps version ${diff.after.version}: raise document.version (and its effective and review dates), then add the revision entry for it; a change under a published version is refused.`,
    );
  else if (diff.after.recorded) lines.push("", `document.revisions already has an entry for version ${diff.after.version}.`);
  else
    lines.push(
      h("Revision history entry (add it under document.revisions)"),
      markdown ? "```yaml" : "",
      revisionEntryYaml(diff, author),
      markdown ? "```" : "",
    );
  return lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd();
}
