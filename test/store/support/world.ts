// What the store tests share: fixed instants (never the wall clock), actors, and projects started
// from the minimal fixture playbook.
import type { Actor } from "../../../src/engine/types.ts";
import type { Database } from "../../../src/store/database.ts";
import { ProjectService, type StartRequest } from "../../../src/store/project-service.ts";
import { MINIMAL } from "../../support/fixtures.ts";

/** Monday 2 March 2026, 09:00 UTC. */
export const T0 = "2026-03-02T09:00:00.000Z";

export function hoursAfter(hours: number, from = T0): string {
  return new Date(Date.parse(from) + hours * 3_600_000).toISOString();
}

export const OPS: Actor = { id: "ops-1", kind: "user", roles: [], manager: true };
export const CSM: Actor = { id: "csm-1", kind: "user", roles: ["csm"] };
export const CLIENT: Actor = { id: "contact-1", kind: "contact", roles: ["client_primary"] };

export const CLIENT_INPUT = { id: "client-1", name: "Globex", timeZone: "Europe/Berlin", country: "DE" } as const;

export function startInput(
  projectId: string,
  extra: Partial<StartRequest["input"]> = {},
): StartRequest["input"] & { readonly projectId: string } {
  return { client: CLIENT_INPUT, facts: { user_count: 25, data_migration: false }, ...extra, projectId };
}

/** A service on `database` with the minimal playbook published. */
export async function withMinimal(database: Database) {
  const service = new ProjectService(database);
  const playbook = await service.publishPlaybook(MINIMAL, { file: "minimal.yaml", now: T0 });
  return { service, playbook };
}

/** Compare as JSON documents (jsonb drops undefined members; key order is irrelevant). */
export function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A project with a handful of events of different kinds (at least 6), as the audit tests tamper with it. */
export async function busyProject(service: ProjectService, playbook: { id: string; version: string }, projectId: string) {
  await service.startProject({ playbook, input: startInput(projectId), now: T0 });
  await service.runCommand(projectId, { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) });
  await service.runCommand(projectId, {
    command: { type: "open_issue", severity: "high", title: "Jane Doe cannot log in" },
    actor: CSM,
    now: hoursAfter(2),
  });
  await service.runCommand(projectId, {
    command: { type: "approve", step: "kickoff_call", role: "client_primary", comment: "ok" },
    actor: CLIENT,
    now: hoursAfter(3),
  });
  return service.getProject(projectId);
}
