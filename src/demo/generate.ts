// The demo portfolio: a few hundred (or, for benchmarks, a hundred thousand) clients spread over the
// published playbooks, started at different dates over the past months and played out by the engine
// with a moving clock up to `now`, then written in large transactions: projects, their hash-chained
// events (the store's chainEvents, so `onboard audit verify` passes), role assignments and the
// portfolio summaries. History goes nowhere near the outbox: nobody is emailed about the past.
//
// Scale: simulating a client costs 10-100 ms, so above `distinct` projects (default 2,000) each
// further client replays the events of an already simulated one of the same playbook, moved later
// by whole weeks (weekday and hour kept), cut at `now`, with its own id, company and team; its state
// is the engine's replay of those events. Public holidays are then not re-checked for the moved
// dates; pass --distinct N to simulate every client.
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { type Kysely, sql } from "kysely";
import { DateTime } from "luxon";
import type { Person } from "../engine/assignment.ts";
import { execute, nextWakeAt, replay } from "../engine/index.ts";
import { passingValue, simulate } from "../engine/simulate.ts";
import { type Actor, type Command, type Instant, type ProjectEvent, type ProjectState, SYSTEM } from "../engine/types.ts";
import { openWorkOf } from "../metrics/open-work.ts";
import { writeOpenWork } from "../metrics/open-work-projection.ts";
import { modelFor, writeSummaries } from "../metrics/projection.ts";
import { figuresOf, type ProjectSummary, type StepStat, stepStats, summarize } from "../metrics/summary.ts";
import { metricsDb } from "../metrics/tables.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Database } from "../store/database.ts";
import { chainEvents } from "../store/event-log.ts";
import { GENESIS_HASH } from "../store/hashing.ts";
import type { ProjectService } from "../store/project-service.ts";
import type { Schema } from "../store/schema.ts";
import { type Rng, rng } from "./names.ts";
import { buildTeam, choose, type DemoPerson, type Team, teamOf, writeTeam } from "./people.ts";
import { csatScore, incidents, MANAGER_ACTOR, npsScore, type Scenario, scenarioFor, workDays } from "./scenario.ts";

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export interface DemoOptions {
  readonly projects: number;
  readonly seed?: number;
  readonly now: Instant;
  /** How far back the oldest project started (default 9 months). */
  readonly months?: number;
  /** Projects simulated one by one; the rest are moved copies (see above). Default min(projects, 2000). */
  readonly distinct?: number;
  /** Projects per transaction (default 250). */
  readonly batch?: number;
  /** Only these playbook ids (default: every published playbook, latest version). */
  readonly playbooks?: readonly string[];
  /** Stops between batches (what was written stays: whole projects only). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly events: number }) => void;
}

export interface DemoReport {
  readonly projects: number;
  readonly simulated: number;
  readonly events: number;
  readonly people: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly byPlaybook: Readonly<Record<string, number>>;
  readonly ms: number;
  readonly projectsPerSecond: number;
  readonly eventsPerSecond: number;
}

interface Generated {
  readonly id: string;
  readonly scenario: Scenario;
  readonly model: PlaybookModel;
  readonly state: ProjectState;
  readonly events: readonly ProjectEvent[];
}

/** Publish every playbook of a folder (what the server does at start), for the CLI. */
export async function publishFolder(service: ProjectService, dir: string, now: Instant): Promise<string[]> {
  const ids: string[] = [];
  for (const name of (await readdir(dir)).filter((n) => [".yaml", ".yml"].includes(extname(n))).sort()) {
    const published = await service.publishPlaybook(await readFile(join(dir, name), "utf8"), { file: name, now });
    ids.push(published.id);
  }
  return ids;
}

async function latestModels(db: Kysely<Schema>, only: readonly string[] | undefined): Promise<PlaybookModel[]> {
  const rows = await db
    .selectFrom("playbook_versions")
    .select(["playbook_id", "version", "published_at"])
    .orderBy("playbook_id")
    .orderBy("published_at", "desc")
    .execute();
  const latest = new Map<string, string>();
  for (const r of rows) if (!latest.has(r.playbook_id) && (!only || only.includes(r.playbook_id))) latest.set(r.playbook_id, r.version);
  const models: PlaybookModel[] = [];
  for (const [id, version] of latest) models.push(await modelFor(db, { id, version }));
  return models;
}

function personActor(role: string, kind: Actor["kind"]): Actor {
  return { id: `${role}-person`, kind, roles: [role] };
}

/** Play one client's scenario out with the engine, from its start to `now`. */
function simulateClient(model: PlaybookModel, id: string, scenario: Scenario, team: DemoPerson[], now: Instant, r: Rng): Generated {
  const playbook = model.playbook;
  const startMs = Date.parse(now) - scenario.startedDaysAgo * DAY;
  // Deals close at 10:00 in the client's zone: the hour matters to business-time deadlines.
  const start =
    DateTime.fromMillis(startMs, { zone: scenario.place.timeZone })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 })
      .toUTC()
      .toISO() ?? new Date(startMs).toISOString();
  const days = Math.max(0, Math.floor((Date.parse(now) - Date.parse(start)) / DAY) - 1);
  const segment = scenario.segment;
  const people: Person[] = team.map((p) => ({
    id: p.id,
    name: p.name,
    roles: Object.keys(playbook.roles).filter((role) => teamOf(playbook, role) === p.team),
    attributes: {
      territory: p.territory,
      segment: [...p.segments],
      specialization: "*",
      products: "*",
      complexity: "*",
      support_tier: "*",
      contract: "*",
    },
    activeProjects: p.load,
  }));
  const surveysAnswered = new Set<string>();
  const answerAfter = r.int(1, 5);
  const surveyCommand = (state: ProjectState, at: number): { command: Command; actor: Actor }[] => {
    const out: { command: Command; actor: Actor }[] = [];
    for (const [survey, s] of Object.entries(state.surveys)) {
      if (!s.sentAt || surveysAnswered.has(survey) || Date.parse(s.sentAt) + answerAfter * DAY > at) continue;
      const def = playbook.surveys[survey];
      if (!def || r.chance(0.25)) {
        surveysAnswered.add(survey);
        continue;
      }
      surveysAnswered.add(survey);
      const score = def.kind === "nps" ? npsScore(scenario.mood, r) : def.kind === "csat" ? csatScore(scenario.mood, r) : r.int(3, 5);
      const role = def.to[0] ?? "client";
      out.push({ command: { type: "answer_survey", survey, score }, actor: personActor(role, "contact") });
    }
    return out;
  };
  const result = simulate(model, {
    start,
    maxDays: days,
    input: {
      projectId: id,
      client: {
        id: `${id}-client`,
        name: scenario.clientName,
        timeZone: scenario.place.timeZone,
        country: scenario.place.country,
        ...(scenario.place.region ? { region: scenario.place.region } : {}),
      },
      facts: scenario.facts,
      people,
    },
    workDays: workDays(scenario, r),
    trainingScore: (_track, attempt) => (scenario.trainingRetake && attempt === 1 ? r.int(55, 75) : r.int(82, 100)),
    formValues: (step, attempt) => {
      const form = step.form ? playbook.forms[step.form] : undefined;
      if (!form) return undefined;
      const values: Record<string, unknown> = {};
      for (const [field, def] of Object.entries(form.fields)) {
        let value = passingValue(def, "Recorded during onboarding");
        if (/adoption|active_user/i.test(field) && (def.type === "double" || def.type === "int"))
          value = attempt > 1 ? Math.max(75, scenario.adoption) : scenario.adoption;
        if (/failed|defects|failures/i.test(field) && def.type === "int") value = scenario.uatFails && attempt === 1 ? r.int(1, 4) : 0;
        if (/executed|scenarios|test_cases/i.test(field) && !/failed/i.test(field) && def.type === "int") value = r.int(8, 40);
        values[field] = value;
      }
      return values;
    },
    extra: (day, state) => {
      const out: { command: Command; actor?: Actor }[] = [];
      if (day === 0) {
        for (const role of Object.keys(playbook.roles)) {
          const which = teamOf(playbook, role);
          if (!which || state.assignments[role]) continue;
          const person = choose(team, which, scenario.place.territory, segment);
          if (person) out.push({ command: { type: "assign", role, person: person.id }, actor: MANAGER_ACTOR });
        }
      }
      const openIssues = Object.values(state.issues)
        .filter((i) => !i.resolvedAt)
        .map((i) => i.id);
      for (const command of incidents(scenario, day, openIssues)) out.push({ command, actor: MANAGER_ACTOR });
      out.push(...surveyCommand(state, Date.parse(start) + day * DAY));
      return out;
    },
  });
  // The simulation stops when the project closes; surveys that go out after that are still sent
  // (a scheduler tick when due) and answered a few days later, if that is before `now`.
  let state = result.state;
  const events = [...result.events];
  if (state.status === "closed") {
    const nowMs = Date.parse(now);
    const steps: { at: number; survey: string; kind: "tick" | "answer" }[] = [];
    for (const [survey, s] of Object.entries(state.surveys)) {
      if (s.sentAt) continue;
      const due = Date.parse(s.dueAt);
      const answer = due + answerAfter * DAY + 3_600_000;
      if (due < nowMs) steps.push({ at: due, survey, kind: "tick" });
      if (answer < nowMs) steps.push({ at: answer, survey, kind: "answer" });
    }
    steps.sort((a, b) => a.at - b.at);
    for (const step of steps) {
      const at = new Date(step.at).toISOString();
      if (at < (events.at(-1)?.at ?? at)) continue;
      const commands: { command: Command; actor: Actor }[] =
        step.kind === "tick"
          ? [{ command: { type: "tick" }, actor: SYSTEM }]
          : surveyCommand(state, step.at).filter((c) => c.command.type === "answer_survey" && c.command.survey === step.survey);
      for (const { command, actor } of commands) {
        try {
          const outcome = execute(result.ctx, state, command, actor, at);
          state = outcome.state;
          events.push(...outcome.events);
        } catch {
          // Not accepted at that moment (the survey is not out yet): the client did not answer.
        }
      }
    }
  }
  for (const role of Object.values(state.assignments)) {
    const person = team.find((p) => p.id === role);
    if (person) person.load++;
  }
  return { id, scenario, model, state, events };
}

