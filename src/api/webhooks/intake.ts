// A deal from a CRM connection, whatever carried it (a webhook, a replay, the reconciliation
// pull), becomes an onboarding or a recorded reason why not. Every outcome is in the delivery log
// with the deal as read, so what was not started can be replayed once its cause is fixed.
import { type Connection, choosePlaybook, decideWon, tenantOf, wasAlreadyWon } from "../../crm/connection.ts";
import { type CrmDeal, VENDOR_FIELDS } from "../../crm/deal.ts";
import { accountIdOf, amountOf, mapClient, mapFacts, ownerPerson, vendorName } from "../../crm/mapping.ts";
import { SYSTEM } from "../../engine/index.ts";
import { listPeople } from "../../store/index.ts";
import { modelOf } from "../data/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import { type Endpoint, latestVersion, projectOfDeal, recordDelivery } from "./deliveries.ts";
import { type DealResult, type Rejected, startsOnStage, startWonDeal } from "./start-deal.ts";

/** Fetches the whole deal with its account through the CRM's REST API (src/crm/rest.ts). */
export type DealFetcher = (connection: Connection, dealId: string) => Promise<CrmDeal>;

export interface Intake {
  readonly endpoint: Endpoint;
  readonly requestId: string;
  /** What was received, to keep with the record (a batch's event, a notification as JSON). */
  readonly body: string;
  readonly connection: Connection;
  readonly deal: CrmDeal;
  readonly replayOf?: string | undefined;
  /** Absent: the connection has no API token, or fetching is off for this path. */
  readonly fetchDeal?: DealFetcher | undefined;
}

/** The business key's first half: the CRM and its account (deal ids are only unique within one). */
export function dealSource(connection: Connection, deal: CrmDeal): string {
  const tenant = tenantOf(connection) ?? deal.tenant;
  return tenant ? `${connection.kind}:${tenant}` : connection.kind;
}

export async function takeDeal(deps: ApiDeps, intake: Intake): Promise<DealResult | Rejected> {
  const { connection } = intake;
  let deal = intake.deal;
  const source = dealSource(connection, deal);
  const record = async (
    outcome: "ignored" | "rejected" | "duplicate",
    reason: string,
    projectId: string | null = null,
  ): Promise<DealResult> => {
    const deliveryId = await recordDelivery(
      deps.db,
      {
        endpoint: intake.endpoint,
        source,
        outcome,
        reason,
        dealId: deal.dealId,
        projectId,
        requestId: intake.requestId,
        body: intake.body,
        connectionId: connection.id,
        deal,
        replayOf: intake.replayOf,
      },
      deps.clock(),
    );
    return { deliveryId, outcome, dealId: deal.dealId, projectId, reason };
  };
  if (!connection.settings.enabled) return record("rejected", `connection ${connection.id} is turned off`);
  const expected = tenantOf(connection);
  if (expected && deal.tenant && expected !== deal.tenant)
    return record("ignored", `the deal is from ${vendorName(connection.kind)} account ${deal.tenant}, not this connection's (${expected})`);

  // A retry of a deal that started its project is answered before any fetch.
  const existing = await projectOfDeal(deps.db, source, deal.dealId);
  if (existing) return record("duplicate", `deal ${source}:${deal.dealId} already started project ${existing}`, existing);

  let decision = decideWon(connection, deal);
  let fetchNote: string | undefined;
  const stageField = VENDOR_FIELDS[connection.kind].stage;
  // What the payload says may not be all: fetch the whole deal when it might start a project.
  const mayStart = async () => decision.won !== false || (await stageStarts(deps, connection, deal, stageField)) !== undefined;
  // The account's name and fields come from the REST API when the payload names only its id.
  const accountMissing = !deal.account && accountIdOf(connection.kind, deal) !== undefined;
  if (!deal.complete || decision.won === "unknown" || accountMissing) {
    if (intake.fetchDeal && (await mayStart())) {
      try {
        const fetched = await intake.fetchDeal(connection, deal.dealId);
        deal = { ...fetched, tenant: deal.tenant ?? fetched.tenant, ...(deal.previous ? { previous: deal.previous } : {}) };
        decision = decideWon(connection, deal);
      } catch (error) {
        const why = `fetching the deal from ${vendorName(connection.kind)} failed: ${error instanceof Error ? error.message : String(error)}`;
        // The CRM's API is down or refuses the token: a payload that cannot decide alone waits for a replay.
        if (!deal.complete || decision.won === "unknown") return record("rejected", why);
        fetchNote = `${why}; started from the webhook's data`;
      }
    }
  }
  if (decision.won === "unknown")
    return record(
      "rejected",
      `the payload carries none of the fields the won rules read (${decision.missing.join(", ")}): send them with the message, give the connection an API token to fetch them, or change its won rules`,
    );
  if (decision.won && wasAlreadyWon(connection, deal)) return record("ignored", "the deal was already won before this change");

  const choice = choosePlaybook(connection, deal);
  if ("none" in choice) return record("rejected", choice.none);
  const playbookRef = { id: choice.id, ...(choice.version ? { version: choice.version } : {}) };
  const stage = deal.fields[stageField] ?? (decision.won ? "won" : "");
  if (!decision.won) {
    const early = await stageStarts(deps, connection, deal, stageField);
    if (early === undefined) return record("ignored", decision.why);
  }
  const version = playbookRef.version ?? (await latestVersion(deps.db, playbookRef.id));
  if (version === undefined) return record("rejected", `playbook ${playbookRef.id} has no published version`);
  const model = await modelOf(deps, playbookRef.id, version).catch(() => undefined);
  if (!model) return record("rejected", `playbook ${playbookRef.id} version ${version} is not published`);
  const mapped = mapFacts(connection, deal, model.playbook.facts);
  if ("error" in mapped) return record("rejected", mapped.error);
  const client = mapClient(connection, deal);
  const owner = ownerPerson(connection, deal);

  return startWonDeal(deps, {
    endpoint: intake.endpoint,
    requestId: intake.requestId,
    body: intake.body,
    deal: { source, dealId: deal.dealId, stage: stage || "won", amount: amountOf(connection.kind, deal), won: decision.won },
    client: { id: client.id, name: client.name, timeZone: client.timeZone, ...(client.country ? { country: client.country } : {}) },
    playbook: { id: playbookRef.id, version },
    facts: mapped.facts,
    playbookPointer: `/connections/${connection.id}/playbooks/${choice.choice}`,
    connectionId: connection.id,
    dealRecord: deal,
    replayOf: intake.replayOf,
    keepExistingClient: true,
    afterStart: async (projectId) => {
      const notes: string[] = fetchNote ? [fetchNote] : [];
      if (!client.named)
        notes.push(
          `the client is named after the deal id: give the connection an API token (the ${connection.kind === "hubspot" ? "company" : "account"} is fetched) or map a name field`,
        );
      const ownerId = deal.fields[VENDOR_FIELDS[connection.kind].owner];
      const assigned = owner ? await assignOwner(deps, connection, projectId, owner) : undefined;
      if (assigned) notes.push(assigned);
      // Say who holds the role now, as the project shows it: the owner, the playbook's rules' choice, or nobody.
      if (!assigned || !/^the deal owner .* (takes|holds) /.test(assigned))
        notes.push(
          await roleHolder(
            deps,
            connection,
            projectId,
            owner
              ? "the deal owner did not take it"
              : ownerId
                ? `deal owner ${ownerId} is not mapped to a person`
                : "the deal names no owner",
          ),
        );
      return notes.length > 0 ? notes.join("; ") : undefined;
    },
  });
}

