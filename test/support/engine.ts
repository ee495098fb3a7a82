// Helpers for engine tests: start a project from a playbook text and send commands as people.
import assert from "node:assert/strict";
import type { EngineContext } from "../../src/engine/context.ts";
import {
  type Actor,
  type Command,
  execute,
  type ProjectEvent,
  type ProjectState,
  type StartInput,
  startProject,
} from "../../src/engine/index.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { load } from "./fixtures.ts";

export const CLIENT = { id: "client-1", name: "Globex", timeZone: "America/New_York", country: "US" } as const;

export function modelOf(text: string): PlaybookModel {
  const result = load(text);
  assert.ok(result.model, JSON.stringify(result.diagnostics.filter((d) => d.severity === "error")));
  return result.model;
}

export function person(role: string, kind: Actor["kind"] = "user"): Actor {
  return { id: `${role}-1`, kind, roles: [role] };
}

/** A value for every fact of a playbook (the first allowed value, true, 150, ...): enough to start any project. */
export function sampleFacts(model: PlaybookModel): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(model.playbook.facts).map(([id, f]) => [
      id,
      f.type === "bool"
        ? true
        : f.type === "int"
          ? 150
          : f.type === "double"
            ? 1.5
            : f.type === "list"
              ? ["a"]
              : f.type === "date"
                ? "2026-06-01"
                : (f.values?.[0] ?? "x"),
    ]),
  );
}

export const MANAGER: Actor = { id: "ops-1", kind: "user", roles: [], manager: true };

/** A project under test: keeps state and all events, sends commands, fails loudly on refusals. */
export class Run {
  ctx: EngineContext;
  state: ProjectState;
  events: ProjectEvent[];
  effects: { at: string; kind: string; effect: unknown }[] = [];

  constructor(model: PlaybookModel, now: string, input: Partial<StartInput> = {}) {
    const out = startProject(model, { projectId: "project-1", client: CLIENT, facts: {}, ...input }, now);
    this.ctx = out.ctx;
    this.state = out.state;
    this.events = [...out.events];
    for (const effect of out.effects) this.effects.push({ at: now, kind: effect.kind, effect });
  }

  send(command: Command, actor: Actor, now: string): readonly ProjectEvent[] {
    const out = execute(this.ctx, this.state, command, actor, now);
    this.state = out.state;
    this.events.push(...out.events);
    for (const effect of out.effects) this.effects.push({ at: now, kind: effect.kind, effect });
    return out.events;
  }

  types(events: readonly ProjectEvent[] = this.events): string[] {
    return events.map((e) => ("step" in e && typeof e.step === "string" ? `${e.type}:${e.step}` : e.type));
  }
}