/** A copy of a simulated client, started `weeks` later, with its own id, company and team. */
function moveClient(template: Generated, id: string, scenario: Scenario, weeks: number, team: DemoPerson[], now: Instant): Generated {
  const shift = weeks * WEEK;
  const cut = Date.parse(now);
  const people = new Map<string, string>();
  const moved: ProjectEvent[] = [];
  const at = (t: string) => new Date(Date.parse(t) + shift).toISOString();
  for (const event of template.events) {
    const when = Date.parse(event.at) + shift;
    if (when > cut) break;
    let e: ProjectEvent = { ...event, at: at(event.at) };
    if (e.type === "project.started") e = { ...e, project: id, client: { id: `${id}-client`, name: scenario.clientName } };
    else if (e.type === "role.assigned") {
      const role = e.role;
      let person = people.get(e.person);
      if (!person) {
        const which = teamOf(template.model.playbook, role) ?? "implementation";
        person = choose(team, which, scenario.place.territory, scenario.segment)?.id ?? e.person;
        people.set(e.person, person);
      }
      e = { ...e, person, ...(e.previous ? { previous: people.get(e.previous) ?? e.previous } : {}) };
    } else e = shiftInstants(e, shift);
    moved.push(e);
  }
  const state = replay(template.model, moved);
  for (const person of new Set(Object.values(state.assignments))) {
    const p = team.find((x) => x.id === person);
    if (p) p.load++;
  }
  return { id, scenario, model: template.model, state, events: moved };
}

