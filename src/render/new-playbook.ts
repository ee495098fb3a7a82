// `onboard sop new`: a new playbook from one of the built-in ones. The template's steps, rules and
// controls are kept; the answers rename the process, its roles and phases, drop phases, choose
// the compliance addenda (SOC 2, HIPAA, GDPR: kept, removed with their steps, or added from a
// small library) and set the KPIs. Removing steps repairs what referred to them (dependencies,
// branches, rules, compliance items), and declarations nothing uses any more are dropped, so the
// result lints clean; the caller lints it before writing it.
import { stringify } from "yaml";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Kpi } from "../playbook/schema.ts";

export const FRAMEWORKS = ["soc2", "hipaa", "gdpr"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface NewPlaybookAnswers {
  readonly name: string;
  readonly documentId?: string;
  readonly owner?: string;
  readonly purpose?: string;
  /** YYYY-MM-DD; the review date is a year later. */
  readonly effective: string;
  /** New titles for template roles, by role id. */
  readonly roleTitles?: Readonly<Record<string, string>>;
  /** One entry per template phase, in order: keep (undefined), rename and/or re-window, or drop. */
  readonly phases?: readonly ({ readonly title?: string; readonly window?: string } | "drop" | undefined)[];
  /** Phases appended after the template's, each with a starter step owned by `owner`. */
  readonly extraPhases?: readonly { readonly title: string; readonly window: string; readonly owner: string }[];
  /** The regulated frameworks the process must meet; undefined keeps the template's. */
  readonly compliance?: readonly Framework[];
  /** Replaces the template's KPIs when given. */
  readonly kpis?: readonly { readonly metric: Kpi["metric"]; readonly target: string; readonly frequency?: Kpi["frequency"] }[];
}

type Raw = Record<string, unknown>;
type RawStep = Raw & {
  id: string;
  after?: string[];
  decision?: { branches: (Raw & { next: string; detour?: string[] })[] };
  next?: string;
};
type RawPhase = Raw & { id: string; title: string; window: string; steps: RawStep[] };

export function snakeCase(value: string): string {
  const id = value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return /^[a-z]/.test(id) ? id : `p_${id || "playbook"}`;
}

const KPI_TITLES: Readonly<Record<Kpi["metric"], string>> = {
  time_to_go_live: "Time to go-live",
  time_to_first_value: "Time to first value",
  time_to_onboard: "Time to onboard",
  training_completion: "Training completion rate",
  adoption_rate: "Adoption rate",
  nps: "Net Promoter Score",
  csat: "Customer satisfaction",
  first_pass_uat_rate: "First-pass UAT success rate",
  sla_compliance: "SLA compliance",
  ticket_resolution_time: "Ticket resolution time",
  ticket_volume: "Support ticket volume",
  retention_rate: "Retention rate",
  onboarding_completion_rate: "Onboarding completion rate",
  first_delivery_success_rate: "First delivery success rate",
  on_time_milestones: "Milestones on time",
  time_to_step: "Days to a step",
  manual: "Manual measure",
};

interface LibraryAddendum {
  readonly fact: string;
  readonly label: string;
  readonly title: string;
  readonly stepTitle: string;
  readonly checks: readonly string[];
  readonly package: readonly string[];
}

/** The addenda `sop new` can add to a template that lacks them: a condition, a review step, its checks. */
const LIBRARY: Readonly<Record<Framework, LibraryAddendum>> = {
  soc2: {
    fact: "soc2_required",
    label: "SOC 2 evidence required",
    title: "SOC 2 Compliance Addendum",
    stepTitle: "SOC 2 evidence collection and controls review",
    checks: ["Access control verification", "Encryption verification", "Audit log preservation", "Evidence collected at each checkpoint"],
    package: ["Access control implementation evidence", "Encryption configuration documentation", "Audit log samples"],
  },
  hipaa: {
    fact: "hipaa_required",
    label: "HIPAA applies (protected health information)",
    title: "HIPAA Compliance Addendum",
    stepTitle: "HIPAA safeguards review and Business Associate Agreement",
    checks: [
      "Business Associate Agreement signed before any protected health information is shared",
      "Access to protected health information limited to the minimum necessary roles",
      "Audit logging of access to protected health information enabled",
      "Protected health information encrypted in transit and at rest",
    ],
    package: ["Signed Business Associate Agreement", "Access control list for protected health information"],
  },
  gdpr: {
    fact: "gdpr_applies",
    label: "GDPR applies (personal data of people in the EU)",
    title: "GDPR and Data Privacy Addendum",
    stepTitle: "GDPR data protection checks and Data Processing Agreement",
    checks: [
      "Lawful basis for processing recorded",
      "Data Processing Agreement signed by both parties before personal data is imported",
      "Privacy notice provided to the client's contacts",
      "Only the personal data onboarding needs is collected (data minimisation)",
      "Retention periods set for the personal data collected",
    ],
    package: ["Signed Data Processing Agreement", "Privacy notice", "Record of processing for this client"],
  },
};

function clone<T>(value: T): T {
  return structuredClone(value);
}

const DEADLINE_KEYS = ["due", "opens", "target"] as const;

/** Remove steps and repair everything that pointed at them. */
function pruneSteps(raw: Raw, model: PlaybookModel, removed: ReadonlySet<string>): void {
  if (removed.size === 0) return;
  // What a removed step waited for takes its place in the steps that waited for it.
  const resolve = (id: string, seen = new Set<string>()): string[] => {
    if (!removed.has(id)) return [id];
    if (seen.has(id)) return [];
    seen.add(id);
    return (model.steps.get(id)?.after ?? []).flatMap((d) => resolve(d, seen));
  };
  const phases = raw.phases as RawPhase[];
  for (const phase of phases) {
    phase.steps = phase.steps.filter((s) => !removed.has(s.id));
    for (const step of phase.steps) {
      if (step.after) step.after = [...new Set(step.after.flatMap((d) => resolve(d)))];
      for (const branch of step.decision?.branches ?? []) {
        if (removed.has(branch.next)) branch.next = "continue";
        if (branch.detour) branch.detour = branch.detour.filter((id) => !removed.has(id));
        if (branch.detour?.length === 0) delete branch.detour;
      }
      if (step.next && removed.has(step.next)) delete step.next;
      for (const key of DEADLINE_KEYS) {
        const text = step[key];
        if (typeof text === "string" && [...removed].some((id) => new RegExp(`\\b${id}\\b`).test(text))) {
          // "24 hours after <removed step>" becomes "24 hours" (after the step opens).
          step[key] = text.replace(/\s+(after|before|of|from)\s+.+$/i, "");
        }
      }
    }
  }
  for (const survey of Object.values((raw.surveys as Record<string, Raw> | undefined) ?? {})) {
    const send = survey.send;
    if (typeof send === "string" && [...removed].some((id) => new RegExp(`\\b${id}\\b`).test(send))) {
      survey.send = send.replace(/\s+(after|before|of|from)\s+.+$/i, " after start");
    }
  }
  raw.rules = ((raw.rules as Raw[] | undefined) ?? [])
    .filter((r) => !(typeof r.step === "string" && removed.has(r.step)))
    .map((r) => ({
      ...r,
      actions: (r.actions as Raw[]).filter((a) => !(a.activate && removed.has((a.activate as { step: string }).step))),
    }))
    .filter((r) => (r.actions as Raw[]).length > 0);
  for (const addendum of (raw.compliance as Raw[] | undefined) ?? []) {
    for (const list of ["evidence", "checks"] as const) {
      const items = addendum[list] as (Raw & { at?: string[] })[] | undefined;
      if (!items) continue;
      addendum[list] = items
        .map((item) => ({ ...item, at: (item.at ?? []).filter((id) => !removed.has(id)) }))
        .filter((item) => item.at.length > 0);
    }
  }
}

/** Drop roles, forms and parameters nothing refers to any more (the linter warns about them). */
function dropUnused(raw: Raw): void {
  for (let round = 0; round < 3; round++) {
    const roles = (raw.roles as Record<string, Raw>) ?? {};
    const rest = JSON.stringify({ ...raw, roles: undefined, parameters: undefined, forms: undefined, facts: undefined });
    for (const id of Object.keys(roles)) if (!rest.includes(`"${id}"`)) delete roles[id];
    const forms = (raw.forms as Record<string, Raw> | undefined) ?? {};
    for (const id of Object.keys(forms)) if (!rest.includes(`"${id}"`) && !rest.includes(`forms.${id}.`)) delete forms[id];
    const text = JSON.stringify({ ...raw, parameters: undefined });
    const parameters = (raw.parameters as Record<string, Raw> | undefined) ?? {};
    for (const id of Object.keys(parameters)) {
      if (!new RegExp(`\\{\\{\\s*${id}\\s*\\}\\}|params\\.${id}\\b`).test(text)) delete parameters[id];
    }
  }
}

function addYear(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const next = new Date(Date.UTC((y ?? 2026) + 1, (m ?? 1) - 1, d ?? 1));
  return next.toISOString().slice(0, 10);
}

/** The role that owns most steps: the natural owner of added steps. */
function busiestRole(raw: Raw): string {
  const counts = new Map<string, number>();
  for (const phase of raw.phases as RawPhase[])
    for (const step of phase.steps) counts.set(step.owner as string, (counts.get(step.owner as string) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? Object.keys(raw.roles as Raw)[0] ?? "owner";
}

/**
 * The new playbook's YAML. `template` is the template's parsed YAML (as written, before defaults),
 * `model` its loaded model (for the dependencies of steps that are removed).
 */
export function newPlaybook(template: Raw, model: PlaybookModel, answers: NewPlaybookAnswers): string {
  const raw = clone(template);
  const name = answers.name.trim();
  const document = raw.document as Raw;
  const templateRef = `${String(document.id)} ${String(document.title)} ${String(document.version)}`;
  raw.id = snakeCase(name);
  document.id = answers.documentId ?? `SOP-${snakeCase(name).toUpperCase().replace(/_/g, "-").slice(0, 24)}`;
  document.title = name;
  document.version = "0.1";
  document.status = "draft";
  if (answers.owner) document.owner = answers.owner;
  document.effective = answers.effective;
  document.review = addYear(answers.effective);
  delete document.last_review;
  document.revisions = [{ version: "0.1", date: answers.effective, changes: `Drafted with onboard sop new from ${templateRef}.` }];
  if (answers.purpose) raw.purpose = answers.purpose;

  const roles = raw.roles as Record<string, Raw>;
  for (const [id, title] of Object.entries(answers.roleTitles ?? {})) {
    if (!roles[id]) throw new Error(`the template has no role "${id}" (it has ${Object.keys(roles).join(", ")})`);
    roles[id].title = title;
  }

  const phases = raw.phases as RawPhase[];
  const removed = new Set<string>();
  const droppedPhases = new Set<string>();
  (answers.phases ?? []).forEach((change, i) => {
    const phase = phases[i];
    if (!phase || change === undefined) return;
    if (change === "drop") {
      droppedPhases.add(phase.id);
      for (const s of phase.steps) removed.add(s.id);
      return;
    }
    if (change.title) phase.title = change.title;
    if (change.window) phase.window = change.window;
  });

  const wanted = answers.compliance;
  const addenda = (raw.compliance as (Raw & { id: string; framework: string })[] | undefined) ?? [];
  if (wanted) {
    for (const addendum of addenda.filter(
      (a) => (FRAMEWORKS as readonly string[]).includes(a.framework) && !wanted.includes(a.framework as Framework),
    )) {
      // Steps that exist only for the addendum (conditional on it) go; steps of the main process it
      // was attached to stay, without it.
      for (const phase of phases) {
        for (const s of phase.steps) {
          if (s.compliance !== addendum.id) continue;
          if (s.when !== undefined) removed.add(s.id);
          else delete s.compliance;
        }
      }
    }
    raw.compliance = addenda.filter(
      (a) => !(FRAMEWORKS as readonly string[]).includes(a.framework) || wanted.includes(a.framework as Framework),
    );
  }
  pruneSteps(raw, model, removed);
  raw.phases = phases.filter((p) => !droppedPhases.has(p.id) && p.steps.length > 0);
  raw.cadences = ((raw.cadences as Raw[] | undefined) ?? []).filter((c) => !(typeof c.during === "string" && droppedPhases.has(c.during)));

  const owner = busiestRole(raw);
  if (wanted) {
    const present = new Set(((raw.compliance as Raw[]) ?? []).map((a) => a.framework));
    const first = (raw.phases as RawPhase[])[0];
    for (const framework of wanted.filter((f) => !present.has(f))) {
      const lib = LIBRARY[framework];
      const facts = ((raw.facts as Record<string, Raw> | undefined) ?? {}) as Record<string, Raw>;
      facts[lib.fact] = { type: "bool", label: lib.label, default: false, source: "handoff" };
      raw.facts = facts;
      const stepId = `${framework}_compliance_review`;
      first?.steps.push({
        id: stepId,
        title: lib.stepTitle,
        kind: "review",
        owner,
        when: `facts.${lib.fact}`,
        compliance: framework,
        after: [],
        checklist: [...lib.checks],
        expected_result: `Every ${lib.title} check is met and its evidence filed.`,
      });
      (raw.compliance as Raw[]).push({
        id: framework,
        title: lib.title,
        framework,
        applies_when: `facts.${lib.fact}`,
        checks: lib.checks.map((text, i) => ({ id: `${framework}_check_${i + 1}`, text, at: [stepId], owner })),
        package: [...lib.package],
      });
    }
  }

  for (const extra of answers.extraPhases ?? []) {
    const id = snakeCase(extra.title);
    if (!roles[extra.owner])
      throw new Error(`no role "${extra.owner}" to own the phase "${extra.title}" (roles: ${Object.keys(roles).join(", ")})`);
    (raw.phases as RawPhase[]).push({
      id,
      title: extra.title,
      window: extra.window,
      steps: [
        { id: `${id}_complete`, title: `Complete ${extra.title}`, owner: extra.owner, expected_result: `${extra.title} is complete.` },
      ],
    });
  }

  if (answers.kpis && answers.kpis.length > 0) {
    raw.kpis = answers.kpis.map((k) => ({
      id: k.metric,
      title: KPI_TITLES[k.metric],
      metric: k.metric,
      target: k.target,
      frequency: k.frequency ?? "per_project",
    }));
  }
  dropUnused(raw);
  const header = [
    `# ${name}: drafted with \`onboard sop new\` from ${templateRef}.`,
    "# Review every step, owner and deadline against how your team works, then set status: approved.",
  ].join("\n");
  return `${header}\n${stringify(raw, { lineWidth: 120 })}`;
}
