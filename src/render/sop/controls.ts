import { guessedFirstValueStep } from "../../playbook/kpi-moments.ts";

// The sections after the procedure: deliverables and templates, training, quality controls and
// checkpoints, compliance addenda, exception handling, automations, risks, KPIs, systems,
// references, revision history and the approval block.

import { isRecordedKpi, METRIC_DEFINITIONS } from "../../playbook/kpi-metrics.ts";
import { personalDataRegister } from "../../playbook/personal-data.ts";
import { kindWords } from "../../playbook/procedure-kind.ts";
import { describePeriod } from "../../playbook/retention.ts";
import { type Addendum, deliverablesOf, type EventType, type Kpi, type Rule } from "../../playbook/schema.ts";
import { describeTimeOfDay } from "../../playbook/time-expressions.ts";
import type { Block, Inline, ListItem, Rich } from "../document.ts";
import { plain, strong, text } from "../document.ts";
import type { BuildContext } from "./context.ts";
import { addendumApplies, conditionRich, phaseTitle } from "./procedure.ts";
import { actionWords, cadenceScheduleWords, capitalize, durationWords, everyWords, momentWords, triggerWords } from "./words.ts";

const cell = (value: string | undefined): Rich => plain(value && value.length > 0 ? value : "—");

function stepNumbers(ctx: BuildContext, ids: readonly string[]): string {
  const numbers = [...new Set(ids.map((id) => ctx.number(id)).filter(Boolean))];
  return numbers.length > 0 ? numbers.join(", ") : "—";
}

export function deliverablesSection(ctx: BuildContext): Block[] {
  const p = ctx.playbook;
  const entries = ctx.entries();
  const deliverables = entries.flatMap((e) => deliverablesOf(e.step).map((d) => ({ e, d })));
  const usedIn = (id: string) => {
    const steps = stepNumbers(
      ctx,
      entries.filter((e) => e.step.template === id || deliverablesOf(e.step).some((d) => d.template === id)).map((e) => e.step.id),
    );
    // A template only an automation sends (an email rule) is used there, not nowhere.
    const rules = p.rules.filter((r) => r.actions.some((a) => a.email?.template === id)).map((r) => `“${ctx.fill.plain(r.title)}”`);
    if (rules.length === 0) return steps;
    return steps === "—" ? `rule ${rules.join(", ")}` : `${steps}; rule ${rules.join(", ")}`;
  };
  const blocks: Block[] = [ctx.section("Deliverables, Templates and Forms")];
  if (deliverables.length > 0) {
    blocks.push({
      kind: "table",
      columns: [
        { title: "Deliverable", weight: 4 },
        { title: "Step", weight: 1 },
        { title: "Owner", weight: 3 },
        { title: "Template", weight: 2 },
      ],
      rows: deliverables.map(({ e, d }) => [
        ctx.t(d.title),
        plain(ctx.number(e.step.id)),
        plain(ctx.roleTitle(e.step.owner)),
        d.template ? [text(ctx.fill.plain(d.template), "code")] : cell(undefined),
      ]),
    });
  } else blocks.push({ kind: "paragraph", text: plain("No step of this procedure produces a named deliverable.") });
  const templates = Object.entries(p.templates);
  if (templates.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Templates:")] });
    blocks.push({
      kind: "table",
      columns: [
        { title: "Template", weight: 2 },
        { title: "Title", weight: 4 },
        { title: "Kind", weight: 1 },
        { title: "Used in", weight: 1 },
      ],
      rows: templates.map(([id, t]) => [[text(ctx.fill.plain(id), "code")], ctx.t(t.title), plain(capitalize(t.kind)), plain(usedIn(id))]),
    });
  }
  const forms = Object.entries(p.forms);
  if (forms.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Forms:")] });
    blocks.push({
      kind: "table",
      columns: [
        { title: "Form", weight: 4 },
        { title: "System", weight: 2 },
        { title: "Required fields", weight: 1 },
        { title: "Used in", weight: 1 },
      ],
      rows: forms.map(([id, f]) => [
        ctx.t(f.title),
        cell(f.system),
        plain(String(Object.values(f.fields).filter((x) => x.required).length)),
        plain(
          stepNumbers(
            ctx,
            entries.filter((e) => e.step.form === id).map((e) => e.step.id),
          ),
        ),
      ]),
    });
  }
  return blocks;
}

