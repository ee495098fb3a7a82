// Data subjects' requests (GDPR Art. 15, 17) and the erasures log: each request is logged with who
// logged it, when it came and its Art. 12(3) deadline; an erasure is recorded in `erasures` (ids
// and counts only) and appended to the erasure journal, a file outside the database that a server
// re-applies at start when a restored backup brought erased data back.
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { sql } from "kysely";
import { requestDueAt } from "../../compliance/deadlines.ts";
import type { ErasurePlan } from "../../compliance/erasure.ts";
import type { Instant } from "../../engine/types.ts";
import { disposalDate } from "../../playbook/retention.ts";
import { AppError } from "../../store/errors.ts";
import type { Schema } from "../../store/schema.ts";
import { fromDb } from "../../store/time.ts";
import type { ApiDeps } from "../deps.ts";
import { eraseSubject, type SubjectKind } from "./erasure.ts";
import { modelOf } from "./playbooks.ts";
import { storeView } from "./tables.ts";

type RequestRow = import("kysely").Selectable<Schema["data_requests"]>;

export interface DataRequest {
  id: string;
  kind: "access" | "erasure";
  subject: { kind: SubjectKind; id: string; name: string | null; clientId: string | null };
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  extendedMonths: number;
  extensionReason: string | null;
  loggedBy: string;
  loggedAt: string;
  channel: string | null;
  note: string | null;
  status: "open" | "completed" | "refused";
  completedAt: string | null;
  completedBy: string | null;
  outcome: unknown;
}

async function subjectInfo(deps: ApiDeps, kind: SubjectKind, id: string): Promise<{ name: string; clientId: string } | undefined> {
  if (kind === "client") {
    const c = await deps.db.selectFrom("clients").select(["id", "name"]).where("id", "=", id).executeTakeFirst();
    return c && { name: c.name, clientId: c.id };
  }
  const c = await deps.db.selectFrom("contacts").select(["name", "client_id"]).where("id", "=", id).executeTakeFirst();
  return c && { name: c.name, clientId: c.client_id };
}

async function toRequest(deps: ApiDeps, row: RequestRow, now: Instant): Promise<DataRequest> {
  const subject = await subjectInfo(deps, row.subject_kind, row.subject_id);
  const dueAt = fromDb(row.due_at);
  return {
    id: row.id,
    kind: row.kind,
    subject: { kind: row.subject_kind, id: row.subject_id, name: subject?.name ?? null, clientId: subject?.clientId ?? null },
    receivedAt: fromDb(row.received_at),
    dueAt,
    overdue: row.status === "open" && Date.parse(dueAt) < Date.parse(now),
    extendedMonths: row.extended_months,
    extensionReason: row.extension_reason,
    loggedBy: row.logged_by,
    loggedAt: fromDb(row.logged_at),
    channel: row.channel,
    note: row.note,
    status: row.status,
    completedAt: row.completed_at === null ? null : fromDb(row.completed_at),
    completedBy: row.completed_by,
    outcome: row.outcome ?? null,
  };
}

export interface NewDataRequest {
  kind: "access" | "erasure";
  subject: { kind: SubjectKind; id: string };
  receivedAt?: string | undefined;
  channel?: string | undefined;
  note?: string | undefined;
}

