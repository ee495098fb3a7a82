// What a step says in the playbook (the SOP): description, RACI, checklist, form, gate, decision.
// The API gives the published YAML source of a project's playbook version; it is read here once
// per version and cached. Only what the workspace shows is extracted, leniently: the server has
// already validated the file when it was published.

import { parse } from "yaml";
import { FIELD_TYPES, type FieldType, type ValueSpec } from "../../playbook/values.ts";

export interface ChecklistItem {
  readonly key: string;
  readonly text: string;
  readonly required: boolean;
  readonly owner?: string;
  readonly visibleToClient?: boolean;
}

export interface FormField {
  readonly id: string;
  readonly label: string;
  readonly type: string;
  readonly required: boolean;
  readonly options?: readonly string[];
  readonly help?: string;
  /** The declared type and constraints, when the field comes from a playbook form (checked as typed). */
  readonly spec?: ValueSpec;
  /** Required only for some answers: the playbook's condition. */
  readonly requiredWhen?: string;
}

export interface StepDetail {
  readonly id: string;
  /** The step's kind (task, meeting, email ...). */
  readonly kind: string;
  /** The template the step uses (an email step sends it). */
  readonly template?: string;
  readonly description?: string;
  readonly instructions: readonly string[];
  readonly expectedResult?: string;
  readonly raci?: { responsible: string[]; accountable: string; consulted: string[]; informed: string[] };
  readonly checklist: readonly ChecklistItem[];
  readonly form?: { id: string; title: string; fields: readonly FormField[] };
  readonly gate?: { approvers: string[]; rule: string; signOff: string };
  readonly decision?: { question: string; branches: { label: string; next: string }[] };
  readonly visibleToClient: boolean;
  readonly due?: string;
  /** Training tracks the step needs passed before it completes. */
  readonly training: readonly string[];
  /** Dormant until a branch, an automation or a person starts it. */
  readonly onDemand: boolean;
  /** The survey sent when the step is done. */
  readonly survey?: string;
  readonly goLive: boolean;
  readonly completesProject: boolean;
}

/** A call of a procedure, which the steps it expanded into are shown under. */
export interface CallDetail {
  /** The call's id: its steps' ids start with it and a dot. */
  readonly id: string;
  readonly title: string;
  /** The procedure's title. */
  readonly procedure: string;
}