export function trainingSection(ctx: BuildContext): Block[] {
  const training = ctx.playbook.training;
  if (!training) return [];
  const entries = ctx.entries();
  const tracks = Object.entries(training.tracks).filter(([, t]) => t.when === undefined || !ctx.edition.holds || ctx.edition.holds(t.when));
  const blocks: Block[] = [ctx.section("Training")];
  if (training.pass_mark !== undefined) {
    blocks.push({
      kind: "paragraph",
      text: plain(
        `A track is passed with an assessment score of at least ${training.pass_mark}%; required tracks gate the steps that deliver them.`,
      ),
    });
  }
  blocks.push({
    kind: "table",
    columns: [
      { title: "Track", weight: 3 },
      { title: "Audience", weight: 2 },
      { title: "Hours", weight: 1, align: "center" },
      { title: "Modules", weight: 5 },
      { title: "Delivered in", weight: 1 },
    ],
    rows: tracks.map(([id, t]) => {
      const title: Inline[] = [strong(ctx.fill.plain(t.title))];
      if (!t.required) title.push(text(" (optional)"));
      if (t.when !== undefined && !ctx.edition.holds) title.push({ kind: "break" }, text("only where "), ...conditionRich(ctx, t.when));
      return [
        title,
        ctx.t(t.audience),
        cell(t.hours === undefined ? undefined : String(t.hours)),
        t.modules.flatMap((m, i): Inline[] => (i === 0 ? [...ctx.t(m)] : [{ kind: "break" }, ...ctx.t(m)])),
        plain(
          stepNumbers(
            ctx,
            entries.filter((e) => e.step.training.includes(id)).map((e) => e.step.id),
          ),
        ),
      ];
    }),
  });
  if (training.delivery.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Delivery:")] });
    blocks.push({
      kind: "list",
      style: "bullet",
      items: training.delivery
        .filter((d) => d.when === undefined || !ctx.edition.holds || ctx.edition.holds(d.when))
        .map((d) => ({
          text: [
            strong(`${ctx.fill.plain(d.title)}:`),
            text(" "),
            ...ctx.proseInline(d.description),
            ...(d.when !== undefined && !ctx.edition.holds ? [text(" (only where "), ...conditionRich(ctx, d.when), text(")")] : []),
          ],
        })),
    });
  }
  return blocks;
}

export function qualitySection(ctx: BuildContext): Block[] {
  const p = ctx.playbook;
  const blocks: Block[] = [ctx.section("Quality Controls")];
  const qc = p.quality_controls;
  if (qc && qc.in_process.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("In-Process Controls:")] });
    blocks.push({ kind: "list", style: "bullet", items: qc.in_process.map((s) => ({ text: ctx.proseInline(s) })) });
  }
  if (qc && qc.final.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Final Quality Check:")] });
    blocks.push({ kind: "list", style: "bullet", items: qc.final.map((s) => ({ text: ctx.proseInline(s) })) });
  }
  const gates = ctx.entries().filter((e) => e.step.gate);
  blocks.push({ kind: "paragraph", text: [strong("Checkpoints and sign-offs:")] });
  if (gates.length === 0) blocks.push({ kind: "paragraph", text: plain("This procedure has no sign-off checkpoints.") });
  else
    blocks.push({
      kind: "table",
      columns: [
        { title: "Step", weight: 1 },
        { title: "Checkpoint", weight: 6 },
        { title: "Signed off by", weight: 3 },
        { title: "Holds", weight: 2 },
      ],
      rows: gates.map((e) => {
        const gate = e.step.gate;
        const approvers = (gate?.approvers ?? []).map((a) => ctx.roleTitle(a)).join(gate?.rule === "any" ? " or " : ", ");
        return [
          plain(ctx.number(e.step.id)),
          ctx.t(gate?.sign_off ?? ""),
          plain(approvers),
          plain(gate?.blocks === "phase" ? "the next phase" : "the next step"),
        ];
      }),
    });
  const surveys = Object.entries(p.surveys);
  if (surveys.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Surveys:")] });
    blocks.push({
      kind: "table",
      columns: [
        { title: "Survey", weight: 3 },
        { title: "Kind", weight: 1 },
        { title: "Sent to", weight: 2 },
        { title: "Sent", weight: 3 },
        { title: "Questions", weight: 5 },
      ],
      rows: surveys.map(([, s]) => [
        ctx.t(s.title),
        plain(s.kind.toUpperCase()),
        plain(s.to.map((r) => ctx.roleTitle(r)).join(", ")),
        ctx.t(momentWords(s.send, ctx)),
        s.questions.flatMap((q, i): Inline[] => [...(i > 0 ? [{ kind: "break" } as const] : []), ...ctx.t(q.text)]),
      ]),
    });
  }
  return blocks;
}

