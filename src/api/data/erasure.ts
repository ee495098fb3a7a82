// Erasing a data subject's personal data (GDPR Art. 17) from every place it lives: the adapter of
// compliance/erasure.ts. The same walk plans (a dry run: counts per place, never values) and
// erases, so the preview is what the erasure does.
//
// Places: event payloads (through redactEventIn: each rewrite is recorded in the chain, so `audit
// verify` still passes), the project's state and read models, comments, files (bytes removed),
// notifications, the mail log and the mail folder's .eml files, the outbox, webhook messages and
// CRM deliveries, survey answers, idempotent responses, the client's facts, the contacts. Every
// project is erased in one transaction (its events, state and rows together); the contacts and the
// rows outside any project in one more. Non-personal history stays: steps, dates, who on the team
// did what, ids.
//
// A client erasure erases the client's name too. Most clients are companies, whose name is not
// personal data, but a client that asks for erasure is typically a natural person (a sole trader,
// a freelancer) whose business name is their own name; and "erase this client" that left the name
// on every report would not be what the requester meant. Its projects stay, named by id.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import nodemailer from "nodemailer";
import {
  type ErasurePlan,
  type JsonPath,
  needlesOf,
  type PlacePlan,
  pathsHolding,
  personalAnswers,
  planOf,
  REDACTED,
  scrubJson,
  scrubText,
} from "../../compliance/erasure.ts";
import type { Instant } from "../../engine/types.ts";
import { redactEventIn } from "../../store/index.ts";
import type { Schema } from "../../store/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { modelOf } from "./playbooks.ts";
import { storeView } from "./tables.ts";

export type SubjectKind = "contact" | "client";

export interface ErasureRequest {
  readonly subject: { readonly kind: SubjectKind; readonly id: string };
  /** Only this project (a retention rule); default: every project of the subject's client. */
  readonly projectId?: string;
  readonly by: string;
  readonly reason: string;
  readonly now: Instant;
  readonly dryRun: boolean;
}

export interface ErasureOutcome {
  readonly plan: ErasurePlan;
  readonly subjectFound: boolean;
}

type Db = Kysely<Schema> | Transaction<Schema>;
type Row = Record<string, unknown>;

/** A table outside the event log that may hold the subject's data, and how its rows are scoped. */
interface ScrubbedTable {
  readonly table: string;
  readonly key: readonly string[];
  /** project: rows of the subject's projects; project_or_none: those and rows of no project; client; all. */
  readonly scope: "project" | "project_or_none" | "client" | "all";
  readonly place: string;
}

const PROJECT_TABLES: readonly ScrubbedTable[] = [
  { table: "projects", key: ["id"], scope: "project", place: "project state" },
  { table: "project_summaries", key: ["project_id"], scope: "project", place: "portfolio and search" },
  { table: "project_reports", key: ["project_id", "kind"], scope: "project", place: "reports" },
  { table: "open_work", key: ["project_id", "item_id"], scope: "project", place: "my tasks" },
  // The process-mining rollups name the client (they are rewritten from the scrubbed portfolio row).
  { table: "project_traces", key: ["project_id"], scope: "project", place: "process mining" },
  { table: "process_running", key: ["project_id"], scope: "project", place: "process mining" },
  { table: "comments", key: ["id"], scope: "project", place: "comments" },
  { table: "attachments", key: ["id"], scope: "project", place: "files" },
  { table: "survey_answers", key: ["token_id"], scope: "project", place: "survey answers" },
  { table: "webhook_messages", key: ["id"], scope: "project", place: "outbound webhooks" },
];

const OTHER_TABLES: readonly ScrubbedTable[] = [
  { table: "notifications", key: ["id"], scope: "project_or_none", place: "notifications" },
  { table: "mail_messages", key: ["id"], scope: "project_or_none", place: "mail" },
  { table: "outbox", key: ["id"], scope: "project_or_none", place: "outbox" },
  { table: "deliveries", key: ["outbox_id", "attempt"], scope: "all", place: "outbox" },
  { table: "webhook_deliveries", key: ["id"], scope: "all", place: "CRM deliveries" },
  { table: "idempotency_keys", key: ["scope", "key"], scope: "all", place: "stored responses" },
  { table: "clients", key: ["id"], scope: "client", place: "client" },
  // The requests stay (accountability, Art. 5(2)); a note naming the subject does not.
  { table: "data_requests", key: ["id"], scope: "all", place: "data requests" },
];

/** Columns that identify rather than describe: never rewritten. */
const IDENTIFYING = /(^id$|_id$|^key$|_key$|hash$|^kind$|^status$|^scope$|^visibility$|_kind$|^type$)/;

