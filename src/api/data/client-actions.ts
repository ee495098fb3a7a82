// Telling the team what a client did (issue 14 item 9). Every client action in the portal (an
// approval or rejection, a ticked item, a form, a completed step, a survey answer, a message, a
// file) becomes notify effects for the project's internal roles that someone holds: in the app
// always, and by email or in the team's chat for the people who asked for it in their
// notification preferences. The effects go to the outbox in the same transaction as the action,
// under keys derived from it, so a refused action tells nobody and a replay tells nobody twice.

import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Command, ProjectState } from "../../engine/types.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
import type { OutboxEffect } from "../../store/index.ts";
import type { Schema } from "../../store/schema.ts";

/** A notice before its action has a key: `channel` completes the outbox key. */
export interface Notice {
  readonly channel: "in_app" | "email" | "chat";
  readonly effect: OutboxEffect;
}

/** The notices under the action's key (a project and its version after the command, a comment's id). */
export function keyed(notices: readonly Notice[], key: string): { key: string; effect: OutboxEffect }[] {
  return notices.map((n) => ({ key: `client-action:${key}:${n.channel}`, effect: n.effect }));
}

export interface Preferences {
  readonly clientActionsEmail: boolean;
  readonly clientActionsChat: boolean;
}

export const DEFAULT_PREFERENCES: Preferences = { clientActionsEmail: false, clientActionsChat: false };

/** Text a person typed, made inert for the message template it goes into (no Liquid tags or outputs). */
export function inert(text: string): string {
  return text.replace(/[{}%]/g, (c) => (c === "{" ? "(" : c === "}" ? ")" : " percent")).slice(0, 200);
}

/** The people's preferences (defaults for those who never chose). */
export async function preferencesOf(db: Kysely<Schema>, people: readonly string[]): Promise<Map<string, Preferences>> {
  const out = new Map<string, Preferences>();
  if (people.length === 0) return out;
  const { rows } = await sql<{ person_id: string; client_actions_email: boolean; client_actions_chat: boolean }>`
    SELECT person_id, client_actions_email, client_actions_chat FROM notification_preferences
     WHERE person_id IN (${sql.join(people.map((p) => sql`${p}`))})`.execute(db);
  for (const r of rows) out.set(r.person_id, { clientActionsEmail: r.client_actions_email, clientActionsChat: r.client_actions_chat });
  return out;
}

export async function savePreferences(db: Kysely<Schema>, person: string, preferences: Preferences, now: string): Promise<void> {
  await sql`
    INSERT INTO notification_preferences (person_id, client_actions_email, client_actions_chat, updated_at)
    VALUES (${person}, ${preferences.clientActionsEmail}, ${preferences.clientActionsChat}, ${now})
    ON CONFLICT (person_id) DO UPDATE SET client_actions_email = EXCLUDED.client_actions_email,
      client_actions_chat = EXCLUDED.client_actions_chat, updated_at = EXCLUDED.updated_at`.execute(db);
}

/** The project's internal roles someone holds, and who. */
export function owningRoles(model: PlaybookModel, state: ProjectState): { role: string; person: string }[] {
  return Object.entries(state.assignments)
    .filter(([role, person]) => person && model.playbook.roles[role]?.side === "internal")
    .map(([role, person]) => ({ role, person }));
}

/** The notices of one client action: `what` is the sentence after the contact's name ("approved “UAT sign-off”"). */
export async function clientActionNotices(
  db: Kysely<Schema>,
  input: { model: PlaybookModel; state: ProjectState; contactName: string; what: string },
): Promise<Notice[]> {
  const holders = owningRoles(input.model, input.state);
  if (holders.length === 0) return [];
  const preferences = await preferencesOf(
    db,
    holders.map((h) => h.person),
  );
  const message = `${inert(input.state.client.name)}: ${inert(input.contactName)} ${input.what}`;
  const roles = holders.map((h) => h.role);
  const email = holders.filter((h) => preferences.get(h.person)?.clientActionsEmail).map((h) => h.role);
  const chat = holders.filter((h) => preferences.get(h.person)?.clientActionsChat).map((h) => h.role);
  const notices: Notice[] = [{ channel: "in_app", effect: { kind: "notify", to: roles, message, channel: "in_app" } }];
  if (email.length > 0) notices.push({ channel: "email", effect: { kind: "notify", to: email, message, channel: "email" } });
  if (chat.length > 0) notices.push({ channel: "chat", effect: { kind: "notify", to: chat, message, channel: "chat" } });
  return notices;
}

/** A name in quotes, inert. */
export const quotedText = (text: string) => `“${inert(text)}”`;
const quoted = quotedText;

/** What a portal command did, in words (null: nothing the team needs to hear of). */
export function describeClientCommand(model: PlaybookModel, command: Command): string | null {
  const stepTitle = (id: string) => quoted(model.steps.get(id)?.step.title ?? id);
  switch (command.type) {
    case "approve":
      return command.conditions
        ? `approved ${stepTitle(command.step)} with conditions: ${inert(command.conditions)}`
        : `approved ${stepTitle(command.step)}`;
    case "reject":
      return `rejected ${stepTitle(command.step)}${command.comment ? `: ${inert(command.comment)}` : ""}`;
    case "tick_checklist": {
      const def = model.steps.get(command.step)?.step;
      const index =
        def?.checklist.findIndex(
          (item, i) => (typeof item === "string" || item.id === undefined ? String(i + 1) : item.id) === command.item,
        ) ?? -1;
      const item = index >= 0 ? def?.checklist[index] : undefined;
      const label = item === undefined ? "an item" : quoted(typeof item === "string" ? item : item.text);
      return `${command.checked ? "ticked" : "unticked"} ${label} in ${stepTitle(command.step)}`;
    }
    case "submit_form":
      return `filled in the form of ${stepTitle(command.step)}`;
    case "complete_step":
      return `completed ${stepTitle(command.step)}`;
    case "answer_survey":
      return `answered the survey ${quoted(model.playbook.surveys?.[command.survey]?.title ?? "")}`;
    default:
      return null;
  }
}