function addendumBlocks(ctx: BuildContext, addendum: Addendum, level: 3 | undefined): Block[] {
  const blocks: Block[] = [];
  if (level) blocks.push({ kind: "heading", level, id: `addendum-${addendum.id}`, text: ctx.t(addendum.title) });
  const applies: Inline[] = [strong("Applies to:"), text(" ")];
  if (addendum.applies_when === undefined) applies.push(text("every client."));
  else if (ctx.edition.holds)
    applies.push(
      text(`${ctx.edition.client?.name ?? "this client"} (the condition holds: `),
      ...conditionRich(ctx, addendum.applies_when),
      text(")."),
    );
  else applies.push(text("clients where "), ...conditionRich(ctx, addendum.applies_when), text("."));
  blocks.push({ kind: "paragraph", text: applies });
  if (addendum.description) blocks.push(...ctx.prose(addendum.description));
  const itemTable = (title: string, items: Addendum["evidence"]): void => {
    if (items.length === 0) return;
    blocks.push({ kind: "paragraph", text: [strong(`${title}:`)] });
    blocks.push({
      kind: "table",
      columns: [
        { title: "Item", weight: 6 },
        { title: "At steps", weight: 2 },
        { title: "Owner", weight: 2 },
      ],
      rows: items.map((item) => [
        ctx.proseInline(item.text),
        plain(stepNumbers(ctx, item.at)),
        cell(item.owner ? ctx.roleTitle(item.owner) : undefined),
      ]),
    });
  };
  itemTable("Additional Documentation (evidence)", addendum.evidence);
  itemTable("Compliance Checks", addendum.checks);
  if (addendum.approvals.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Additional Approvals:")] });
    blocks.push({
      kind: "list",
      style: "bullet",
      items: addendum.approvals.map((a) => ({ text: [strong(`${ctx.roleTitle(a.role)}:`), text(" "), ...ctx.proseInline(a.text)] })),
    });
  }
  if (addendum.package.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Evidence Package"), text(" (compiled and provided to the client):")] });
    blocks.push({ kind: "list", style: "bullet", items: addendum.package.map((s) => ({ text: ctx.proseInline(s) })) });
  }
  const steps = ctx.entries().filter((e) => e.step.compliance === addendum.id);
  if (steps.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Steps of this addendum:")] });
    blocks.push({ kind: "list", style: "bullet", items: steps.map((e) => ({ text: plain(ctx.stepRef(e.step.id)) })) });
  }
  return blocks;
}

const RETENTION_ANCHOR_WORDS: Readonly<Record<string, string>> = {
  relationship_end: "the business relationship with the client ends",
  project_closed: "the project is closed",
};

/** "Keep all records of the onboarding for 7 years after the business relationship ends; then erase …". */
export function retentionSection(ctx: BuildContext): Block[] {
  const rules = ctx.playbook.retention;
  if (rules.length === 0) return [];
  const noun = kindWords(ctx.playbook).noun;
  return [
    ctx.section("Records and Retention"),
    {
      kind: "table",
      columns: [
        { title: "Records", weight: 3 },
        { title: "Kept for", weight: 3 },
        { title: "Then", weight: 2 },
        { title: "Basis", weight: 3 },
      ],
      rows: rules.map((r) => [
        r.records.length > 0 ? plain(r.records.join("; ")) : plain(`All records of the ${noun}`),
        plain(`${describePeriod(r.keep)} after ${RETENTION_ANCHOR_WORDS[r.after] ?? r.after}`),
        plain(r.at_end === "review" ? "Reviewed for disposal" : "Personal data erased; the non-personal history is kept"),
        r.basis ? ctx.proseInline(r.basis) : plain("—"),
      ]),
    },
  ];
}

