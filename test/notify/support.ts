// What the notification tests share: a real SMTP server on a loopback port (smtp-server) whose
// messages are parsed with mailparser, a real HTTP server standing in for Slack, and a world with
// a published playbook, team accounts, client contacts and a Notifications service.
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { type Actor, SYSTEM } from "../../src/engine/types.ts";
import { addContact } from "../../src/notify/directory.ts";
import { mailFolderChannel } from "../../src/notify/mail-folder.ts";
import { mailStore } from "../../src/notify/mail-store.ts";
import { RecordingMailer } from "../../src/notify/mailer.ts";
import { Notifications } from "../../src/notify/notifications.ts";
import { type Chat, slackWebhook } from "../../src/notify/slack.ts";
import { notifyDb } from "../../src/notify/tables.ts";
import type { Database } from "../../src/store/database.ts";
import { upsertPerson } from "../../src/store/people.ts";
import { ProjectService } from "../../src/store/project-service.ts";

export interface SmtpTestServer {
  readonly url: string;
  readonly messages: ParsedMail[];
  /** Each message with the (simulated) time it arrived, from the clock given at start. */
  readonly arrivals: { readonly at: string; readonly mail: ParsedMail }[];
  /** Resolves when `count` messages in all have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpServer(clock: () => string = () => new Date().toISOString()): Promise<SmtpTestServer> {
  const messages: ParsedMail[] = [];
  const arrivals: { at: string; mail: ParsedMail }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          arrivals.push({ at: clock(), mail });
          for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    arrivals,
    waitFor(count, timeoutMs = 5_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${messages.length} of ${count} messages arrived`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(messages);
          },
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ChatTestServer {
  readonly url: string;
  readonly posts: { headers: IncomingMessage["headers"]; body: { text: string; blocks: Record<string, unknown>[] } }[];
  close(): Promise<void>;
}

/** A stand-in for Slack's incoming webhook: records every POST and answers "ok". */
export async function startChatServer(): Promise<ChatTestServer> {
  const posts: ChatTestServer["posts"] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      posts.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const SECRET = "a-test-secret-of-at-least-32-characters!";
export const PUBLIC_URL = "https://onboard.example.com";
export const FROM = { name: "Onboard at Acmé", address: "onboard@acme.example" };

export const TEAM = [
  { id: "u-csm", name: "Zoë Müller", email: "zoe@acme.example", roles: ["csm"] },
  { id: "u-impl", name: "Ivan Impl", email: "ivan@acme.example", roles: ["implementation_specialist"] },
  { id: "u-train", name: "Tara Trainer", email: "tara@acme.example", roles: ["training_specialist"] },
  { id: "u-support", name: "Sam Support", email: "sam@acme.example", roles: ["support_engineer"] },
  { id: "u-ae", name: "Alex Seller", email: "alex@acme.example", roles: ["sales_ae"] },
] as const;

export const CONTACTS = [
  { id: "c-pm", name: "Jürgen Groß", email: "juergen@globex.example", roles: ["client_primary_contact"] },
  { id: "c-tech", name: "Tina Tech", email: "tina@globex.example", roles: ["client_technical_contact"] },
  { id: "c-exec", name: "Erik Exec", email: "erik@globex.example", roles: ["client_executive_contact"] },
] as const;

export const CLIENT = { id: "globex", name: "Globex Ltd", timeZone: "Europe/Berlin", country: "DE" } as const;

export const MANAGER: Actor = { id: "ops", kind: "user", roles: [], manager: true };

export async function publishBuiltIn(service: ProjectService, name: string, now: string) {
  const source = await readFile(new URL(`../../playbooks/${name}.yaml`, import.meta.url), "utf8");
  return service.publishPlaybook(source, { file: `${name}.yaml`, now });
}

/** Team accounts (users + people), the client and its contacts. */
export async function seedPeople(database: Database, now: string): Promise<void> {
  const db = notifyDb(database);
  for (const person of TEAM) {
    await db
      .withTables<{
        users: { id: string; email: string; name: string; roles: string; password_hash: string; created_at: string; updated_at: string };
      }>()
      .insertInto("users")
      .values({
        id: person.id,
        email: person.email,
        name: person.name,
        roles: JSON.stringify(["csm"]),
        password_hash: "x",
        created_at: now,
        updated_at: now,
      })
      .execute();
    await upsertPerson(database.db, { id: person.id, name: person.name, roles: [...person.roles] }, now);
  }
  await db
    .insertInto("clients")
    .values({
      id: CLIENT.id,
      name: CLIENT.name,
      time_zone: CLIENT.timeZone,
      country: CLIENT.country,
      region: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  for (const contact of CONTACTS) await addContact(db, { ...contact, roles: [...contact.roles], clientId: CLIENT.id }, now);
}

export interface World {
  readonly service: ProjectService;
  readonly notifications: Notifications;
  readonly mailer: RecordingMailer;
}

/** Without smtpUrl, mail is written to `mailDir` (a new temporary folder unless given). */
export function world(database: Database, options: { smtpUrl?: string; mailDir?: string; chatUrl?: string; clock: () => string }): World {
  const service = new ProjectService(database);
  const mailer = new RecordingMailer({
    store: mailStore(notifyDb(database)),
    from: FROM,
    channel: options.smtpUrl
      ? { transport: "smtp", sender: nodemailer.createTransport(options.smtpUrl) }
      : mailFolderChannel(options.mailDir ?? mkdtempSync(join(tmpdir(), "onboard-mail-")), options.clock),
    clock: options.clock,
  });
  const chat: Chat | undefined = options.chatUrl ? slackWebhook(options.chatUrl) : undefined;
  const notifications = new Notifications({
    database,
    service,
    mailer,
    publicUrl: PUBLIC_URL,
    surveySecret: SECRET,
    chat,
    clock: options.clock,
  });
  return { service, notifications, mailer };
}

/** Assign every team role of onb-001 to its person. */
export async function assignTeam(service: ProjectService, projectId: string, now: string): Promise<void> {
  for (const person of TEAM)
    for (const role of person.roles)
      await service.runCommand(projectId, { command: { type: "assign", role, person: person.id }, actor: MANAGER, now });
}

export { SYSTEM };
