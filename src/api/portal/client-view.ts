// What a client contact sees of a project: a pure function of the playbook, the project's state,
// the contact's playbook roles and the time. Only steps the playbook shows to the client (marked
// visible, owned by a client role, or signed by one) appear, with nothing internal: no people's
// names, no internal notes, no RACI of the vendor's team, no tasks, issues or timers.

import { checklistKey } from "../../engine/context.ts";
import { ACTIVE, type Instant, type ProjectState } from "../../engine/types.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
import { kindWords } from "../../playbook/procedure-kind.ts";
import type { Step } from "../../playbook/schema.ts";
import { specOf, type ValueSpec } from "../../playbook/values.ts";
import { isOverdue } from "../data/projects.ts";

export interface ClientChecklistItem {
  readonly key: string;
  readonly text: string;
  readonly checked: boolean;
  readonly canTick: boolean;
  /** Why this contact cannot tick it, in words; null when they can. */
  readonly readOnlyReason: string | null;
}

export interface ClientFormField {
  readonly id: string;
  readonly label: string;
  readonly type: string;
  readonly required: boolean;
  readonly requiredWhen: string | null;
  readonly options: string[] | null;
  readonly help: string | null;
  readonly spec: ValueSpec;
  readonly value: unknown;
}

/** One item of a repeated step, with its own checklist, form and sign-off. */
export interface ClientItem {
  readonly id: string;
  readonly label: string;
  readonly doneAt: Instant | null;
  readonly checklist: ClientChecklistItem[];
  readonly form: ClientStep["form"];
  readonly gate: ClientStep["gate"];
  readonly canComplete: boolean;
  readonly actionNeeded: boolean;
}

export interface ClientStep {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
  readonly description: string | null;
  readonly expectedResult: string | null;
  readonly status: string;
  readonly overdue: boolean;
  readonly dueAt: Instant | null;
  readonly completedAt: Instant | null;
  /** The owning role's title, and whether it is the client's side or the vendor's. */
  readonly owner: { readonly title: string; readonly side: "client" | "vendor" };
  readonly checklist: ClientChecklistItem[];
  readonly form: { readonly id: string; readonly title: string; readonly fields: ClientFormField[]; readonly canSubmit: boolean } | null;
  readonly gate: {
    readonly signOff: string;
    readonly approvers: {
      readonly role: string;
      readonly title: string;
      readonly decision: string | null;
      readonly at: Instant | null;
      readonly conditions: string | null;
    }[];
    /** The roles this contact may sign as, now. */
    readonly canSignAs: string[];
  } | null;
  /** A repeated step's items (null: not repeated); its checklist, form and sign-off are theirs. */
  readonly items: ClientItem[] | null;
  readonly canComplete: boolean;
  /** Something here waits for this contact. */
  readonly actionNeeded: boolean;
}

export interface ClientProjectView {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly version: number;
  readonly startedAt: Instant;
  readonly goLiveAt: Instant | null;
  readonly timeZone: string;
  readonly progress: { readonly done: number; readonly total: number };
  readonly currentPhase: string | null;
  readonly phases: { readonly id: string; readonly title: string; readonly steps: ClientStep[] }[];
  /** What the contact owes, soonest due first. */
  readonly owed: { readonly step: string; readonly title: string; readonly dueAt: Instant | null; readonly overdue: boolean }[];
  readonly roles: string[];
}

export function clientSideRoles(model: PlaybookModel): Set<string> {
  return new Set(
    Object.entries(model.playbook.roles)
      .filter(([, role]) => role.side === "client")
      .map(([id]) => id),
  );
}

/** The contact's playbook roles on this project: assignments to them, and their default client-side roles. */
export function contactRolesOn(
  model: PlaybookModel,
  state: ProjectState,
  contact: { contactId: string; roles: readonly string[] },
): string[] {
  const clientRoles = clientSideRoles(model);
  const assigned = Object.entries(state.assignments)
    .filter(([role, person]) => person === contact.contactId && clientRoles.has(role))
    .map(([role]) => role);
  return [...new Set([...assigned, ...contact.roles.filter((r) => clientRoles.has(r))])].sort();
}