/** A table field's personal columns by their labels: "Full name, Email". */
function columnLabels(ctx: BuildContext, f: { form: string; field: string; columns: readonly string[] }): string {
  const columns = ctx.playbook.forms[f.form]?.fields[f.field]?.fields ?? {};
  return f.columns.map((id) => columns[id]?.label ?? id).join(", ");
}

/**
 * The playbook's part of the register of personal data (GDPR Art. 30): each personal form field, why
 * it is collected and how long it is kept. Shown when the procedure collects personal data or has a
 * GDPR addendum (then it says that the forms collect none).
 */
export function personalDataSection(ctx: BuildContext): Block[] {
  const fields = personalDataRegister(ctx.playbook);
  const gdpr = ctx.playbook.compliance.some((a) => a.framework === "gdpr" && addendumApplies(ctx, a.applies_when));
  if (fields.length === 0 && !gdpr) return [];
  const noun = kindWords(ctx.playbook).noun;
  const blocks: Block[] = [
    ctx.section("Personal Data Register"),
    {
      kind: "paragraph",
      text: plain(
        fields.length > 0
          ? `The personal data the forms of this ${noun} collect, why, and how long it is kept. Onboard also holds the client contacts' names, email addresses and job titles, their portal sign-ins, comments, files, the mail sent to them, notifications and survey answers (the product's register lists them). Every item is exported on an access request and erased on erasure.`
          : `The forms of this ${noun} collect no personal data. Onboard holds the client contacts' names, email addresses and job titles, their portal sign-ins, comments, files, the mail sent to them, notifications and survey answers (the product's register lists them).`,
      ),
    },
  ];
  if (fields.length === 0) return blocks;
  blocks.push({
    kind: "table",
    columns: [
      { title: "Form", weight: 2 },
      { title: "Field", weight: 3 },
      { title: "Purpose", weight: 3 },
      { title: "Retention", weight: 3 },
    ],
    rows: fields.map((f) => [
      ctx.t(f.formTitle),
      f.columns.length > 0 ? [...ctx.t(f.label), text(": "), ...ctx.t(columnLabels(ctx, f))] : ctx.t(f.label),
      ctx.t(f.purpose),
      plain(f.retention.length > 0 ? f.retention.join("; ") : "Not set by this procedure"),
    ]),
  });
  return blocks;
}

export function complianceSection(ctx: BuildContext): Block[] {
  const addenda = ctx.playbook.compliance.filter((a) => addendumApplies(ctx, a.applies_when));
  const [only] = addenda;
  if (!only) return [];
  if (addenda.length === 1) return [ctx.section(ctx.fill.plain(only.title)), ...addendumBlocks(ctx, only, undefined)];
  return [ctx.section("Compliance Addenda"), ...addenda.flatMap((a) => addendumBlocks(ctx, a, 3))];
}

const STILL_NOT: Partial<Record<EventType, string>> = {
  "issue.resolved": "the issue is still unresolved",
  "step.completed": "the step is still not completed",
  "gate.approved": "the checkpoint is still not signed off",
  "form.submitted": "the form is still not submitted",
  "survey.answered": "the survey is still unanswered",
  "training.completed": "the training is still not completed",
  "project.go_live": "the client has still not gone live",
  "project.completed": "the {noun} is still not completed",
};

/** "3 PM in the client's time zone", or in the rule owner's ("9 AM in the Customer Success Manager's time zone"). */
function atWords(ctx: BuildContext, rule: Rule): string {
  if (!rule.at) return "";
  const words = describeTimeOfDay(rule.at);
  return rule.at.zone === "owner" && rule.owner ? words.replace("the owner's", `the ${ctx.roleTitle(rule.owner)}'s`) : words;
}

