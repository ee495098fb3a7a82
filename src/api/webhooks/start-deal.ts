// A won deal, whatever CRM it came from, starts at most one project: the business key is the deal's
// source and id, enforced by the projects table's UNIQUE (deal_source, deal_id) and the project
// service's check under its start lock. A repeat (a CRM retry, a concurrent duplicate) answers with
// the project the first delivery started. The outcome is recorded either way.
import type { StartInput } from "../../engine/index.ts";
import { isAppError } from "../../store/index.ts";
import { contentHashOf, modelOf } from "../data/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import { HttpProblem } from "../problems.ts";
import { type Endpoint, latestVersion, projectOfDeal, recordDelivery } from "./deliveries.ts";

export interface WonDeal {
  readonly endpoint: Endpoint;
  readonly requestId: string;
  /** The raw body (or a batch event's own JSON) to keep with the record. */
  readonly body: string;
  readonly deal: NonNullable<StartInput["deal"]>;
  readonly client: StartInput["client"];
  readonly playbook: { readonly id: string; readonly version?: string | undefined };
  readonly facts: Readonly<Record<string, unknown>>;
  /** Where in the request the playbook was named, for a located 422 ("/body/playbook"). */
  readonly playbookPointer: string;
  /** The CRM connection it came through, the deal as read, and the delivery it replays: kept with the record. */
  readonly connectionId?: string | undefined;
  readonly dealRecord?: unknown;
  readonly replayOf?: string | undefined;
  /** A client that exists keeps its name, zone and country (an admin may have renamed it; a second deal must not). */
  readonly keepExistingClient?: boolean;
  /** Called with the new project, inside the delivery, before it is recorded: e.g. assign the deal owner. */
  readonly afterStart?: (projectId: string) => Promise<string | undefined>;
}

export interface DealResult {
  readonly deliveryId: string;
  readonly outcome: "accepted" | "duplicate" | "ignored" | "rejected";
  readonly dealId: string | null;
  readonly projectId: string | null;
  readonly reason: string | null;
}

/** A deal the payload cannot start (recorded as rejected): `problem` is the located error to answer with. */
export interface Rejected extends DealResult {
  readonly outcome: "rejected";
  readonly problem: unknown;
}

/** A 422 naming the field at fault. */
export function unprocessable(pointer: string, detail: string): HttpProblem {
  return new HttpProblem("invalid", detail, { extensions: { errors: [{ pointer, detail }] } });
}

async function resolvePlaybook(deps: ApiDeps, won: WonDeal): Promise<{ id: string; version: string }> {
  const { id, version } = won.playbook;
  if (version !== undefined) {
    if ((await contentHashOf(deps.db, id, version)) === undefined) {
      throw unprocessable(won.playbookPointer, `playbook ${id} version ${version} is not published`);
    }
    return { id, version };
  }
  const latest = await latestVersion(deps.db, id);
  if (latest === undefined) throw unprocessable(won.playbookPointer, `playbook ${id} has no published version`);
  return { id, version: latest };
}

/** The client as stored, when it exists: a new deal of the same account does not rename it. */
async function existingClient(deps: ApiDeps, client: StartInput["client"]): Promise<StartInput["client"]> {
  const row = await deps.db
    .selectFrom("clients")
    .select(["name", "time_zone", "country", "region"])
    .where("id", "=", client.id)
    .executeTakeFirst();
  if (!row) return client;
  return {
    id: client.id,
    name: row.name,
    timeZone: row.time_zone,
    ...(row.country ? { country: row.country } : {}),
    ...(row.region ? { region: row.region } : {}),
  };
}

/** Whether a deal stage that is not won starts the playbook's projects (its `starts_on: crm_stages`). */
export async function startsOnStage(deps: ApiDeps, playbook: WonDeal["playbook"], stage: string): Promise<boolean> {
  const wanted = stage.trim().toLowerCase();
  if (wanted === "") return false;
  const version = playbook.version ?? (await latestVersion(deps.db, playbook.id));
  if (version === undefined || (await contentHashOf(deps.db, playbook.id, version)) === undefined) return false;
  const model = await modelOf(deps, playbook.id, version);
  return (model.playbook.starts_on?.crm_stages ?? []).some((s) => s.trim().toLowerCase() === wanted);
}

/**
 * Start the deal's project, or find the one it already started. A payload that cannot start one
 * (unknown playbook, facts the playbook rejects) is recorded and returned as rejected; anything
 * else unexpected is recorded as failed and thrown (a 5xx: the CRM retries, deduplicated).
 */
export async function startWonDeal(deps: ApiDeps, won: WonDeal): Promise<DealResult | Rejected> {
  const { deal } = won;
  const record = async (outcome: DealResult["outcome"] | "failed", projectId: string | null, reason: string | null) =>
    recordDelivery(
      deps.db,
      {
        endpoint: won.endpoint,
        source: deal.source,
        outcome,
        reason,
        dealId: deal.dealId,
        projectId,
        requestId: won.requestId,
        body: won.body,
        connectionId: won.connectionId,
        deal: won.dealRecord,
        replayOf: won.replayOf,
      },
      deps.clock(),
    );
  const duplicate = async (projectId: string): Promise<DealResult> => {
    const reason = `deal ${deal.source}:${deal.dealId} already started project ${projectId}`;
    return { deliveryId: await record("duplicate", projectId, reason), outcome: "duplicate", dealId: deal.dealId, projectId, reason };
  };

  // The common repeat (a CRM retry) is answered without taking the start lock.
  const existing = await projectOfDeal(deps.db, deal.source, deal.dealId);
  if (existing) return duplicate(existing);
  try {
    const playbook = await resolvePlaybook(deps, won);
    const client = won.keepExistingClient ? await existingClient(deps, won.client) : won.client;
    const result = await deps.service.startProject({
      playbook,
      input: { client, facts: won.facts, deal },
      now: deps.clock(),
    });
    const note = won.afterStart ? await won.afterStart(result.projectId) : undefined;
    return {
      deliveryId: await record("accepted", result.projectId, note ?? null),
      outcome: "accepted",
      dealId: deal.dealId,
      projectId: result.projectId,
      reason: note ?? null,
    };
  } catch (error) {
    if (isAppError(error, "conflict")) {
      // A concurrent delivery of the same deal won the race; its project is committed by now.
      const winner = await projectOfDeal(deps.db, deal.source, deal.dealId);
      if (winner) return duplicate(winner);
    }
    const clientError =
      (error instanceof HttpProblem && error.kind === "invalid") ||
      (isAppError(error) && (error.code === "invalid" || error.code === "not_found" || error.code === "illegal_state"));
    const reason = error instanceof Error ? error.message : String(error);
    if (!clientError) {
      await record("failed", null, reason).catch(() => {});
      throw error;
    }
    const deliveryId = await record("rejected", null, reason);
    return { deliveryId, outcome: "rejected", dealId: deal.dealId, projectId: null, reason, problem: error };
  }
}
