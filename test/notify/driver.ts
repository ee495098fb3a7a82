// A simulated team and client working a project through the store (ProjectService), as the engine's
// simulate.ts does in memory: each open step is done by the people holding its roles, then the
// scheduler ticks (runDueTicks) and the outbox dispatcher delivers with the notification handlers.
import { checklistKey } from "../../src/engine/context.ts";
import { EngineError } from "../../src/engine/errors.ts";
import { passingValue } from "../../src/engine/simulate.ts";
import { ACTIVE, type Actor, type Command } from "../../src/engine/types.ts";
import type { Playbook, Step } from "../../src/playbook/schema.ts";
import { isAppError } from "../../src/store/errors.ts";
import type { ProjectService } from "../../src/store/project-service.ts";
import { CONTACTS, TEAM } from "./support.ts";

export function actorFor(playbook: Playbook, role: string): Actor {
  if (playbook.roles[role]?.side === "client") {
    const contact = CONTACTS.find((c) => (c.roles as readonly string[]).includes(role));
    return { id: contact?.id ?? `${role}-contact`, kind: "contact", roles: [role] };
  }
  const person = TEAM.find((p) => (p.roles as readonly string[]).includes(role));
  return { id: person?.id ?? `${role}-person`, kind: "user", roles: [role] };
}

export class Driver {
  readonly refused: string[] = [];
  readonly service: ProjectService;
  readonly playbook: Playbook;
  readonly projectId: string;

  constructor(service: ProjectService, playbook: Playbook, projectId: string) {
    this.service = service;
    this.playbook = playbook;
    this.projectId = projectId;
  }

  async send(command: Command, actor: Actor, now: string): Promise<boolean> {
    try {
      await this.service.runCommand(this.projectId, { command, actor, now });
      return true;
    } catch (error) {
      if (!isAppError(error) && !(error instanceof EngineError)) throw error;
      this.refused.push(`${command.type} ${"step" in command ? command.step : ""}: ${(error as Error).message}`);
      return false;
    }
  }

  async state() {
    return (await this.service.getProject(this.projectId)).state;
  }

  /** Do one open step completely, as its owner (and its approvers, checklist owners). */
  async work(def: Step, now: string): Promise<void> {
    let step = (await this.state()).steps[def.id];
    if (!step || !ACTIVE.has(step.status)) return;
    const owner = actorFor(this.playbook, def.owner);
    if (step.status === "open") await this.send({ type: "start_step", step: def.id }, owner, now);
    for (const [i, item] of def.checklist.entries()) {
      const key = checklistKey(item, i);
      const itemOwner = typeof item === "string" || !item.owner ? def.owner : item.owner;
      if ((await this.state()).steps[def.id]?.checklist[key] !== true)
        await this.send({ type: "tick_checklist", step: def.id, item: key, checked: true }, actorFor(this.playbook, itemOwner), now);
    }
    if (def.form) {
      const form = this.playbook.forms[def.form];
      const values = Object.fromEntries(Object.entries(form?.fields ?? {}).map(([id, f]) => [id, passingValue(f, "Recorded in the test")]));
      await this.send({ type: "submit_form", step: def.id, values }, owner, now);
    }
    for (const track of def.training) await this.send({ type: "record_training", track, person: "trainee", score: 95 }, owner, now);
    for (const role of def.gate?.approvers ?? [])
      await this.send({ type: "approve", step: def.id, role, comment: "Approved" }, actorFor(this.playbook, role), now);
    step = (await this.state()).steps[def.id];
    for (const [item, done] of Object.entries(step?.items ?? {}))
      if (done === null) await this.send({ type: "complete_step", step: def.id, item }, owner, now);
    if (ACTIVE.has((await this.state()).steps[def.id]?.status ?? "done"))
      await this.send({ type: "complete_step", step: def.id }, owner, now);
  }

  /** Every step open now, in playbook order, whose wait is over. */
  async workOpen(now: string, ready: (def: Step, openedAt: string) => boolean): Promise<string[]> {
    const done: string[] = [];
    const state = await this.state();
    for (const phase of this.playbook.phases)
      for (const def of phase.steps) {
        const s = state.steps[def.id];
        if (!s || !ACTIVE.has(s.status) || !s.openedAt || !ready(def, s.openedAt)) continue;
        await this.work(def, now);
        done.push(def.id);
      }
    return done;
  }
}
