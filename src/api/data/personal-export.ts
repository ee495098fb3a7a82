// What Onboard holds about one contact or one client, read for an access or portability request
// (GDPR Art. 15, 20). Secrets never leave: sign-in links and sessions are exported as times, never
// their hashes; mail as recorded (its sign-in and survey links were redacted before it was stored).
// Files are listed with a link to download them (GET /attachments/{id}), not inlined: an export
// stays small and the bytes stay behind the same authorization.

import { sql } from "kysely";
import { type ExportedAnswer, type Person, subjectsPart } from "../../compliance/export.ts";
import { ONBOARD_RECORDS } from "../../compliance/register.ts";
import { notifyDb } from "../../notify/tables.ts";
import { isPersonalField } from "../../playbook/personal-data.ts";
import { notFound } from "../../store/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { type ClientRecord, getClient } from "./clients.ts";
import { modelOf } from "./playbooks.ts";

export interface ExportedContact {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly email: string;
  readonly title: string | null;
  readonly roles: string[];
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deactivatedAt: string | null;
  readonly removedAt: string | null;
}

export interface ExportedSignIn {
  readonly kind: "link" | "session";
  readonly createdAt: string;
  readonly expiresAt: string;
  /** A link: when it was used (null: never); a session: null. */
  readonly usedAt: string | null;
}

export interface ExportedComment {
  readonly id: string;
  readonly projectId: string;
  readonly stepId: string | null;
  readonly author: string;
  readonly body: string;
  readonly visibility: string;
  readonly createdAt: string;
  readonly deletedAt: string | null;
}

export interface ExportedFile {
  readonly id: string;
  readonly projectId: string;
  readonly stepId: string | null;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly visibility: string;
  readonly uploadedBy: string;
  readonly createdAt: string;
  readonly deletedAt: string | null;
  /** Where the bytes are downloaded (admins): GET /attachments/{id}. */
  readonly download: string;
}

export interface ExportedMail {
  readonly id: string;
  readonly projectId: string | null;
  readonly to: string[];
  readonly subject: string;
  readonly textBody: string;
  readonly attachments: string[];
  readonly createdAt: string;
  readonly sentAt: string | null;
}

export interface ExportedNotification {
  readonly id: string;
  readonly projectId: string | null;
  readonly message: string;
  readonly createdAt: string;
  readonly readAt: string | null;
}

export interface ExportedSurveyAnswer {
  readonly id: string;
  readonly projectId: string;
  readonly survey: string;
  readonly contactId: string;
  readonly score: number;
  readonly comment: string | null;
  readonly answers: Record<string, unknown>;
  readonly answeredAt: string;
}

export interface ContactExport {
  readonly kind: "contact";
  readonly exportedAt: string;
  readonly exportedBy: string;
  readonly contact: ExportedContact;
  readonly client: { readonly id: string; readonly name: string };
  readonly signIns: ExportedSignIn[];
  readonly comments: ExportedComment[];
  readonly files: ExportedFile[];
  readonly mail: ExportedMail[];
  readonly notifications: ExportedNotification[];
  readonly surveyAnswers: ExportedSurveyAnswer[];
  readonly formAnswers: ExportedAnswer[];
  /** Personal answers in the contact's own submissions that are about another person (Art. 15(4)). */
  readonly withheldAnswers: number;
  /** The contact's own requests about their data. */
  readonly dataRequests: readonly ExportedDataRequest[];
  /** What the copy comes with (Art. 15(1)): purposes, categories, recipients, retention, source, rights. */
  readonly about: typeof ABOUT_A_CONTACTS_DATA;
}

export interface ExportedDataRequest {
  readonly id: string;
  readonly kind: "access" | "erasure";
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly channel: string | null;
  readonly status: "open" | "completed" | "refused";
  readonly completedAt: string | null;
}

export interface ExportedProject {
  readonly id: string;
  readonly playbookId: string;
  readonly playbookVersion: string;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly dealSource: string | null;
  readonly dealId: string | null;
}

export interface ExportedEvent {
  readonly projectId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly step: string | null;
}

export interface ClientExport {
  readonly kind: "client";
  readonly exportedAt: string;
  readonly exportedBy: string;
  readonly client: ClientRecord;
  readonly contacts: ExportedContact[];
  readonly projects: ExportedProject[];
  readonly formAnswers: ExportedAnswer[];
  /** What happened, without the events' values (those are in formAnswers). */
  readonly events: ExportedEvent[];
  readonly comments: ExportedComment[];
  readonly files: ExportedFile[];
  readonly mail: ExportedMail[];
  readonly surveyAnswers: ExportedSurveyAnswer[];
}

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => d?.toISOString() ?? null;