/** Instants inside an event's fields (deadlines, timers) move with it. */
function shiftInstants(event: ProjectEvent, shift: number): ProjectEvent {
  const move = (t: string) => new Date(Date.parse(t) + shift).toISOString();
  switch (event.type) {
    case "step.opened":
      return {
        ...event,
        ...(event.dueAt ? { dueAt: move(event.dueAt) } : {}),
        ...(event.targetAt ? { targetAt: move(event.targetAt) } : {}),
      };
    case "step.scheduled":
      return { ...event, opensAt: move(event.opensAt) };
    case "deadline.planned":
      return {
        ...event,
        ...(event.dueAt ? { dueAt: move(event.dueAt) } : {}),
        ...(event.targetAt ? { targetAt: move(event.targetAt) } : {}),
      };
    case "deadline.extended":
    case "step.overdue":
      return { ...event, dueAt: move(event.dueAt) };
    case "step.target_missed":
      return { ...event, targetAt: move(event.targetAt) };
    case "timer.scheduled":
      return { ...event, timer: { ...event.timer, fireAt: move(event.timer.fireAt) } };
    case "timer.fired":
    case "cadence.occurred":
      return event.nextAt ? { ...event, nextAt: move(event.nextAt) } : event;
    case "cadence.started":
    case "cadence.rescheduled":
      return { ...event, nextAt: move(event.nextAt) };
    case "survey.scheduled":
      return { ...event, dueAt: move(event.dueAt) };
    case "task.created":
      return {
        ...event,
        task: { ...event.task, createdAt: move(event.task.createdAt), ...(event.task.dueAt ? { dueAt: move(event.task.dueAt) } : {}) },
      };
    case "issue.opened":
      return { ...event, issue: { ...event.issue, openedAt: move(event.issue.openedAt) } };
    default:
      return event;
  }
}