async function columnsOf(db: Db, table: string): Promise<Map<string, string>> {
  const rows = await sql<{ column_name: string; data_type: string }>`
    SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ${table}`.execute(db);
  return new Map(rows.rows.map((r) => [r.column_name, r.data_type]));
}

function anyNeedle(needles: readonly string[], table: string): RawBuilder<boolean> {
  const list = sql.join(needles.map((n) => sql`${n}`));
  return sql<boolean>`EXISTS (SELECT 1 FROM unnest(ARRAY[${list}]::text[]) AS n(needle)
    WHERE position(n.needle IN lower(row_to_json(${sql.table(table)})::text)) > 0)`;
}

function scopeOf(spec: ScrubbedTable, projects: readonly string[], clientId: string): RawBuilder<boolean> {
  const ids = projects.length > 0 ? sql.join(projects.map((p) => sql`${p}`)) : sql`NULL`;
  const column = spec.table === "projects" ? sql.ref("id") : sql.ref("project_id");
  switch (spec.scope) {
    case "project":
      return sql<boolean>`${column} IN (${ids})`;
    case "project_or_none":
      return sql<boolean>`(${column} IS NULL OR ${column} IN (${ids}))`;
    case "client":
      return sql<boolean>`id = ${clientId}`;
    case "all":
      return sql<boolean>`true`;
  }
}

/** Rewrites (or, dry, counts) every text and jsonb field of `spec`'s rows that holds an identifier. */
async function scrubTable(
  db: Db,
  spec: ScrubbedTable,
  projects: readonly string[],
  clientId: string,
  needles: readonly string[],
  dryRun: boolean,
  /** Rows (by id) erased whole before this scrub: a dry run must not count them twice. */
  erasedWhole: ReadonlySet<string> = new Set(),
): Promise<PlacePlan & { keys: Row[] }> {
  if (needles.length === 0) return { place: spec.place, records: 0, fields: 0, keys: [] };
  const columns = await columnsOf(db, spec.table);
  const rows =
    await sql<Row>`SELECT * FROM ${sql.table(spec.table)} WHERE ${scopeOf(spec, projects, clientId)} AND ${anyNeedle(needles, spec.table)}`.execute(
      db,
    );
  let records = 0;
  let fields = 0;
  const keys: Row[] = [];
  for (const row of rows.rows) {
    if (erasedWhole.has(String(row.id))) continue;
    const changes: [string, RawBuilder<unknown>][] = [];
    for (const [column, type] of columns) {
      if (IDENTIFYING.test(column) || spec.key.includes(column)) continue;
      const value = row[column];
      if (type === "text" && typeof value === "string") {
        const scrubbed = scrubText(value, needles);
        if (scrubbed !== value) changes.push([column, sql`${scrubbed}`]);
      } else if (type === "jsonb" && value !== null && value !== undefined) {
        const parsed = typeof value === "string" ? JSON.parse(value) : value;
        const scrubbed = scrubJson(parsed, needles);
        if (scrubbed.fields > 0) changes.push([column, sql`${JSON.stringify(scrubbed.value)}::jsonb`]);
      }
    }
    if (changes.length === 0) continue;
    records++;
    fields += changes.length;
    keys.push(Object.fromEntries(spec.key.map((k) => [k, row[k]])));
    if (dryRun) continue;
    const set = sql.join(changes.map(([column, value]) => sql`${sql.ref(column)} = ${value}`));
    const where = sql.join(
      spec.key.map((k) => sql`${sql.ref(k)} = ${row[k] as string}`),
      sql` AND `,
    );
    await sql`UPDATE ${sql.table(spec.table)} SET ${set} WHERE ${where}`.execute(db);
  }
  return { place: spec.place, records, fields, keys };
}

interface Subject {
  readonly clientId: string;
  readonly clientName: string;
  /** The contacts erased (all of the client's for a client). */
  readonly contacts: readonly { id: string; name: string; email: string; title: string | null }[];
  readonly projects: readonly { id: string; playbook_id: string; playbook_version: string }[];
}