type ContactRow = {
  id: string;
  client_id: string;
  name: string;
  email: string;
  title: string | null;
  roles: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
  deactivated_at: Date | null;
  removed_at: Date | null;
};

function exportedContact(row: ContactRow): ExportedContact {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    email: row.email,
    title: row.title,
    roles: row.roles,
    active: row.active,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    deactivatedAt: isoOrNull(row.deactivated_at),
    removedAt: isoOrNull(row.removed_at),
  };
}

async function projectsOf(deps: ApiDeps, clientId: string): Promise<ExportedProject[]> {
  const rows = await deps.db
    .selectFrom("projects")
    .select(["id", "playbook_id", "playbook_version", "status", "created_at", "updated_at", "deal_source", "deal_id"])
    .where("client_id", "=", clientId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    playbookId: r.playbook_id,
    playbookVersion: r.playbook_version,
    status: r.status,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    dealSource: r.deal_source,
    dealId: r.deal_id,
  }));
}

interface Submission {
  readonly project: ExportedProject;
  readonly step: string;
  readonly form: string;
  readonly item: string | null;
  readonly values: Record<string, unknown>;
  readonly at: string;
  readonly actor: string;
}

async function submissionsOf(deps: ApiDeps, projects: readonly ExportedProject[]): Promise<Submission[]> {
  if (projects.length === 0) return [];
  const byId = new Map(projects.map((p) => [p.id, p]));
  const rows = await deps.db
    .selectFrom("events")
    .select(["project_id", "seq", "at", "actor", "payload"])
    .where("project_id", "in", [...byId.keys()])
    .where("type", "=", "form.submitted")
    .orderBy("project_id")
    .orderBy("seq")
    .execute();
  return rows.flatMap((r) => {
    const project = byId.get(r.project_id);
    const payload = r.payload as { step?: unknown; form?: unknown; item?: unknown; values?: unknown };
    if (!project || typeof payload.form !== "string" || payload.values === null || typeof payload.values !== "object") return [];
    return [
      {
        project,
        step: typeof payload.step === "string" ? payload.step : "",
        form: payload.form,
        item: typeof payload.item === "string" ? payload.item : null,
        values: payload.values as Record<string, unknown>,
        at: iso(r.at),
        actor: r.actor,
      },
    ];
  });
}

/** The answers with each field's label and whether the playbook version it ran marks it personal. */
async function labelled(
  deps: ApiDeps,
  submissions: readonly Submission[],
  choose: (s: Submission, personal: boolean, value: unknown) => { keep: boolean; value?: unknown },
): Promise<{ answers: ExportedAnswer[]; withheld: number }> {
  const answers: ExportedAnswer[] = [];
  let withheld = 0;
  const forms = new Map<string, Awaited<ReturnType<typeof modelOf>>["playbook"]["forms"]>();
  for (const s of submissions) {
    const key = `${s.project.playbookId}@${s.project.playbookVersion}`;
    let playbookForms = forms.get(key);
    if (!playbookForms) {
      playbookForms = (await modelOf(deps, s.project.playbookId, s.project.playbookVersion)).playbook.forms;
      forms.set(key, playbookForms);
    }
    for (const [field, value] of Object.entries(s.values)) {
      const def = playbookForms[s.form]?.fields[field];
      // A field the playbook no longer describes is treated as personal: when unsure, protect.
      const personal = def ? isPersonalField(def) : true;
      const chosen = choose(s, personal, value);
      if (!chosen.keep) {
        if (chosen.value === "withheld") withheld++;
        continue;
      }
      answers.push({
        projectId: s.project.id,
        form: s.form,
        field,
        label: def?.label ?? field,
        personal,
        value: chosen.value ?? value,
        step: s.step,
        item: s.item,
        submittedAt: s.at,
        submittedBy: s.actor,
      });
    }
  }
  return { answers, withheld };
}

async function commentsOf(deps: ApiDeps, projectIds: readonly string[], authorId?: string): Promise<ExportedComment[]> {
  if (projectIds.length === 0) return [];
  let query = deps.db
    .selectFrom("comments")
    .selectAll()
    .where("project_id", "in", [...projectIds]);
  if (authorId !== undefined) query = query.where("author_kind", "=", "contact").where("author_id", "=", authorId);
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    stepId: r.step_id,
    author: r.author_name,
    body: r.body,
    visibility: r.visibility,
    createdAt: iso(r.created_at),
    deletedAt: isoOrNull(r.deleted_at),
  }));
}