function jsonRows(rows: readonly Record<string, unknown>[], raw: readonly string[]): string {
  // Columns named in `raw` already hold JSON text (payloads, states): spliced in, not re-encoded.
  return `[${rows
    .map(
      (row) =>
        `{${Object.entries(row)
          .map(([k, v]) => `"${k}":${raw.includes(k) ? (v as string) : JSON.stringify(v ?? null)}`)
          .join(",")}}`,
    )
    .join(",")}]`;
}

/** Write a batch of generated clients in one transaction. */
async function writeBatch(db: Kysely<Schema>, batch: readonly Generated[], now: Instant): Promise<number> {
  let events = 0;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("clients")
      .values(
        batch.map((g) => ({
          id: `${g.id}-client`,
          name: g.scenario.clientName,
          time_zone: g.scenario.place.timeZone,
          country: g.scenario.place.country,
          region: g.scenario.place.region ?? null,
          created_at: g.state.startedAt,
          updated_at: g.state.startedAt,
        })),
      )
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    const projects = batch.map((g) => ({
      id: g.id,
      client_id: `${g.id}-client`,
      playbook_id: g.state.playbook.id,
      playbook_version: g.state.playbook.version,
      state: JSON.stringify(g.state),
      version: g.state.version,
      status: g.state.status,
      next_wake_at: nextWakeAt(g.state) ?? null,
      deal_source: null,
      deal_id: null,
      created_at: g.state.startedAt,
      updated_at: g.events.at(-1)?.at ?? g.state.startedAt,
    }));
    await sql`INSERT INTO projects SELECT * FROM jsonb_populate_recordset(NULL::projects, ${jsonRows(projects, ["state"])}::jsonb)`.execute(
      trx,
    );
    const rows: Record<string, unknown>[] = [];
    for (const g of batch) {
      const chain = chainEvents(g.id, 0, GENESIS_HASH, g.events, now);
      for (const r of chain.rows) rows.push({ ...r, redacted_at: null, redaction: null });
    }
    events = rows.length;
    for (let i = 0; i < rows.length; i += 20_000) {
      await sql`INSERT INTO events SELECT * FROM jsonb_populate_recordset(NULL::events, ${jsonRows(rows.slice(i, i + 20_000), ["payload"])}::jsonb)`.execute(
        trx,
      );
    }
    const roles = batch.flatMap((g) =>
      Object.entries(g.state.assignments).map(([role, person]) => ({
        project_id: g.id,
        role,
        person_id: person,
        assigned_at: g.state.startedAt,
      })),
    );
    for (let i = 0; i < roles.length; i += 10_000)
      await trx
        .insertInto("project_roles")
        .values(roles.slice(i, i + 10_000))
        .execute();
    const summaries: { summary: ProjectSummary; stats: StepStat[] }[] = batch.map((g) => ({
      summary: summarize(g.model, g.state, figuresOf(g.model.playbook, g.events), now),
      stats: stepStats(g.model, g.state, now),
    }));
    // New projects: no stored rows to read back.
    await writeSummaries(metricsDb(trx), summaries, now, { previous: new Map(batch.map((g) => [g.id, undefined])) });
    await writeOpenWork(
      trx as unknown as Kysely<Schema>,
      batch.map((g) => ({ id: g.id, version: g.state.version, rows: openWorkOf(g.model, g.state) })),
    );
  });
  return events;
}

