// Random commands from random people at random times, resolved against a project's state as they
// run so random runs go deep: shared by the engine's property tests.
import fc from "fast-check";
import { type Actor, type Command, type ProjectState, SYSTEM } from "../../src/engine/index.ts";
import { passingValue } from "../../src/engine/simulate.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import type { ValueSpec } from "../../src/playbook/values.ts";
import { MANAGER } from "./engine.ts";

export type Kind =
  | "complete"
  | "approve"
  | "reject"
  | "tick_item"
  | "form"
  | "start"
  | "skip"
  | "extend"
  | "reopen_step"
  | "hold"
  | "resume"
  | "cancel"
  | "reopen"
  | "issue"
  | "resolve"
  | "training"
  | "tick";
const KINDS: [Kind, number][] = [
  ["complete", 8],
  ["approve", 4],
  ["reject", 1],
  ["tick_item", 4],
  ["form", 3],
  ["start", 2],
  ["skip", 1],
  ["extend", 1],
  ["reopen_step", 1],
  ["hold", 1],
  ["resume", 2],
  ["cancel", 1],
  ["reopen", 2],
  ["issue", 1],
  ["resolve", 1],
  ["training", 2],
  ["tick", 5],
];

/** Abstract moves, resolved against the project's state when they run, so random runs go deep. */
export const moves = fc.array(
  fc.record({
    kind: fc.oneof(...KINDS.map(([kind, weight]) => ({ weight, arbitrary: fc.constant(kind) }))),
    pick: fc.nat(),
    who: fc.oneof(
      { weight: 8, arbitrary: fc.constant("right" as const) },
      { weight: 1, arbitrary: fc.constant("anyone" as const) },
      { weight: 1, arbitrary: fc.constant("manager" as const) },
    ),
    reason: fc.oneof({ weight: 1, arbitrary: fc.constant("") }, { weight: 4, arbitrary: fc.constant("Client asked") }),
    value: fc.nat(3),
    minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  }),
  { minLength: 20, maxLength: 120 },
);
export type Move = typeof moves extends fc.Arbitrary<(infer M)[]> ? M : never;

export function resolve(model: PlaybookModel, state: ProjectState, move: Move): { command: Command; actor: Actor } {
  const roles = Object.keys(model.playbook.roles);
  const as = (role: string): Actor => ({
    id: `${role}-1`,
    kind: model.playbook.roles[role]?.side === "client" ? "contact" : "user",
    roles: [role],
  });
  const fits = (st: PlaybookModel["order"][number]["step"]) =>
    move.kind === "approve" || move.kind === "reject"
      ? st.gate !== undefined
      : move.kind === "form"
        ? st.form !== undefined
        : move.kind === "tick_item"
          ? st.checklist.length > 0
          : true;
  const open = model.order
    .filter((e) => ["open", "in_progress"].includes(state.steps[e.step.id]?.status ?? "") && fits(e.step))
    .map((e) => e.step);
  const any = model.order.map((e) => e.step);
  const step =
    (open.length > 0 && move.who !== "anyone" ? open : any)[
      move.pick % (open.length > 0 && move.who !== "anyone" ? open.length : any.length)
    ] ?? any[0];
  if (!step) throw new Error("empty playbook");
  const randomRole = as(roles[move.pick % roles.length] ?? "x");
  const owner = move.who === "manager" ? MANAGER : move.who === "anyone" ? randomRole : as(step.owner);
  const approverRole = step.gate?.approvers[move.pick % step.gate.approvers.length];
  switch (move.kind) {
    case "complete":
      return { command: { type: "complete_step", step: step.id }, actor: owner };
    case "approve":
    case "reject": {
      const role = approverRole ?? roles[0] ?? "x";
      const actor = move.who === "right" ? as(role) : owner;
      return {
        command:
          move.kind === "approve"
            ? { type: "approve", step: step.id, role }
            : { type: "reject", step: step.id, role, comment: "Please revise" },
        actor,
      };
    }
    case "tick_item":
      return {
        command: {
          type: "tick_checklist",
          step: step.id,
          item: String((move.pick % Math.max(1, step.checklist.length)) + 1),
          checked: move.value > 0,
        },
        actor: owner,
      };
    case "form": {
      // Half the time what a careful person types, otherwise what a careless one might: the wrong
      // type, a value outside the options, an empty answer.
      const fields = model.playbook.forms[step.form ?? ""]?.fields ?? {};
      const careless = [
        (spec: ValueSpec) => passingValue(spec),
        () => "text",
        () => move.value,
        () => "HIGH",
        () => null,
        () => ["cousin"],
      ];
      const values = Object.fromEntries(
        Object.entries(fields).map(([id, f], i) => {
          const pick = move.value > 1 ? 0 : (move.pick + i) % careless.length;
          return [id, (careless[pick] ?? careless[0])?.(f)];
        }),
      );
      return { command: { type: "submit_form", step: step.id, values }, actor: owner };
    }
    case "start":
      return { command: { type: "start_step", step: step.id }, actor: owner };
    case "skip":
      return { command: { type: "skip_step", step: step.id, reason: move.reason }, actor: MANAGER };
    case "extend":
      return {
        command: { type: "extend_deadline", step: step.id, until: "2027-01-01T00:00:00.000Z", reason: move.reason },
        actor: MANAGER,
      };
    case "reopen_step":
      return { command: { type: "reopen_step", step: any[move.pick % any.length]?.id ?? step.id, reason: move.reason }, actor: MANAGER };
    case "hold":
      return { command: { type: "hold", reason: move.reason }, actor: MANAGER };
    case "resume":
      return { command: { type: "resume" }, actor: MANAGER };
    case "cancel":
      return { command: { type: "cancel", reason: move.reason }, actor: MANAGER };
    case "reopen":
      return { command: { type: "reopen", reason: move.reason }, actor: MANAGER };
    case "issue":
      return { command: { type: "open_issue", severity: move.value > 1 ? "critical" : "minor", title: "Broken" }, actor: owner };
    case "resolve":
      return { command: { type: "resolve_issue", issue: `issue-${move.value}` }, actor: owner };
    case "training": {
      const tracks = Object.keys(model.playbook.training?.tracks ?? {});
      return {
        command: {
          type: "record_training",
          track: tracks[move.pick % Math.max(1, tracks.length)] ?? "none",
          person: "p",
          score: move.value * 33,
        },
        actor: owner,
      };
    }
    case "tick":
      return { command: { type: "tick" }, actor: SYSTEM };
  }
}