async function subjectOf(db: Kysely<Schema>, request: ErasureRequest): Promise<Subject | undefined> {
  const api = db as unknown as Kysely<
    Schema & { contacts: { id: string; client_id: string; name: string; email: string; title: string | null } }
  >;
  let clientId: string;
  if (request.subject.kind === "contact") {
    const contact = await api.selectFrom("contacts").select("client_id").where("id", "=", request.subject.id).executeTakeFirst();
    if (!contact) return undefined;
    clientId = contact.client_id;
  } else clientId = request.subject.id;
  const client = await db.selectFrom("clients").select(["id", "name"]).where("id", "=", clientId).executeTakeFirst();
  if (!client) return undefined;
  let contactQuery = api.selectFrom("contacts").select(["id", "name", "email", "title"]).where("client_id", "=", clientId);
  if (request.subject.kind === "contact") contactQuery = contactQuery.where("id", "=", request.subject.id);
  let projectQuery = db.selectFrom("projects").select(["id", "playbook_id", "playbook_version"]).where("client_id", "=", clientId);
  if (request.projectId !== undefined) projectQuery = projectQuery.where("id", "=", request.projectId);
  return {
    clientId,
    clientName: client.name,
    contacts: await contactQuery.orderBy("id").execute(),
    projects: await projectQuery.orderBy("id").execute(),
  };
}

interface EventWork {
  readonly seq: number;
  readonly paths: JsonPath[];
}

/** Which events of a project hold the subject's data, and the fields of each. */
async function eventWork(
  db: Db,
  deps: ApiDeps,
  project: Subject["projects"][number],
  byField: (actor: string) => boolean,
  needles: readonly string[],
): Promise<{ work: EventWork[]; answers: unknown[] }> {
  const playbook = (await modelOf(deps, project.playbook_id, project.playbook_version)).playbook;
  const events = await db
    .selectFrom("events")
    .select(["seq", "type", "actor", "payload"])
    .where("project_id", "=", project.id)
    .orderBy("seq")
    .execute();
  const work: EventWork[] = [];
  const answers: unknown[] = [];
  for (const event of events) {
    if (event.type === "audit.redacted") continue;
    const paths: JsonPath[] = [];
    if (event.type === "form.submitted" && byField(event.actor)) {
      const personal = personalAnswers(playbook, event.payload);
      paths.push(...personal.paths);
      answers.push(...personal.values);
    }
    for (const path of pathsHolding(event.payload, needles)) {
      if (!paths.some((p) => path.length >= p.length && p.every((part, i) => path[i] === part))) paths.push(path);
    }
    if (paths.length > 0) work.push({ seq: event.seq, paths });
  }
  return { work, answers };
}