export async function generateDemo(database: Database, options: DemoOptions): Promise<DemoReport> {
  const began = performance.now();
  const seed = options.seed ?? 1;
  const now = options.now;
  const months = options.months ?? 9;
  const total = Math.max(0, Math.floor(options.projects));
  const distinct = Math.max(1, Math.min(total, options.distinct ?? 2000));
  const batchSize = options.batch ?? (database.capabilities.backend === "pglite" ? 200 : 500);
  const models = await latestModels(database.db, options.playbooks);
  if (models.length === 0) throw new Error("no playbook is published: publish the built-in playbooks first");
  const r = rng(seed);
  const prefix = `demo${seed === 1 ? "" : `-${seed}`}-`;
  const team = buildTeam(r, total, prefix);
  await writeTeam(
    database.db,
    team,
    models.map((m) => m.playbook),
    now,
  );
  const names = new Set<string>();
  const templates = new Map<string, Generated[]>();
  const byStatus: Record<string, number> = {};
  const byPlaybook: Record<string, number> = {};
  let batch: Generated[] = [];
  let events = 0;
  let done = 0;
  // One batch is written while the next is simulated: the database works while the engine does.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    await settle();
    writing = writeBatch(database.db, full, now).then(
      (n) => {
        events += n;
        done += full.length;
        options.onProgress?.({ done, total, events });
      },
      (error: unknown) => {
        failure = error;
      },
    );
  };
  let failure: unknown;
  const settle = async () => {
    await writing;
    if (failure !== undefined) throw failure;
  };
  let made = 0;
  for (let i = 0; i < total && !options.signal?.aborted; i++) {
    made++;
    // Simulating is CPU work: let a server running this in the background answer between clients.
    if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    const model = models[i % models.length] as PlaybookModel;
    const pr = rng(seed * 1_000_003 + i);
    const id = `${prefix}${String(i + 1).padStart(6, "0")}`;
    let generated: Generated;
    if (i < distinct) {
      // The oldest start for templates, so moved copies can start at any later week.
      const scenario = scenarioFor(pr, model.playbook, { months, names });
      generated = simulateClient(model, id, scenario, team, now, pr);
      const list = templates.get(model.playbook.id) ?? [];
      list.push(generated);
      templates.set(model.playbook.id, list);
    } else {
      const list = templates.get(model.playbook.id) ?? [];
      const template = list[pr.int(0, list.length - 1)] as Generated;
      const scenario = {
        ...scenarioFor(pr, model.playbook, { months, names }),
        facts: template.scenario.facts,
        segment: template.scenario.segment,
      };
      const maxWeeks = Math.floor((Date.parse(now) - Date.parse(template.state.startedAt)) / WEEK);
      generated = moveClient(template, id, scenario, pr.int(0, Math.max(0, maxWeeks)), team, now);
    }
    byStatus[generated.state.status] = (byStatus[generated.state.status] ?? 0) + 1;
    byPlaybook[generated.state.playbook.id] = (byPlaybook[generated.state.playbook.id] ?? 0) + 1;
    batch.push(generated);
    if (batch.length >= batchSize) await flush();
  }
  if (!options.signal?.aborted) await flush();
  await settle();
  const ms = performance.now() - began;
  return {
    projects: done,
    simulated: Math.min(made, distinct),
    events,
    people: team.length,
    byStatus,
    byPlaybook,
    ms,
    projectsPerSecond: done / (ms / 1000),
    eventsPerSecond: events / (ms / 1000),
  };
}

export type { Team };