/** A rule as an IF/THEN item, seed 002's exception-handling style. */
export function ruleItem(ctx: BuildContext, rule: Rule): ListItem {
  const line: Inline[] = [
    strong(`${ctx.fill.plain(rule.title)}`),
    { kind: "break" },
    strong("IF"),
    text(` ${triggerWords(rule.on, rule.step, ctx)}`),
  ];
  if (rule.when !== undefined) line.push(text(" and "), ...conditionRich(ctx, rule.when));
  if (rule.after) {
    const still = rule.until ? STILL_NOT[rule.until]?.replace("{noun}", kindWords(ctx.playbook).noun) : undefined;
    const after = durationWords(rule.after);
    if (rule.until)
      line.push(text(still ? `, and ${still} after ${after}` : `, and no “${triggerWords(rule.until, undefined, ctx)}” within ${after}`));
    else line.push(text(`, after ${after}`));
  }
  if (rule.at) line.push(text(`, at ${atWords(ctx, rule)}`));
  line.push(text(":"));
  for (const action of rule.actions) {
    line.push({ kind: "break" }, text("→ "));
    if (action.when !== undefined) line.push(text("if "), ...conditionRich(ctx, action.when), text(", "));
    line.push(...ctx.t(actionWords(action, ctx)));
  }
  if (rule.repeat_every) {
    const until = rule.until ? ` until ${triggerWords(rule.until, undefined, ctx)}` : "";
    line.push({ kind: "break" }, text(`↻ Repeat ${everyWords(rule.repeat_every)}${until}.`));
  }
  if (rule.owner) line.push({ kind: "break" }, text(`Owner: ${ctx.roleTitle(rule.owner)}.`));
  if (rule.description) line.push({ kind: "break" }, ...ctx.proseInline(rule.description));
  return { text: line };
}

export function exceptionSection(ctx: BuildContext): Block[] {
  const rules = ctx.playbook.rules.filter((r) => r.category !== "automation");
  const blocks: Block[] = [ctx.section("Exception Handling")];
  const exceptions = rules.filter((r) => r.category === "exception");
  const escalations = rules.filter((r) => r.category === "escalation");
  if (exceptions.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Exceptions:")] });
    blocks.push({ kind: "list", style: "bullet", items: exceptions.map((r) => ruleItem(ctx, r)) });
  }
  if (escalations.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Escalations:")] });
    blocks.push({ kind: "list", style: "bullet", items: escalations.map((r) => ruleItem(ctx, r)) });
  }
  if (rules.length === 0) blocks.push({ kind: "paragraph", text: plain("No exception or escalation rules are defined.") });
  return blocks;
}

export function automationSection(ctx: BuildContext): Block[] {
  const rules = ctx.playbook.rules.filter((r) => r.category === "automation");
  if (rules.length === 0) return [];
  return [
    ctx.section("Automations"),
    {
      kind: "paragraph",
      text: plain("Onboard carries out these rules itself; they are listed so that people know what happens without them."),
    },
    { kind: "list", style: "bullet", items: rules.map((r) => ruleItem(ctx, r)) },
  ];
}

const LEVEL: Readonly<Record<"low" | "medium" | "high", string>> = { low: "🟢 Low", medium: "🟡 Medium", high: "🔴 High" };

export function riskSection(ctx: BuildContext): Block[] {
  const risks = ctx.playbook.risks;
  if (risks.length === 0) return [];
  return [
    ctx.section("Risk Register"),
    {
      kind: "table",
      columns: [
        { title: "Risk", weight: 3 },
        { title: "Impact", weight: 1 },
        { title: "Probability", weight: 1 },
        { title: "Mitigation", weight: 3 },
        { title: "Owner", weight: 2 },
        { title: "Controls", weight: 5 },
      ],
      rows: risks.map((r) => [
        ctx.t(r.risk),
        plain(LEVEL[r.impact]),
        plain(LEVEL[r.probability]),
        ctx.proseInline(r.mitigation),
        cell(r.owner ? ctx.roleTitle(r.owner) : undefined),
        r.controls.length === 0
          ? cell(undefined)
          : r.controls.flatMap((c, i): Inline[] => [...(i > 0 ? [{ kind: "break" } as const] : []), ...ctx.proseInline(c)]),
      ]),
    },
  ];
}