async function filesOf(deps: ApiDeps, projectIds: readonly string[], uploaderId?: string): Promise<ExportedFile[]> {
  if (projectIds.length === 0) return [];
  let query = deps.db
    .selectFrom("attachments")
    .select([
      "id",
      "project_id",
      "step_id",
      "file_name",
      "content_type",
      "size",
      "sha256",
      "visibility",
      "uploaded_by_kind",
      "uploaded_by",
      "created_at",
      "deleted_at",
    ])
    .where("project_id", "in", [...projectIds]);
  if (uploaderId !== undefined) query = query.where("uploaded_by_kind", "=", "contact").where("uploaded_by", "=", uploaderId);
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    stepId: r.step_id,
    fileName: r.file_name,
    contentType: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    visibility: r.visibility,
    uploadedBy: `${r.uploaded_by_kind}:${r.uploaded_by}`,
    createdAt: iso(r.created_at),
    deletedAt: isoOrNull(r.deleted_at),
    download: `/attachments/${encodeURIComponent(r.id)}`,
  }));
}

/** Mail to `address` (its other recipients left out), or every message of the projects. */
async function mailOf(deps: ApiDeps, target: { address: string } | { projectIds: readonly string[] }): Promise<ExportedMail[]> {
  const db = notifyDb(deps.database);
  let query = db.selectFrom("mail_messages").selectAll();
  if ("address" in target) {
    query = query.where(sql<boolean>`position(${target.address.toLowerCase()} in lower(recipients::text)) > 0`);
  } else {
    if (target.projectIds.length === 0) return [];
    query = query.where("project_id", "in", [...target.projectIds]);
  }
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.flatMap((r) => {
    const to = r.recipients
      .filter((p) => !("address" in target) || p.address.toLowerCase() === target.address.toLowerCase())
      .map((p) => (p.name ? `${p.name} <${p.address}>` : p.address));
    if (to.length === 0) return [];
    return [
      {
        id: r.id,
        projectId: r.project_id,
        to,
        subject: r.subject,
        textBody: r.text_body,
        attachments: r.attachments.map((a) => `${a.filename} (${a.contentType})`),
        createdAt: iso(r.created_at),
        sentAt: isoOrNull(r.sent_at),
      },
    ];
  });
}

async function surveyAnswersOf(
  deps: ApiDeps,
  filter: { contactId: string } | { projectIds: readonly string[] },
): Promise<ExportedSurveyAnswer[]> {
  const db = notifyDb(deps.database);
  let query = db.selectFrom("survey_answers").selectAll();
  if ("contactId" in filter) query = query.where("contact_id", "=", filter.contactId);
  else {
    if (filter.projectIds.length === 0) return [];
    query = query.where("project_id", "in", [...filter.projectIds]);
  }
  const rows = await query.orderBy("answered_at").orderBy("token_id").execute();
  return rows.map((r) => ({
    id: r.token_id,
    projectId: r.project_id,
    survey: r.survey,
    contactId: r.contact_id,
    score: r.score,
    comment: r.comment,
    answers: r.answers,
    answeredAt: iso(r.answered_at),
  }));
}