/** Plan or carry out the erasure of `request.subject`'s personal data. */
export async function eraseSubject(deps: ApiDeps, request: ErasureRequest): Promise<ErasureOutcome> {
  const db = storeView(deps.db);
  const subject = await subjectOf(db, request);
  const planSubject = { kind: request.subject.kind, id: request.subject.id };
  if (!subject) return { plan: planOf(planSubject, [], []), subjectFound: false };
  const wholeClient = request.subject.kind === "client";
  const contactIds = new Set(subject.contacts.map((c) => c.id));
  // A client's erasure takes every personal answer of its projects; a contact's, those they gave.
  const byField = (actor: string) => wholeClient || contactIds.has(actor);
  const identifiers: unknown[] = subject.contacts.flatMap((c) => [c.name, c.email]);
  if (wholeClient) identifiers.push(subject.clientName);
  // First pass: the personal answers in scope join the identifiers, so their copies go too.
  for (const project of subject.projects) {
    identifiers.push(...(await eventWork(db, deps, project, byField, [])).answers);
  }
  const needles = needlesOf(identifiers);
  const counts: PlacePlan[] = [];
  const attachmentKeys: { store: string | null; key: string | null }[] = [];
  const mailKeys: string[] = [];

  for (const project of subject.projects) {
    const run = async (trx: Db) => {
      const { work } = await eventWork(trx, deps, project, byField, needles);
      counts.push({ place: "events", records: work.length, fields: work.reduce((n, w) => n + w.paths.length, 0) });
      if (!request.dryRun)
        for (const w of work) {
          await redactEventIn(
            trx as Transaction<Schema>,
            { projectId: project.id, seq: w.seq, paths: w.paths, by: request.by, reason: request.reason, now: request.now },
            deps.auditKey ? { key: deps.auditKey } : {},
          );
        }
      // Comments and files the subject wrote or uploaded are theirs whole, whatever they say.
      const authored = await sql<{ id: string }>`
        SELECT id FROM comments WHERE project_id = ${project.id} AND author_kind = 'contact'
           AND (${wholeClient} OR author_id IN (${sql.join([...contactIds, ""].map((c) => sql`${c}`))}))
           AND (body <> ${REDACTED} OR author_name <> ${REDACTED})`.execute(trx);
      counts.push({ place: "comments", records: authored.rows.length, fields: authored.rows.length * 2 });
      const uploaded = await sql<{ id: string; blob_store: string | null; blob_key: string | null }>`
        SELECT id, blob_store, blob_key FROM attachments WHERE project_id = ${project.id}
           AND (${wholeClient} OR (uploaded_by_kind = 'contact' AND uploaded_by IN (${sql.join([...contactIds, ""].map((c) => sql`${c}`))})))
           AND file_name <> ${REDACTED}`.execute(trx);
      counts.push({ place: "files", records: uploaded.rows.length, fields: uploaded.rows.length });
      if (!request.dryRun) {
        for (const c of authored.rows)
          await sql`UPDATE comments SET body = ${REDACTED}, author_name = ${REDACTED} WHERE id = ${c.id}`.execute(trx);
        for (const a of uploaded.rows) {
          // The bytes go (below, after the commit); the row stays, deleted, so history keeps that a file was there.
          await sql`UPDATE attachments SET file_name = ${REDACTED}, content = NULL,
                      deleted_at = coalesce(deleted_at, ${request.now}::timestamptz), deleted_by = coalesce(deleted_by, ${request.by})
                     WHERE id = ${a.id} AND (content IS NULL OR blob_key IS NOT NULL)`.execute(trx);
          attachmentKeys.push({ store: a.blob_store, key: a.blob_key });
        }
      }
      const erasedWhole: Record<string, ReadonlySet<string>> = {
        comments: new Set(authored.rows.map((r) => r.id)),
        attachments: new Set(uploaded.rows.map((r) => r.id)),
      };
      for (const spec of PROJECT_TABLES)
        counts.push(await scrubTable(trx, spec, [project.id], subject.clientId, needles, request.dryRun, erasedWhole[spec.table]));
    };
    if (request.dryRun) await run(db);
    else await db.transaction().execute(run);
  }

  const rest = async (trx: Db) => {
    const projectIds = subject.projects.map((p) => p.id);
    for (const spec of OTHER_TABLES) {
      // A contact's erasure scrubs the client's facts (a contact's name kept there), not its name (no needle).
      // One project's retention ending erases that project's data, not the people's elsewhere:
      // they may be in other projects still running (their sign-in mail, the client's record).
      if (request.projectId !== undefined && spec.scope !== "project_or_none") continue;
      const scoped: ScrubbedTable = request.projectId !== undefined ? { ...spec, scope: "project" } : spec;
      const done = await scrubTable(trx, scoped, projectIds, subject.clientId, needles, request.dryRun);
      counts.push(done);
      if (spec.table === "mail_messages" && done.keys.length > 0) {
        const keys = await sql<{
          key: string;
        }>`SELECT key FROM mail_messages WHERE id IN (${sql.join(done.keys.map((k) => sql`${k.id as string}`))})`.execute(trx);
        mailKeys.push(...keys.rows.map((r) => r.key));
        if (!request.dryRun) for (const k of done.keys) await scrubMailAttachments(trx, String(k.id), needles);
      }
    }
    if (request.projectId !== undefined) return;
    // The contacts themselves: name and email read "[redacted]"; they leave the client's list and
    // lose their portal access (sessions, unused sign-in links).
    const live = subject.contacts.filter((c) => c.name !== REDACTED || c.email !== REDACTED || c.title !== null);
    counts.push({ place: "contacts", records: live.length, fields: live.length * 3 });
    if (wholeClient && subject.clientName !== REDACTED) counts.push({ place: "client", records: 1, fields: 1 });
    if (request.dryRun) return;
    for (const c of subject.contacts) {
      await sql`DELETE FROM contact_sessions WHERE contact_id = ${c.id}`.execute(trx);
      await sql`DELETE FROM magic_links WHERE contact_id = ${c.id}`.execute(trx);
      await sql`UPDATE contacts SET name = ${REDACTED}, email = ${REDACTED}, title = NULL, active = false,
                  removed_at = coalesce(removed_at, ${request.now}::timestamptz), erased_at = ${request.now}::timestamptz,
                  updated_at = ${request.now}::timestamptz, version = version + 1
                 WHERE id = ${c.id}`.execute(trx);
    }
    if (wholeClient)
      await sql`UPDATE clients SET name = ${REDACTED}, erased_at = ${request.now}::timestamptz, updated_at = ${request.now}::timestamptz,
                  version = version + 1 WHERE id = ${subject.clientId}`.execute(trx);
  };
  if (request.dryRun) await rest(db);
  else await db.transaction().execute(rest);

  // Outside the database, after it committed: the files' bytes, and the mail folder's copies.
  const mailFiles = await eraseMailFolder(deps, mailKeys, needles, request.dryRun);
  counts.push({ place: "mail folder", records: mailFiles, fields: mailFiles });
  if (!request.dryRun) await removeFiles(deps, attachmentKeys);
  return {
    plan: planOf(
      planSubject,
      subject.projects.map((p) => p.id),
      counts,
    ),
    subjectFound: true,
  };
}

