// What a connection must hold before it is saved: the playbooks it names are published, the facts
// it maps are declared by one of them, the people it maps exist, and the kind has what its CRM
// authenticates with. Each error names the field (problem+json pointer).
import type { ConnectionSecrets, ConnectionSettings } from "../../../crm/connection.ts";
import type { CrmKind } from "../../../crm/deal.ts";
import { isTimeZone } from "../../../crm/mapping.ts";
import { listPeople } from "../../../store/index.ts";
import { contentHashOf, modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import { fieldsProblem } from "../../problems.ts";
import { latestVersion } from "../../webhooks/deliveries.ts";

export async function checkConnection(
  deps: ApiDeps,
  kind: CrmKind,
  settings: ConnectionSettings,
  secrets: ConnectionSecrets,
): Promise<void> {
  const errors: { pointer: string; detail: string }[] = [];
  const declared = new Set<string>();
  const roles = new Set<string>();
  for (const [i, choice] of settings.playbooks.entries()) {
    const [id, pinned] = choice.playbook.split("@") as [string, string | undefined];
    const version = pinned ?? (await latestVersion(deps.db, id));
    if (version === undefined || (await contentHashOf(deps.db, id, version)) === undefined) {
      errors.push({
        pointer: `/body/settings/playbooks/${i}/playbook`,
        detail: pinned ? `playbook ${id} version ${pinned} is not published` : `playbook ${id} has no published version`,
      });
      continue;
    }
    const model = await modelOf(deps, id, version);
    for (const fact of Object.keys(model.playbook.facts)) declared.add(fact);
    for (const [role, def] of Object.entries(model.playbook.roles)) if (def.side !== "client") roles.add(role);
  }
  if (errors.length === 0) {
    for (const fact of Object.keys(settings.facts))
      if (!declared.has(fact))
        errors.push({ pointer: `/body/settings/facts/${fact}`, detail: `none of the connection's playbooks declares a fact "${fact}"` });
    const role = settings.owners.role ?? "csm";
    if (Object.keys(settings.owners.people).length > 0 && !roles.has(role))
      errors.push({ pointer: "/body/settings/owners/role", detail: `none of the connection's playbooks has an internal role "${role}"` });
  }
  if (!isTimeZone(settings.client.defaultTimeZone))
    errors.push({ pointer: "/body/settings/client/defaultTimeZone", detail: "must be an IANA time zone such as Europe/Berlin" });
  const people = new Set((await listPeople(deps.database.db)).map((p) => p.id));
  for (const [owner, person] of Object.entries(settings.owners.people))
    if (!people.has(person))
      errors.push({ pointer: `/body/settings/owners/people/${owner}`, detail: `nobody in the directory has the id "${person}"` });
  if (kind === "salesforce" && !settings.tenant)
    errors.push({
      pointer: "/body/settings/tenant",
      detail: "a Salesforce connection needs the organization id (00D…): it is how Outbound Messages are recognised",
    });
  if (kind === "salesforce" && settings.tenant && !/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(settings.tenant))
    errors.push({ pointer: "/body/settings/tenant", detail: "must be a Salesforce organization id (15 or 18 characters, starting 00D)" });
  if (kind === "hubspot" && !secrets.hubspotClientSecret)
    errors.push({
      pointer: "/body/secrets/hubspotClientSecret",
      detail: "HubSpot signs its webhooks with the app's client secret: give it",
    });
  if (kind === "pipedrive" && (!secrets.webhookUser || !secrets.webhookPassword))
    errors.push({
      pointer: "/body/secrets/webhookPassword",
      detail: "Pipedrive webhooks authenticate with the user and password set on the webhook: give both",
    });
  if (settings.reconcile.enabled) {
    if (!secrets.apiToken)
      errors.push({ pointer: "/body/secrets/apiToken", detail: "reconciliation reads the CRM's REST API: give an API token" });
    if (!settings.tenant)
      errors.push({
        pointer: "/body/settings/tenant",
        detail: "reconciliation keys deals by the CRM account: give its id, as the webhooks carry it",
      });
    if (kind === "salesforce" && !settings.apiBaseUrl)
      errors.push({
        pointer: "/body/settings/apiBaseUrl",
        detail: "Salesforce's API lives at the instance URL (https://<domain>.my.salesforce.com)",
      });
  }
  if (errors.length > 0) throw fieldsProblem(errors);
}