export async function contactExport(deps: ApiDeps, contactId: string, exportedBy: string): Promise<ContactExport> {
  const row = await deps.db.selectFrom("contacts").selectAll().where("id", "=", contactId).executeTakeFirst();
  if (!row) throw notFound(`contact ${contactId}`, { contactId });
  const contact = exportedContact(row);
  const client = await getClient(deps.db, row.client_id);
  const others: Person[] = (
    await deps.db
      .selectFrom("contacts")
      .select(["name", "email"])
      .where("client_id", "=", row.client_id)
      .where("id", "!=", row.id)
      .execute()
  ).map((o) => ({ name: o.name, email: o.email }));
  const subject: Person = { name: row.name, email: row.email };

  const links = await deps.db
    .selectFrom("magic_links")
    .select(["created_at", "expires_at", "used_at"])
    .where("contact_id", "=", row.id)
    .orderBy("created_at")
    .execute();
  const sessions = await deps.db
    .selectFrom("contact_sessions")
    .select(["created_at", "expires_at"])
    .where("contact_id", "=", row.id)
    .orderBy("created_at")
    .execute();
  const signIns: ExportedSignIn[] = [
    ...links.map((l) => ({
      kind: "link" as const,
      createdAt: iso(l.created_at),
      expiresAt: iso(l.expires_at),
      usedAt: isoOrNull(l.used_at),
    })),
    ...sessions.map((s) => ({ kind: "session" as const, createdAt: iso(s.created_at), expiresAt: iso(s.expires_at), usedAt: null })),
  ].sort((a, b) => a.createdAt.localeCompare(b.createdAt));

  const projects = await projectsOf(deps, row.client_id);
  const projectIds = projects.map((p) => p.id);
  const { answers, withheld } = await labelled(deps, await submissionsOf(deps, projects), (s, personal, value) => {
    const own = s.actor === row.id;
    if (!personal) return { keep: own };
    const part = subjectsPart(value, subject, others, own);
    if (part !== undefined) return { keep: true, value: part };
    return own ? { keep: false, value: "withheld" } : { keep: false };
  });

  const notifications = await notifyDb(deps.database)
    .selectFrom("notifications")
    .select(["id", "project_id", "message", "created_at", "read_at"])
    .where("person_id", "=", `contact:${row.id}`)
    .orderBy("created_at")
    .orderBy("id")
    .execute();

  return {
    kind: "contact",
    exportedAt: deps.clock(),
    exportedBy,
    contact,
    client: { id: row.client_id, name: client?.name ?? row.client_id },
    signIns,
    comments: await commentsOf(deps, projectIds, row.id),
    files: await filesOf(deps, projectIds, row.id),
    mail: await mailOf(deps, { address: row.email }),
    notifications: notifications.map((n) => ({
      id: n.id,
      projectId: n.project_id,
      message: n.message,
      createdAt: iso(n.created_at),
      readAt: isoOrNull(n.read_at),
    })),
    surveyAnswers: await surveyAnswersOf(deps, { contactId: row.id }),
    formAnswers: answers,
    withheldAnswers: withheld,
    dataRequests: (
      await deps.db
        .selectFrom("data_requests")
        .select(["id", "kind", "received_at", "due_at", "channel", "status", "completed_at"])
        .where("subject_kind", "=", "contact")
        .where("subject_id", "=", row.id)
        .orderBy("received_at")
        .execute()
    ).map((r) => ({
      id: r.id,
      kind: r.kind,
      receivedAt: iso(r.received_at),
      dueAt: iso(r.due_at),
      channel: r.channel,
      status: r.status,
      completedAt: isoOrNull(r.completed_at),
    })),
    about: ABOUT_A_CONTACTS_DATA,
  };
}

/** Art. 15(1)(a)-(h): what the copy of a person's data comes with, from the register. */
const ABOUT_A_CONTACTS_DATA = {
  records: ONBOARD_RECORDS.filter((r) => r.contactExportSection !== null).map((r) => ({
    record: r.title,
    category: r.category,
    purpose: r.purpose,
    legalBasis: r.legalBasis,
    retention: r.retention,
    section: r.contactExportSection ?? "",
  })),
  recipients:
    "The vendor's onboarding team, and the services the vendor configured: its mail server (SMTP), its chat and webhook endpoints, and its CRM. No transfer is made by Onboard itself outside them.",
  source: "From you, from your company's other contacts, or from the vendor's CRM (the deal that started the onboarding).",
  rights:
    "You may ask for rectification or erasure of your personal data, or restriction of or objection to its processing (GDPR Art. 16-21), and you may lodge a complaint with a supervisory authority (Art. 77). Ask the vendor's data-protection contact.",
} as const;

export async function clientExport(deps: ApiDeps, clientId: string, exportedBy: string): Promise<ClientExport> {
  const client = await getClient(deps.db, clientId);
  if (!client) throw notFound(`client ${clientId}`, { clientId });
  const contacts = await deps.db
    .selectFrom("contacts")
    .selectAll()
    .where("client_id", "=", clientId)
    .orderBy("name")
    .orderBy("id")
    .execute();
  const projects = await projectsOf(deps, clientId);
  const projectIds = projects.map((p) => p.id);
  const { answers } = await labelled(deps, await submissionsOf(deps, projects), () => ({ keep: true }));
  const events =
    projectIds.length === 0
      ? []
      : await deps.db
          .selectFrom("events")
          .select(["project_id", "seq", "type", "at", "actor", sql<string | null>`payload->>'step'`.as("step")])
          .where("project_id", "in", projectIds)
          .orderBy("project_id")
          .orderBy("seq")
          .execute();
  return {
    kind: "client",
    exportedAt: deps.clock(),
    exportedBy,
    client,
    contacts: contacts.map(exportedContact),
    projects,
    formAnswers: answers,
    events: events.map((e) => ({ projectId: e.project_id, seq: e.seq, type: e.type, at: iso(e.at), actor: e.actor, step: e.step })),
    comments: await commentsOf(deps, projectIds),
    files: await filesOf(deps, projectIds),
    mail: await mailOf(deps, { projectIds }),
    surveyAnswers: await surveyAnswersOf(deps, { projectIds }),
  };
}