/** A logged mail's attachments (an invitation's .ics names its attendees) are base64: scrubbed decoded. */
async function scrubMailAttachments(db: Db, id: string, needles: readonly string[]): Promise<void> {
  const row = await sql<{ attachments: unknown }>`SELECT attachments FROM mail_messages WHERE id = ${id}`.execute(db);
  const attachments = row.rows[0]?.attachments;
  if (!Array.isArray(attachments)) return;
  let changed = false;
  const scrubbed = attachments.map((a: { content?: unknown }) => {
    if (typeof a?.content !== "string") return a;
    const text = Buffer.from(a.content, "base64").toString("utf8");
    const clean = scrubText(text, needles);
    if (clean === text) return a;
    changed = true;
    return { ...a, content: Buffer.from(clean, "utf8").toString("base64") };
  });
  if (changed) await sql`UPDATE mail_messages SET attachments = ${JSON.stringify(scrubbed)}::jsonb WHERE id = ${id}`.execute(db);
}

async function removeFiles(deps: ApiDeps, files: readonly { store: string | null; key: string | null }[]): Promise<void> {
  const db = storeView(deps.db);
  for (const file of files) {
    if (file.key === null) continue;
    if (file.store === "table") {
      await db.deleteFrom("file_chunks").where("blob_key", "=", file.key).execute();
      continue;
    }
    // The folder store keeps one copy per content: it goes only when no file still shown needs it.
    const needed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM attachments
       WHERE blob_key = ${file.key} AND file_name <> ${REDACTED}`.execute(db);
    if ((needed.rows[0]?.n ?? 0) === 0) await deps.database.files.remove(file.key);
  }
}

/**
 * Each .eml of an erased mail (found by its X-Onboard-Key header) is composed again from the mail
 * log's row, already scrubbed (quoted-printable, base64 and encoded words hide text from a search
 * of the raw file, so the raw file is not trusted); any other .eml naming the subject is scrubbed
 * as text.
 */
async function eraseMailFolder(deps: ApiDeps, keys: readonly string[], needles: readonly string[], dryRun: boolean): Promise<number> {
  const directory = deps.config.notifications.mailDir;
  let names: string[];
  try {
    names = (await readdir(directory)).filter((n) => n.endsWith(".eml"));
  } catch {
    return 0;
  }
  const wanted = new Set(keys);
  let erased = 0;
  for (const name of names) {
    const path = join(directory, name);
    const raw = await readFile(path, "utf8");
    const key = /^X-Onboard-Key:\s*(.+?)\r?$/im.exec(raw)?.[1]?.trim();
    const logged = key !== undefined && wanted.has(key);
    if (!logged && scrubText(raw, needles) === raw) continue;
    erased++;
    if (dryRun) continue;
    if (!logged) {
      await writeFile(path, scrubText(raw, needles), { mode: 0o600 });
      continue;
    }
    const row = await sql<{
      from_address: string;
      recipients: unknown;
      subject: string;
      text_body: string;
      html_body: string | null;
      created_at: Date;
    }>`
      SELECT from_address, recipients, subject, text_body, html_body, created_at FROM mail_messages WHERE key = ${key}`.execute(
      storeView(deps.db),
    );
    const mail = row.rows[0];
    const messageId = /^Message-ID:\s*(.+?)\r?$/im.exec(raw)?.[1]?.trim();
    const recipients = (Array.isArray(mail?.recipients) ? mail.recipients : []) as { name?: string; address?: string }[];
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
    const info = (await composer.sendMail({
      from: mail?.from_address ?? "onboard@invalid",
      // An erased address reads "[redacted]", which is no address: the message keeps its place, not its addressee.
      to: recipients.map((r) => (r.address && r.address !== REDACTED ? r.address : "redacted@invalid")).join(", ") || "redacted@invalid",
      subject: mail?.subject ?? REDACTED,
      text: mail?.text_body ?? REDACTED,
      ...(mail?.html_body ? { html: mail.html_body } : {}),
      ...(messageId ? { messageId } : {}),
      ...(mail ? { date: new Date(mail.created_at) } : {}),
      headers: { "X-Onboard-Key": key, "X-Onboard-Erased": "personal data erased (GDPR Art. 17)" },
    })) as { message: Buffer };
    await writeFile(path, info.message, { mode: 0o600 });
  }
  return erased;
}