function clientInvolved(step: Step, clientRoles: ReadonlySet<string>): boolean {
  return (
    clientRoles.has(step.owner) ||
    (step.raci?.responsible ?? []).some((r) => clientRoles.has(r)) ||
    clientRoles.has(step.raci?.accountable ?? "") ||
    (step.gate?.approvers.some((a) => clientRoles.has(a)) ?? false)
  );
}

/**
 * Steps the playbook shows the client (marked visible, owned or signed by a client role). The
 * team's own emails are not steps of the client's plan (the client gets the mail itself), unless
 * the playbook gives them a client-facing title.
 */
function visibleToClient(step: Step, clientRoles: ReadonlySet<string>): boolean {
  if (clientInvolved(step, clientRoles)) return true;
  if (!step.visible_to_client) return false;
  return step.kind !== "email" || step.client_title !== undefined;
}

/** What the client reads: the playbook's client-facing title where it declares one. */
function clientTitle(def: { readonly title: string; readonly client_title?: string | undefined }): string {
  return def.client_title ?? def.title;
}

const HIDDEN = new Set(["not_applicable", "dormant"]);

export function clientView(model: PlaybookModel, state: ProjectState, roles: readonly string[], now: Instant): ClientProjectView {
  const clientRoles = clientSideRoles(model);
  const mine = new Set(roles);
  const titleOf = (role: string) => model.playbook.roles[role]?.title ?? role;
  const whoTicks = (role: string) => (clientRoles.has(role) ? `your ${titleOf(role)}` : "your onboarding team");
  const owed: ClientProjectView["owed"][number][] = [];
  let done = 0;
  let total = 0;
  let currentPhase: string | null = null;
  const open = state.status === "active";

  const phases = model.playbook.phases.map((phase) => {
    const steps = phase.steps.flatMap((def): ClientStep[] => {
      const step = state.steps[def.id];
      if (!step || HIDDEN.has(step.status) || !visibleToClient(def, clientRoles)) return [];
      total += 1;
      if (step.status === "done" || step.status === "skipped") done += 1;
      const active = open && ACTIVE.has(step.status);
      if (active && currentPhase === null) currentPhase = clientTitle(phase);
      const owns = mine.has(def.owner) || (def.raci?.responsible ?? []).some((r) => mine.has(r)) || mine.has(def.raci?.accountable ?? "");
      // The work of the step, or of one item of a repeated step (its own over the step's).
      const partsOf = (item?: string, itemActive = active) => {
        const work = item === undefined ? undefined : step.itemWork?.[item];
        const ticked = (key: string) => work?.checklist?.[key] ?? step.checklist[key] === true;
        const approvals = work?.approvals ? { ...step.approvals, ...work.approvals } : step.approvals;
        return stepParts(item === undefined ? {} : { ...work?.values }, ticked, approvals, itemActive);
      };
      const stepParts = (
        ownAnswers: Readonly<Record<string, unknown>>,
        ticked: (key: string) => boolean,
        approvals: ProjectState["steps"][string]["approvals"],
        active: boolean,
      ) => {
        const checklist = def.checklist.flatMap((item, index): ClientChecklistItem[] => {
          const key = checklistKey(item, index);
          const text = typeof item === "string" ? item : item.text;
          const itemOwner = typeof item === "string" ? undefined : item.owner;
          const shown = typeof item === "string" || item.visible_to_client !== false;
          if (!shown || (itemOwner !== undefined && !clientRoles.has(itemOwner) && !def.visible_to_client)) return [];
          const clients = owns || (itemOwner !== undefined && mine.has(itemOwner));
          const canTick = active && clients;
          const checked = ticked(key);
          // Say who ticks it as it stands: a box still empty is not "ticked by" anyone yet.
          const who = whoTicks(itemOwner ?? def.owner);
          const readOnlyReason = canTick
            ? null
            : step.status === "done" || step.status === "skipped"
              ? "This step is closed."
              : !active && (step.status === "open" || step.status === "in_progress")
                ? "Nothing more to do here."
                : clients
                  ? "You can tick this when the step opens."
                  : checked
                    ? `Ticked by ${who}.`
                    : `${who.charAt(0).toUpperCase()}${who.slice(1)} ticks this.`;
          return [{ key, text, checked, canTick, readOnlyReason }];
        });
        const formDef = def.form ? model.playbook.forms[def.form] : undefined;
        const values = def.form ? { ...state.forms[def.form], ...ownAnswers } : {};
        const form =
          def.form && formDef && (owns || clientRoles.has(def.owner))
            ? {
                id: def.form,
                title: formDef.title,
                canSubmit: active && owns,
                fields: Object.entries(formDef.fields).map(([id, field]) => ({
                  id,
                  label: field.label,
                  type: field.type,
                  required: field.required,
                  requiredWhen: field.required_if ?? null,
                  options: field.options ? [...field.options] : null,
                  help: field.help ?? null,
                  spec: specOf(field),
                  value: values[id] ?? null,
                })),
              }
            : null;
        const gate = def.gate
          ? {
              signOff: def.gate.sign_off,
              approvers: def.gate.approvers.map((role) => {
                const approval = approvals[role];
                return {
                  role,
                  title: titleOf(role),
                  decision: approval?.decision ?? null,
                  at: approval?.at ?? null,
                  conditions: approval?.conditions ?? null,
                };
              }),
              canSignAs: active ? def.gate.approvers.filter((role) => mine.has(role) && approvals[role]?.decision !== "approved") : [],
            }
          : null;
        return { checklist, form, gate };
      };
      const itemEntries = Object.entries(step.items ?? {});
      const items =
        itemEntries.length === 0
          ? null
          : itemEntries.map(([id, doneAt]): ClientItem => {
              const parts = partsOf(id, active && doneAt === null);
              const canComplete = active && owns && doneAt === null && !def.decision;
              return {
                id,
                label: step.itemLabels?.[id] ?? id,
                doneAt,
                ...parts,
                canComplete,
                actionNeeded:
                  (parts.gate?.canSignAs.length ?? 0) > 0 ||
                  canComplete ||
                  (parts.form?.canSubmit ?? false) ||
                  parts.checklist.some((c) => c.canTick && !c.checked),
              };
            });
      // A repeated step's checklist, form and sign-off are each item's: they show under the items.
      const { checklist, form, gate } = items ? { checklist: [], form: null, gate: null } : partsOf();
      const canComplete = active && owns && !def.gate && !def.decision && items === null;
      const actionNeeded =
        (gate?.canSignAs.length ?? 0) > 0 ||
        canComplete ||
        (form?.canSubmit ?? false) ||
        checklist.some((c) => c.canTick && !c.checked) ||
        (items ?? []).some((i) => i.actionNeeded);
      const overdue = isOverdue(step, now);
      if (actionNeeded) owed.push({ step: def.id, title: clientTitle(def), dueAt: step.dueAt ?? null, overdue });
      return [
        {
          id: def.id,
          title: clientTitle(def),
          kind: def.kind,
          description: def.description ?? null,
          expectedResult: def.expected_result ?? null,
          status: step.status,
          overdue,
          dueAt: step.dueAt ?? null,
          completedAt: step.completedAt ?? null,
          owner: { title: titleOf(def.owner), side: clientRoles.has(def.owner) ? "client" : "vendor" },
          checklist,
          form,
          gate,
          items,
          canComplete,
          actionNeeded,
        },
      ];
    });
    return { id: phase.id, title: clientTitle(phase), steps };
  });
  owed.sort((a, b) => (a.dueAt ?? "9999").localeCompare(b.dueAt ?? "9999"));
  return {
    id: state.id,
    // Never the SOP's internal name: the playbook's client-facing title, else neutral wording.
    title: model.playbook.document.client_title ?? `Your ${kindWords(model.playbook).noun}`,
    status: state.status,
    version: state.version,
    startedAt: state.startedAt,
    goLiveAt: state.goLiveAt ?? null,
    timeZone: state.calendar.timeZone,
    progress: { done, total },
    currentPhase,
    phases: phases.filter((p) => p.steps.length > 0),
    owed,
    roles: [...roles],
  };
}