export interface PlaybookDetail {
  readonly title: string;
  readonly roles: Readonly<Record<string, { title: string; side: string }>>;
  readonly phases: readonly { id: string; title: string; window?: string }[];
  readonly steps: ReadonlyMap<string, StepDetail>;
  /** For each step of a call (nested calls' included): the top-level call it belongs to. */
  readonly calls: ReadonlyMap<string, CallDetail>;
  readonly kpis: readonly { id: string; title: string; target?: string }[];
  /** Training tracks by id: their titles; and the pass mark (percent). */
  readonly trainingTracks: Readonly<Record<string, string>>;
  readonly passMark: number;
  readonly surveys: Readonly<Record<string, string>>;
  /** The client facts' labels by id, where the playbook gives one. */
  readonly factLabels: Readonly<Record<string, string>>;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Raw => (v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : {});

export function readPlaybook(source: string): PlaybookDetail {
  const doc = obj(parse(source));
  const forms = obj(doc.forms);
  const roles: Record<string, { title: string; side: string }> = {};
  for (const [id, role] of Object.entries(obj(doc.roles)))
    roles[id] = { title: str(obj(role).title) ?? id, side: str(obj(role).side) ?? "internal" };
  const steps = new Map<string, StepDetail>();
  const calls = new Map<string, CallDetail>();
  const phases: { id: string; title: string; window?: string }[] = [];
  const procedures = new Map(list(doc.procedures).map((p) => [str(obj(p).id) ?? "", obj(p)]));
  // A call's steps are the procedure's, as the server expands them: ids "<call>.<step>", and the
  // procedure's own forms per call ("<call>__<form>").
  const addSteps = (items: unknown[], prefix: string, key: string, localForms: Raw, call: CallDetail | undefined, stack: string[]) => {
    for (const stepRaw of items) {
      const s = obj(stepRaw);
      const localId = str(s.id);
      if (!localId) continue;
      const id = prefix + localId;
      const called = str(s.call);
      if (called !== undefined) {
        const procedure = procedures.get(called);
        if (!procedure || stack.includes(called)) continue;
        const title = str(s.title) ?? str(procedure.title) ?? called;
        addSteps(
          list(procedure.steps),
          `${id}.`,
          key === "" ? localId : `${key}__${localId}`,
          obj(procedure.forms),
          call ?? { id, title, procedure: str(procedure.title) ?? called },
          [...stack, called],
        );
        continue;
      }
      if (call) calls.set(id, call);
      const checklist = list(s.checklist).map((item, i): ChecklistItem => {
        if (typeof item === "string") return { key: String(i + 1), text: item, required: true };
        const o = obj(item);
        const owner = str(o.owner);
        return {
          key: str(o.id) ?? String(i + 1),
          text: str(o.text) ?? "",
          required: o.required !== false,
          ...(owner ? { owner } : {}),
          ...(typeof o.visible_to_client === "boolean" ? { visibleToClient: o.visible_to_client } : {}),
        };
      });
      const writtenForm = str(s.form);
      const local = writtenForm !== undefined && writtenForm in localForms;
      const formId = writtenForm !== undefined && local ? `${key}__${writtenForm}` : writtenForm;
      const formRaw = writtenForm ? obj(local ? localForms[writtenForm] : forms[writtenForm]) : undefined;
      const raci = s.raci ? obj(s.raci) : undefined;
      const gate = s.gate ? obj(s.gate) : undefined;
      const decision = s.decision ? obj(s.decision) : undefined;
      const template = str(s.template);
      steps.set(id, {
        id,
        kind: str(s.kind) ?? "task",
        ...(template ? { template } : {}),
        ...(str(s.description) ? { description: str(s.description) } : {}),
        instructions: list(s.instructions).map((t) => str(t) ?? ""),
        ...(str(s.expected_result) ? { expectedResult: str(s.expected_result) } : {}),
        ...(raci
          ? {
              raci: {
                responsible: list(raci.responsible).map((r) => str(r) ?? ""),
                accountable: str(raci.accountable) ?? "",
                consulted: list(raci.consulted).map((r) => str(r) ?? ""),
                informed: list(raci.informed).map((r) => str(r) ?? ""),
              },
            }
          : {}),
        checklist,
        ...(formId && formRaw
          ? {
              form: {
                id: formId,
                title: str(formRaw.title) ?? formId,
                fields: Object.entries(obj(formRaw.fields)).map(([fid, f]) => {
                  const field = obj(f);
                  const help = str(field.help);
                  const requiredWhen = str(field.required_if);
                  const spec = specFromSource(field);
                  return {
                    id: fid,
                    label: str(field.label) ?? fid,
                    type: spec.type,
                    required: field.required === true,
                    ...(spec.options ? { options: spec.options } : {}),
                    ...(help ? { help } : {}),
                    ...(requiredWhen ? { requiredWhen } : {}),
                    spec,
                  };
                }),
              },
            }
          : {}),
        ...(gate
          ? {
              gate: {
                approvers: list(gate.approvers).map((r) => str(r) ?? ""),
                rule: str(gate.rule) ?? "all",
                signOff: str(gate.sign_off) ?? "",
              },
            }
          : {}),
        ...(decision
          ? {
              decision: {
                question: str(decision.question) ?? "",
                branches: list(decision.branches).map((b) => ({ label: str(obj(b).label) ?? "", next: str(obj(b).next) ?? "" })),
              },
            }
          : {}),
        visibleToClient: s.visible_to_client === true,
        ...(str(s.due) ? { due: str(s.due) } : {}),
        training: list(s.training).map((t) => str(t) ?? ""),
        onDemand: s.on_demand === true,
        ...(str(s.survey) ? { survey: str(s.survey) } : {}),
        goLive: s.go_live === true,
        completesProject: s.completes_project === true,
      });
    }
  };
  for (const phaseRaw of list(doc.phases)) {
    const phase = obj(phaseRaw);
    const window = str(phase.window);
    phases.push({ id: str(phase.id) ?? "", title: str(phase.title) ?? "", ...(window ? { window } : {}) });
    addSteps(list(phase.steps), "", "", {}, undefined, []);
  }
  const kpis = list(doc.kpis).map((k) => {
    const o = obj(k);
    const target = str(o.target);
    return { id: str(o.id) ?? "", title: str(o.title) ?? "", ...(target ? { target } : {}) };
  });
  const training = obj(doc.training);
  const trainingTracks: Record<string, string> = {};
  for (const [id, track] of Object.entries(obj(training.tracks))) trainingTracks[id] = str(obj(track).title) ?? id;
  const surveys: Record<string, string> = {};
  for (const [id, survey] of Object.entries(obj(doc.surveys))) surveys[id] = str(obj(survey).title) ?? id;
  const factLabels: Record<string, string> = {};
  for (const [id, fact] of Object.entries(obj(doc.facts))) {
    const label = str(obj(fact).label);
    if (label) factLabels[id] = label;
  }
  const passMark = typeof training.pass_mark === "number" ? training.pass_mark : 0;
  const title = str(obj(doc.document).title) ?? str(doc.id) ?? "";
  return { title, roles, phases, steps, calls, kpis, trainingTracks, passMark, surveys, factLabels };
}

const cache = new Map<string, Promise<PlaybookDetail>>();

export function playbookDetail(id: string, version: string, fetchSource: () => Promise<string>): Promise<PlaybookDetail> {
  const key = `${id}@${version}`;
  let found = cache.get(key);
  if (!found) {
    found = fetchSource().then(readPlaybook);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

/** A version as people read it; null for an unfilled template placeholder ("{{version_number}}"). */
export function shownVersion(version: string): string | null {
  return /\{\{/.test(version) ? null : version;
}

/** Each playbook's name for a list: its title, with its id where another has the same title. */
export function playbookLabels(list: readonly { readonly id: string; readonly title: string }[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const p of list) count.set(p.title, (count.get(p.title) ?? 0) + 1);
  return new Map(list.map((p) => [p.id, (count.get(p.title) ?? 0) > 1 ? `${p.title} (${p.id})` : p.title || p.id]));
}

/** A field's declared type and constraints from the playbook's source (unknown keys and types ignored). */
function specFromSource(field: Record<string, unknown>): ValueSpec {
  const type = (FIELD_TYPES as readonly string[]).includes(String(field.type)) ? (field.type as FieldType) : "string";
  const num = (key: string) => (typeof field[key] === "number" ? { [key]: field[key] } : {});
  const text = (key: string) => (typeof field[key] === "string" ? { [key]: field[key] } : {});
  const columns = field.fields && typeof field.fields === "object" ? Object.entries(field.fields as Record<string, unknown>) : [];
  return {
    type,
    ...(Array.isArray(field.options) ? { options: field.options.map(String) } : {}),
    ...num("min"),
    ...num("max"),
    ...text("unit"),
    ...num("min_length"),
    ...num("max_length"),
    ...text("pattern"),
    ...text("pattern_hint"),
    ...num("min_items"),
    ...num("max_items"),
    ...(columns.length > 0
      ? {
          fields: Object.fromEntries(
            columns.map(([id, c]) => {
              const column = c && typeof c === "object" ? (c as Record<string, unknown>) : {};
              return [id, { ...specFromSource(column), label: String(column.label ?? id), required: column.required === true }];
            }),
          ),
        }
      : {}),
  };
}