const FREQUENCY: Readonly<Record<Kpi["frequency"], string>> = {
  per_project: "Per {noun}",
  per_interaction: "Per interaction",
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
  quarterly: "Quarterly",
  annually: "Annually",
};

/** "<= 60 days" as "≤ 60 days". */
export function targetWords(target: string): string {
  return target
    .replace(/^<=/, "≤")
    .replace(/^>=/, "≥")
    .replace(/^(<|>|=)\s*/, "$1 ")
    .replace(/^(≤|≥)\s*/, "$1 ");
}

function momentWordsOf(ctx: BuildContext, moment: { step: string } | { fact: string }): string {
  if ("step" in moment) return `the completion of step ${ctx.stepRef(moment.step)}`;
  return `the date in "${ctx.playbook.facts[moment.fact]?.label ?? moment.fact}"`;
}

/**
 * How a KPI the playbook defines precisely is measured, in words: days to a step (with its edge
 * rules), the moment of first value, a value a person records. Undefined for the other built-in
 * measures, which the definition column and the metrics reference describe.
 */
export function kpiMeasureWords(ctx: BuildContext, kpi: Kpi): string | undefined {
  if (kpi.metric === "time_to_step" && kpi.to) {
    const from = kpi.from ? momentWordsOf(ctx, kpi.from) : "the start of the onboarding";
    const days = kpi.days === "business" ? "business days (on the client's business calendar)" : "calendar days";
    const steps = [kpi.to.step, ...(kpi.from && "step" in kpi.from ? [kpi.from.step] : [])];
    return (
      `Measured per client: ${days} from ${from} to ${momentWordsOf(ctx, kpi.to)}, time on hold included; the median is reported. ` +
      `Clients for whom step ${steps.map((s) => ctx.stepRef(s)).join(" or ")} was skipped or does not apply are left out of the figure.`
    );
  }
  if (kpi.metric === "time_to_first_value") {
    if (kpi.first_value) return `Measured per client: days from the start to ${momentWordsOf(ctx, kpi.first_value)}, less time on hold.`;
    const guessed = guessedFirstValueStep(ctx.playbook);
    return guessed
      ? `Measured per client: days from the start to the completion of step ${ctx.stepRef(guessed)}, else to go-live, less time on hold.`
      : "Measured per client: days from the start to go-live, less time on hold.";
  }
  if (kpi.metric !== "manual" && kpi.source !== "manual" && isRecordedKpi(kpi) && !kpi.definition)
    return `${METRIC_DEFINITIONS[kpi.metric].formula} Recorded by a person (in the app or through the API) for a period or a client; the latest value counts.`;
  if (isRecordedKpi(kpi))
    return "Recorded by a person (in the app or through the API) for a period or a client, with who recorded it and when; the latest value counts.";
  return formulaUnlessDefined(kpi);
}

/** A computed metric the playbook does not define in its own words: its formula. */
function formulaUnlessDefined(kpi: Kpi): string | undefined {
  return kpi.definition ? undefined : METRIC_DEFINITIONS[kpi.metric].formula;
}

export function kpiSection(ctx: BuildContext): Block[] {
  const kpis = ctx.playbook.kpis;
  const blocks: Block[] = [ctx.section("Key Performance Indicators")];
  if (kpis.length === 0) {
    blocks.push({ kind: "paragraph", text: plain("No KPIs are defined.") });
    return blocks;
  }
  blocks.push({
    kind: "table",
    columns: [
      { title: "KPI", weight: 3 },
      { title: "Target", weight: 2 },
      { title: "Frequency", weight: 2 },
      { title: "Measured", weight: 2 },
      { title: "Definition", weight: 6 },
    ],
    rows: kpis.map((k) => {
      const definition: Inline[] = k.definition ? [...ctx.proseInline(k.definition)] : [];
      const measure = kpiMeasureWords(ctx, k);
      if (measure) {
        if (definition.length > 0) definition.push({ kind: "break" });
        definition.push(text(measure));
      }
      for (const rule of k.edge_rules) {
        if (definition.length > 0) definition.push({ kind: "break" });
        definition.push(text("• "), ...ctx.proseInline(rule));
      }
      if (k.owner) {
        if (definition.length > 0) definition.push({ kind: "break" });
        definition.push(text(`Owner: ${ctx.roleTitle(k.owner)}`));
      }
      return [
        [strong(ctx.fill.plain(k.title))],
        k.target ? ctx.t(targetWords(k.target)) : plain("not set"),
        plain(FREQUENCY[k.frequency].replace("{noun}", kindWords(ctx.playbook).noun)),
        plain(isRecordedKpi(k) ? "Recorded by a person" : "Automatically, from the project log"),
        definition.length > 0 ? definition : cell(undefined),
      ];
    }),
  });
  return blocks;
}