export async function logDataRequest(deps: ApiDeps, input: NewDataRequest, by: string): Promise<DataRequest> {
  const now = deps.clock();
  if (!(await subjectInfo(deps, input.subject.kind, input.subject.id)))
    throw new AppError("not_found", `no ${input.subject.kind} "${input.subject.id}"`, { field: "subject.id" });
  const receivedAt = input.receivedAt ?? now;
  const row = await storeView(deps.db)
    .insertInto("data_requests")
    .values({
      id: randomUUID(),
      kind: input.kind,
      subject_kind: input.subject.kind,
      subject_id: input.subject.id,
      received_at: receivedAt,
      due_at: requestDueAt(receivedAt),
      logged_by: by,
      logged_at: now,
      channel: input.channel ?? null,
      note: input.note ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRequest(deps, row, now);
}

export async function listDataRequests(deps: ApiDeps, status?: "open" | "completed" | "refused"): Promise<DataRequest[]> {
  let query = storeView(deps.db).selectFrom("data_requests").selectAll().orderBy("due_at").orderBy("id");
  if (status) query = query.where("status", "=", status);
  const now = deps.clock();
  return Promise.all((await query.execute()).map((row) => toRequest(deps, row, now)));
}

export async function getDataRequest(deps: ApiDeps, id: string): Promise<DataRequest | undefined> {
  const row = await storeView(deps.db).selectFrom("data_requests").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toRequest(deps, row, deps.clock());
}

async function openRequest(deps: ApiDeps, id: string): Promise<RequestRow> {
  const row = await storeView(deps.db).selectFrom("data_requests").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new AppError("not_found", `no data request "${id}"`, {});
  if (row.status !== "open") throw new AppError("illegal_state", `data request "${id}" is ${row.status}`, { field: "status" });
  return row;
}

export async function completeDataRequest(
  deps: ApiDeps,
  id: string,
  input: { outcome: "completed" | "refused"; reason?: string | undefined },
  by: string,
): Promise<DataRequest> {
  const row = await openRequest(deps, id);
  if (row.kind === "erasure" && input.outcome === "completed")
    throw new AppError("invalid", "an erasure request is completed by carrying out the erasure (POST .../erasure)", { field: "outcome" });
  if (input.outcome === "refused" && !input.reason) throw new AppError("invalid", "say why the request is refused", { field: "reason" });
  await storeView(deps.db)
    .updateTable("data_requests")
    .set({
      status: input.outcome,
      completed_at: deps.clock(),
      completed_by: by,
      outcome: JSON.stringify({ ...(input.reason ? { reason: input.reason } : {}) }),
    })
    .where("id", "=", id)
    .where("status", "=", "open")
    .execute();
  return (await getDataRequest(deps, id)) as DataRequest;
}

export async function extendDataRequest(deps: ApiDeps, id: string, input: { months: number; reason: string }): Promise<DataRequest> {
  const row = await openRequest(deps, id);
  const months = row.extended_months + input.months;
  if (months > 2)
    throw new AppError("invalid", `a request can be extended by two months in all (Art. 12(3)); it already is by ${row.extended_months}`, {
      field: "months",
    });
  await storeView(deps.db)
    .updateTable("data_requests")
    .set({ extended_months: months, extension_reason: input.reason, due_at: requestDueAt(fromDb(row.received_at), months) })
    .where("id", "=", id)
    .execute();
  return (await getDataRequest(deps, id)) as DataRequest;
}

/** One line of the erasure journal: ids only, never personal data. */
export interface JournalEntry {
  id: string;
  at: string;
  subjectKind: SubjectKind;
  subjectId: string;
  projectId: string | null;
  requestId: string | null;
  by: string;
  reason: string;
  source: "request" | "retention";
}

async function appendJournal(path: string, entry: JournalEntry): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

export async function readJournal(path: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as JournalEntry);
}

interface Erase {
  subject: { kind: SubjectKind; id: string };
  projectId?: string;
  requestId: string | null;
  by: string;
  reason: string;
  source: "request" | "retention" | "journal";
  /** The erasure's id (a journal entry re-applied keeps its own). */
  id?: string;
}

/** Erase, record it in `erasures` and (unless re-applied from it) in the journal. */
async function eraseAndRecord(deps: ApiDeps, erase: Erase): Promise<{ id: string; plan: ErasurePlan }> {
  const now = deps.clock();
  const { plan } = await eraseSubject(deps, {
    subject: erase.subject,
    ...(erase.projectId ? { projectId: erase.projectId } : {}),
    by: erase.by,
    reason: erase.reason,
    now,
    dryRun: false,
  });
  const id = erase.id ?? randomUUID();
  const db = storeView(deps.db);
  const request =
    erase.requestId && (await db.selectFrom("data_requests").select("id").where("id", "=", erase.requestId).executeTakeFirst());
  await db
    .insertInto("erasures")
    .values({
      id,
      subject_kind: erase.subject.kind,
      subject_id: erase.subject.id,
      request_id: request ? request.id : null,
      project_id: erase.projectId ?? null,
      by: erase.by,
      reason: erase.reason,
      summary: JSON.stringify(plan),
      source: erase.source,
      at: now,
    })
    .execute();
  if (erase.source !== "journal")
    await appendJournal(deps.config.erasureJournal, {
      id,
      at: now,
      subjectKind: erase.subject.kind,
      subjectId: erase.subject.id,
      projectId: erase.projectId ?? null,
      requestId: erase.requestId,
      by: erase.by,
      reason: erase.reason,
      source: erase.source,
    });
  return { id, plan };
}

export async function planErasure(deps: ApiDeps, id: string): Promise<ErasurePlan> {
  const row = await openRequest(deps, id);
  if (row.kind !== "erasure") throw new AppError("invalid", "only an erasure request erases", { field: "kind" });
  const { plan } = await eraseSubject(deps, {
    subject: { kind: row.subject_kind, id: row.subject_id },
    by: "dry-run",
    reason: "dry run",
    now: deps.clock(),
    dryRun: true,
  });
  return plan;
}

export async function carryOutErasure(deps: ApiDeps, id: string, by: string): Promise<{ request: DataRequest; plan: ErasurePlan }> {
  const row = await openRequest(deps, id);
  if (row.kind !== "erasure") throw new AppError("invalid", "only an erasure request erases", { field: "kind" });
  const { id: erasureId, plan } = await eraseAndRecord(deps, {
    subject: { kind: row.subject_kind, id: row.subject_id },
    requestId: row.id,
    by,
    reason: `erasure request ${row.id} (GDPR Art. 17)`,
    source: "request",
  });
  await storeView(deps.db)
    .updateTable("data_requests")
    .set({ status: "completed", completed_at: deps.clock(), completed_by: by, outcome: JSON.stringify({ erasure: erasureId, plan }) })
    .where("id", "=", id)
    .execute();
  return { request: (await getDataRequest(deps, id)) as DataRequest, plan };
}

/**
 * Projects whose retention rule with `at_end: erase_personal_data` has ended are erased, by
 * "system", once each (the erasures log says which were). Returns how many projects were erased.
 */
export async function eraseExpiredRetention(deps: ApiDeps, now: Instant): Promise<number> {
  const db = storeView(deps.db);
  const asOf = now.slice(0, 10);
  const versions = await db.selectFrom("playbook_versions").select(["playbook_id", "version"]).execute();
  let erased = 0;
  for (const v of versions) {
    const rules = (await modelOf(deps, v.playbook_id, v.version)).playbook.retention.filter((r) => r.at_end === "erase_personal_data");
    if (rules.length === 0) continue;
    const projects = await deps.db
      .selectFrom("projects as p")
      .innerJoin("clients as c", "c.id", "p.client_id")
      .select([
        "p.id as projectId",
        "c.id as clientId",
        "c.relationship_ended_on as endedOn",
        sql<string | null>`p.state->>'closedAt'`.as("closedAt"),
      ])
      .where("p.playbook_id", "=", v.playbook_id)
      .where("p.playbook_version", "=", v.version)
      .execute();
    for (const project of projects) {
      const rule = rules.find((r) => {
        const anchor = r.after === "relationship_end" ? project.endedOn : (project.closedAt?.slice(0, 10) ?? null);
        const disposeOn = disposalDate(r.keep, anchor ?? undefined);
        return disposeOn !== undefined && disposeOn <= asOf;
      });
      if (!rule) continue;
      const done = await db
        .selectFrom("erasures")
        .select("id")
        .where("project_id", "=", project.projectId)
        .where("source", "in", ["retention", "journal"])
        .executeTakeFirst();
      if (done) continue;
      await eraseAndRecord(deps, {
        subject: { kind: "client", id: project.clientId },
        projectId: project.projectId,
        requestId: null,
        by: "system",
        reason: `retention rule of ${v.playbook_id} ${v.version}: keep ${rule.keep.text} after ${rule.after.replace("_", " ")}, then erase personal data`,
        source: "retention",
      });
      erased++;
    }
  }
  return erased;
}

/**
 * At start: every journal entry the database does not record (a backup from before it was
 * restored) is erased again and recorded under its own id, so the next start does not repeat it.
 */
export async function reapplyJournal(deps: ApiDeps): Promise<JournalEntry[]> {
  const entries = await readJournal(deps.config.erasureJournal);
  if (entries.length === 0) return [];
  const db = storeView(deps.db);
  const known = new Set((await db.selectFrom("erasures").select("id").execute()).map((r) => r.id));
  const reapplied: JournalEntry[] = [];
  for (const entry of entries) {
    if (known.has(entry.id)) continue;
    await eraseAndRecord(deps, {
      id: entry.id,
      subject: { kind: entry.subjectKind, id: entry.subjectId },
      ...(entry.projectId ? { projectId: entry.projectId } : {}),
      requestId: entry.requestId,
      by: entry.by,
      reason: `${entry.reason} (re-applied from the erasure journal after a restore)`,
      source: "journal",
    });
    reapplied.push(entry);
  }
  return reapplied;
}
