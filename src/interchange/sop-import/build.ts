// The extracted parts put together as a playbook the language loads: ids made unique,
// cross-references ("6.2") resolved, every step given an owner, decisions given a form to
// answer them in; each thing filled in that the document did not say is a finding.

import { declarePlaceholders } from "../placeholders.ts";
import { documentYaml } from "./document-yaml.ts";
import type { DraftStep } from "./draft-parts.ts";
import type { Extracted } from "./extract.ts";
import { readKpis } from "./front-matter.ts";
import { kpisYaml } from "./kpis.ts";
import { deadlineText, slug, unique } from "./phrases.ts";

type Json = Record<string, unknown>;

/** "every week", "every 2 business days" → "1 week", "2 business days". */
function everyText(phrase: string): string | undefined {
  const match = /\bevery\s+(\d+\s+)?(business\s+)?(day|week|month|hour)s?\b/i.exec(phrase);
  if (!match) return undefined;
  return `${(match[1] ?? "1 ").trim()} ${match[2] ? "business " : ""}${match[3]?.toLowerCase()}${match[1] && match[1].trim() !== "1" ? "s" : ""}`;
}

function capitalize(text: string): string {
  return `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;
}

export function buildPlaybook(x: Extracted, fileName: string, today: string): Json {
  const { findings, roles } = x;
  const control = x.control.values;
  const facts: Record<string, Json> = {};
  const steps = x.phases.flatMap((p) => p.steps);

  // Ids: unique over the playbook; numbers ("6.2") to ids for cross-references.
  const stepIds = new Set<string>();
  for (const step of steps) step.id = unique(step.id, stepIds);
  const byNumber = new Map(steps.filter((s) => s.number).map((s) => [s.number as string, s]));
  const ref = (text: string): DraftStep | undefined => {
    const number = /(\d+(?:\.\d+)+)/.exec(text)?.[1];
    return number ? byNumber.get(number) : undefined;
  };

  // Every step needs an owner: one the document did not name is a role to fill in.
  for (const step of steps) {
    if (step.owner) continue;
    step.owner = roles.ensure("Owner not stated", step.line, "internal");
    findings.add(
      step.line,
      "warning",
      `step "${step.title}" names no owner (no Owner:/Responsible: line, no RACI row); the role "Owner not stated" holds it`,
      step.id,
    );
  }

  const dateFact = (label: string): string => {
    const id = slug(label, "fact").slice(0, 40).replace(/_+$/, "");
    facts[id] ??= { type: "date", label: capitalize(label) };
    return id;
  };

  const due = (step: DraftStep): string | undefined => {
    const deadline = step.deadline;
    if (!deadline) return undefined;
    const anchor = deadline.phrase.anchor;
    let anchorText: string | undefined;
    if (anchor?.kind === "fixed") anchorText = anchor.text;
    else if (anchor?.kind === "step") {
      const found = byNumber.get(anchor.ref);
      // A step cannot be due after itself; the document meant when it opens.
      const target = found === step ? undefined : found;
      if (found === step)
        findings.add(
          deadline.line,
          "info",
          `the deadline "${deadline.text}" counts from this very step; counted from when it opens`,
          step.id,
        );
      else if (target) anchorText = anchor.point === "started" ? `${target.id}.started` : target.id;
      else
        findings.add(
          deadline.line,
          "warning",
          `the deadline "${deadline.text}" counts from step ${anchor.ref}, which the document does not have; counted from when the step opens`,
          step.id,
        );
    } else if (anchor?.kind === "date") {
      anchorText = `facts.${dateFact(anchor.label)}`;
      findings.add(
        deadline.line,
        "info",
        `the deadline "${deadline.text}" counts from "${anchor.label}": a date fact was created for it; check it or use start/go_live`,
        step.id,
      );
    }
    const text = deadlineText(deadline.phrase, anchorText);
    if (!text)
      findings.add(deadline.line, "warning", `the deadline "${deadline.text}" could not be written in the language; kept out`, step.id);
    return text;
  };

  // Decisions: the owner picks the branch in a one-field form (the document's words are not a
  // measurement); the form's answer is what the branches read, so a way back decides afresh.
  const opened = new Set<string>();
  const decisions = new Map<DraftStep, Json>();
  const forms: Record<string, Json> = {};
  const formOf = new Map<DraftStep, string>();
  for (const [index, step] of steps.entries()) {
    const decision = step.decision;
    if (!decision) continue;
    const following = steps[index + 1];
    const labels: string[] = [];
    for (const branch of decision.branches) {
      let label = branch.label.replace(/\s+/g, " ").trim() || "Yes";
      for (let n = 2; labels.includes(label); n++) label = `${branch.label} (${n})`;
      labels.push(label);
    }
    if (labels.length === 1) labels.push("Otherwise");
    const form = `${step.id}_decision`.slice(0, 60);
    forms[form] = {
      title: decision.question,
      fields: { outcome: { label: decision.question, type: "choice", options: labels, required: true } },
    };
    formOf.set(step, form);
    const branches: Json[] = labels.map((label, i) => {
      const branch = decision.branches[i];
      let next = "continue";
      if (branch) {
        const target = ref(branch.target);
        if (/\bhold\b/i.test(branch.target)) next = "hold";
        else if (/^(end|stop|close|reject|terminate)\b/i.test(branch.target)) next = "end";
        else if (target && target !== following && target.returnsTo) {
          next = target.id;
          opened.add(target.id);
        } else if (target && steps.indexOf(target) < index) {
          next = target.id;
        } else if (!target && !/^(proceed|continue|return to the step)/i.test(branch.target)) {
          findings.add(
            branch.line,
            "info",
            `"then ${branch.target}" is kept as the branch's label; the flow continues with the next step`,
            step.id,
          );
        }
      }
      // After the last step, carrying on is the end (and a loop back from it has a way out).
      if (next === "continue" && following === undefined) next = "end";
      const last = i === labels.length - 1;
      return last ? { label, otherwise: true, next } : { label, when: `forms.${form}.outcome == ${JSON.stringify(label)}`, next };
    });
    findings.add(
      decision.line,
      "warning",
      `decision "${decision.question}": the owner picks the branch in a form; where the document's criterion is something recorded, write that as when:`,
      step.id,
    );
    decisions.set(step, { question: decision.question, branches });
  }

  const stepYaml = (step: DraftStep): Json => {
    const dueText = due(step);
    const returnsTo = step.returnsTo ? byNumber.get(step.returnsTo) : undefined;
    const onDemand = opened.has(step.id) && returnsTo !== undefined;
    if (step.returnsTo && !onDemand)
      findings.add(
        step.line,
        "info",
        `step "${step.title}" is opened only when needed, but nothing the draft has opens it: it is an ordinary step`,
        step.id,
      );
    const responsible = [...new Set(step.responsible)].filter((r) => r !== step.owner);
    const raci =
      step.raci ??
      (responsible.length > 0 && step.owner
        ? { responsible: [step.owner, ...responsible], accountable: step.owner, consulted: [], informed: [] }
        : undefined);
    return {
      id: step.id,
      title: step.title,
      ...(step.kind ? { kind: step.kind } : {}),
      ...(step.description.length > 0 ? { description: step.description.join("\n\n") } : {}),
      owner: step.owner,
      ...(raci
        ? {
            raci: {
              responsible: raci.responsible,
              accountable: raci.accountable,
              ...(raci.consulted.length ? { consulted: raci.consulted } : {}),
              ...(raci.informed.length ? { informed: raci.informed } : {}),
            },
          }
        : {}),
      ...(onDemand ? { on_demand: true, next: returnsTo.id } : {}),
      ...(step.visibleToClient ? { visible_to_client: true } : {}),
      ...(dueText ? { due: dueText } : {}),
      ...(step.instructions.length > 0 ? { instructions: step.instructions } : {}),
      ...(step.expected ? { expected_result: step.expected } : {}),
      ...(step.checklist.length > 0 ? { checklist: step.checklist } : {}),
      ...(formOf.has(step) ? { form: formOf.get(step) } : {}),
      ...(decisions.has(step) ? { decision: decisions.get(step) } : {}),
    };
  };

  const cadenceYaml = (step: DraftStep, phase: string | undefined): Json => {
    const every = everyText(step.recurs ?? "");
    if (!every)
      findings.add(step.line, "warning", `"${step.recurs}" gives no interval the draft can use; every 1 week is assumed`, step.id);
    return {
      id: step.id,
      title: step.title,
      owner: step.owner,
      every: every ?? "1 week",
      ...(phase ? { during: phase } : {}),
      kind: step.kind === "meeting" ? "meeting" : "task",
      ...(step.visibleToClient === false ? { visible_to_client: false } : {}),
      ...(step.instructions.length > 0 ? { instructions: step.instructions } : {}),
    };
  };

  const phaseIds = new Set<string>();
  const cadences: Json[] = [];
  const phases: { id: string; title: string; window?: string; steps: Json[] }[] = [];
  for (const phase of x.phases) {
    const recurring = phase.steps.filter((s) => s.recurs !== undefined && s.recurs !== "");
    const once = phase.steps.filter((s) => !recurring.includes(s));
    // A section of recurring activities only ("Recurring activities") is no phase: they run throughout.
    const id = once.length > 0 ? unique(phase.id, phaseIds) : undefined;
    for (const step of recurring) cadences.push(cadenceYaml(step, id));
    if (id === undefined) continue;
    phases.push({ id, title: phase.title, ...(phase.window ? { window: phase.window } : {}), steps: once.map(stepYaml) });
  }
  if (phases.length === 0) {
    findings.add(1, "warning", "no procedure was found (no numbered steps, no step headings): the draft has one placeholder step");
    const owner = roles.ensure("Owner not stated", 1, "internal");
    phases.push({ id: "procedure", title: "Procedure", steps: [{ id: "describe_the_procedure", title: "Describe the procedure", owner }] });
  }

  const document = documentYaml(control, x.title, fileName, today, roles, findings);

  const purpose = x.purpose ?? "Not stated in the source document.";
  if (!x.purpose) findings.add(1, "warning", "the document has no Purpose section; write purpose:", "purpose");
  const scope = x.scope.length > 0 ? x.scope : ["Not stated in the source document."];
  if (x.scope.length === 0) findings.add(1, "warning", "the document has no Scope section; write scope.applies_to:", "scope");

  const roleYaml: Record<string, Json> = {};
  for (const role of roles.byTitle.values()) {
    if (role.sideGuessed)
      findings.add(role.line, "warning", `the side of role "${role.title}" was guessed (${role.side}); check side:`, `roles.${role.id}`);
    roleYaml[role.id] = {
      title: role.title,
      side: role.side,
      ...(role.responsibilities.length ? { responsibilities: role.responsibilities } : {}),
    };
  }

  const kpis = kpisYaml(readKpis(x.kpiTables), findings);

  return declarePlaceholders(
    {
      onboard: 1,
      id: slug(document.id, "imported"),
      document,
      purpose,
      scope: { applies_to: scope },
      ...(x.definitions.length > 0 ? { definitions: x.definitions } : {}),
      ...(Object.keys(facts).length > 0 ? { facts } : {}),
      roles: roleYaml,
      ...(Object.keys(forms).length > 0 ? { forms } : {}),
      phases,
      ...(cadences.length > 0 ? { cadences } : {}),
      ...(kpis.length > 0 ? { kpis } : {}),
    },
    findings,
  );
}