/** The stage, when the playbook chosen for the deal starts on it (starts_on: crm_stages) and this change moved the deal there. */
async function stageStarts(deps: ApiDeps, connection: Connection, deal: CrmDeal, stageField: string): Promise<string | undefined> {
  const stage = deal.fields[stageField];
  if (!stage) return undefined;
  if (deal.previous && Object.hasOwn(deal.previous, stageField) && deal.previous[stageField] === stage) return undefined;
  const choice = choosePlaybook(connection, deal);
  if ("none" in choice) return undefined;
  const starts = await startsOnStage(deps, { id: choice.id, ...(choice.version ? { version: choice.version } : {}) }, stage);
  return starts ? stage : undefined;
}

/** Who holds the connection's owner role on the new project, in words an admin can act on. */
async function roleHolder(deps: ApiDeps, connection: Connection, projectId: string, unmapped: string): Promise<string> {
  const role = connection.settings.owners.role ?? "csm";
  const project = await deps.service.getProject(projectId);
  const holder = project.state.assignments[role];
  if (holder === undefined) {
    const model = await modelOf(deps, project.playbook.id, project.playbook.version);
    const def = model.playbook.roles[role];
    if (!def) return unmapped;
    const how = def.assignment
      ? `the playbook's assignment rules found nobody for ${role}`
      : `the playbook has no assignment rules for ${role}`;
    return `${unmapped}, and ${how}: assign one on the project's Team tab, or map deal owners to people on the connection`;
  }
  const person = (await listPeople(deps.database.db)).find((p) => p.id === holder);
  return `${unmapped}: ${role} is ${person?.name ?? holder}, by the playbook's assignment rules`;
}

/** The deal owner's person takes the connection's owner role on the new project; what happened, in words. */
async function assignOwner(deps: ApiDeps, connection: Connection, projectId: string, personId: string): Promise<string> {
  const role = connection.settings.owners.role ?? "csm";
  try {
    const project = await deps.service.getProject(projectId);
    if (project.state.assignments[role] === personId) return `the deal owner ${personId} holds ${role}`;
    const person = (await listPeople(deps.database.db)).find((p) => p.id === personId);
    if (!person?.active) return `the deal owner's person ${personId} is not an active person: ${role} was assigned by load`;
    await deps.service.runCommand(projectId, {
      command: { type: "assign", role, person: personId },
      actor: SYSTEM,
      expectedVersion: project.version,
      now: deps.clock(),
    });
    return `the deal owner ${person.name} takes ${role}`;
  } catch (error) {
    return `the deal owner ${personId} could not take ${role}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