export function systemsSection(ctx: BuildContext): Block[] {
  const systems = ctx.playbook.systems;
  if (systems.length === 0) return [];
  return [
    ctx.section("Systems"),
    {
      kind: "table",
      columns: [
        { title: "System", weight: 1 },
        { title: "Purpose", weight: 3 },
      ],
      rows: systems.map((s) => [[strong(ctx.fill.plain(s.name))], ctx.t(s.purpose)]),
    },
  ];
}

export function referencesSection(ctx: BuildContext): Block[] {
  const refs = ctx.playbook.references;
  const blocks: Block[] = [ctx.section("References")];
  if (refs.length === 0) {
    blocks.push({ kind: "paragraph", text: plain("No external references.") });
    return blocks;
  }
  blocks.push({
    kind: "list",
    style: "bullet",
    items: refs.map((r) => {
      const line: Inline[] = [text(ctx.fill.plain(r.id), "code"), text(": "), ...ctx.t(r.title)];
      if (r.url) line.push(text(" — "), { kind: "link", text: r.url, href: r.url });
      return { text: line };
    }),
  });
  return blocks;
}

export function revisionSection(ctx: BuildContext): Block[] {
  const revisions = ctx.playbook.document.revisions;
  return [
    ctx.section("Revision History"),
    {
      kind: "table",
      columns: [
        { title: "Version", weight: 1 },
        { title: "Date", weight: 1 },
        { title: "Author", weight: 2 },
        { title: "Changes", weight: 6 },
      ],
      rows:
        revisions.length === 0
          ? [[cell(undefined), cell(undefined), cell(undefined), plain("No revisions recorded.")]]
          : revisions.map((r) => [ctx.t(r.version), ctx.t(r.date), r.author ? ctx.t(r.author) : cell(undefined), ctx.t(r.changes)]),
    },
  ];
}

export function approvalSection(ctx: BuildContext): Block[] {
  const approvals = ctx.playbook.document.approvals;
  const rows =
    approvals.length > 0
      ? approvals.map((a) => [
          ctx.t(a.role),
          a.name ? ctx.t(a.name) : plain(""),
          a.title ? ctx.t(a.title) : plain(""),
          plain(""),
          a.date ? ctx.t(a.date) : plain(""),
        ])
      : [[plain("Process Owner"), plain(""), plain(ctx.fill.plain(ctx.playbook.document.owner)), plain(""), plain("")]];
  return [
    ctx.section("Approval"),
    {
      kind: "paragraph",
      text: plain(
        "By signing, the approvers confirm that this procedure is complete, correct and ready to be followed from its effective date.",
      ),
    },
    {
      kind: "table",
      style: "sign",
      columns: [
        { title: "Role", weight: 3 },
        { title: "Name", weight: 3 },
        { title: "Title", weight: 3 },
        { title: "Signature", weight: 3 },
        { title: "Date", weight: 2 },
      ],
      rows,
    },
  ];
}

/** The cadences of a phase, in words, for the job aid. */
export function cadenceLine(ctx: BuildContext, cadenceId: string): string {
  const cadence = ctx.playbook.cadences.find((c) => c.id === cadenceId);
  if (!cadence) return cadenceId;
  const phaseIndex = ctx.playbook.phases.findIndex((p) => p.id === cadence.during);
  const phase = ctx.playbook.phases[phaseIndex];
  return `${ctx.fill.plain(cadence.title)}, ${cadenceScheduleWords(cadence, ctx)}${phase ? ` during ${phaseTitle(ctx, phase, phaseIndex)}` : ""}`;
}
