// Pipedrive's deal webhooks, read into deals: v2 (the default for new webhooks: meta.action
// "change", meta.entity "deal", the deal in data, the changed fields' old values in previous) and
// v1 (event "updated.deal", the deal in current, the old deal in previous). Custom fields are
// keyed by their hash: in v1 at the top level of the deal, in v2 under custom_fields.
// https://pipedrive.readme.io/docs/guide-for-webhooks-v2
// https://pipedrive.readme.io/docs/webhooks-v2-migration-guide
// https://pipedrive.readme.io/docs/guide-for-webhooks (v1)
import type { CrmDeal, FieldValues } from "../deal.ts";

export type PipedriveReading =
  | { readonly deal: CrmDeal }
  | { readonly ignored: string }
  | { readonly invalid: string; readonly pointer: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** One field as text: scalars as written; a v2 money or option object by its value; lists joined. */
function asText(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((v) => asText(v) ?? "").join(",");
  if (isObject(value)) {
    // v1 org_id/user_id can be expanded objects ({ value: 12, name: "Acme" }); v2 money { value, currency }.
    if ("value" in value) return asText(value.value);
    if ("id" in value) return asText(value.id);
  }
  return undefined;
}

/** A Pipedrive deal object as fields (custom_fields flattened by their hash keys). */
export function pipedriveFields(deal: Json): FieldValues {
  const fields: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(deal)) {
    if (key === "custom_fields" && isObject(value)) {
      for (const [hash, custom] of Object.entries(value)) {
        const text = asText(custom);
        if (text !== undefined) fields[hash] = text;
      }
      continue;
    }
    const text = asText(value);
    if (text !== undefined) fields[key] = text;
  }
  // v1 names the owner user_id; v2 owner_id: both answer to owner_id.
  if (fields.owner_id === undefined && fields.user_id !== undefined) fields.owner_id = fields.user_id;
  // An expanded v1 org_id carries the organization's name.
  if (isObject(deal.org_id) && typeof deal.org_id.name === "string" && fields.org_name === undefined) fields.org_name = deal.org_id.name;
  return fields;
}

function occurredAt(meta: Json): string | undefined {
  const t = meta.timestamp;
  if (typeof t === "number" && Number.isFinite(t)) return new Date(t < 1e12 ? t * 1000 : t).toISOString();
  if (typeof t === "string" && !Number.isNaN(Date.parse(t))) return new Date(t).toISOString();
  return undefined;
}

export function readPipedriveWebhook(body: Json): PipedriveReading {
  const meta = isObject(body.meta) ? body.meta : {};
  const v2 = "data" in body || meta.version === "2.0" || "entity" in meta;
  const object = String(meta.entity ?? meta.object ?? (typeof body.event === "string" ? body.event.split(".")[1] : "") ?? "");
  const action = String(meta.action ?? (typeof body.event === "string" ? body.event.split(".")[0] : "") ?? "");
  const what = `${action || "(no action)"}.${object || "(no object)"}`;
  if (object !== "deal") return { ignored: `${what} is not about a deal` };
  // v2 "change" and "create" (a deal can be created won); v1 "updated" / "added" (and "change" from early v2 drafts).
  if (!["change", "create", "updated", "added"].includes(action)) return { ignored: `${what} is not a deal change` };
  const current = v2 ? body.data : body.current;
  const pointer = v2 ? "/body/data" : "/body/current";
  if (!isObject(current)) return { invalid: `a deal ${action} must carry the deal in ${v2 ? "data" : "current"}`, pointer };
  const id = asText(current.id) ?? asText(meta.entity_id) ?? asText(meta.id);
  if (!id) return { invalid: "the deal has no id", pointer: `${pointer}/id` };
  const previous = isObject(body.previous) ? pipedriveFields(body.previous) : undefined;
  const companyId = asText(meta.company_id);
  const at = occurredAt(meta);
  return {
    deal: {
      kind: "pipedrive",
      tenant: companyId ?? undefined,
      dealId: id,
      fields: pipedriveFields(current),
      ...(previous ? { previous } : {}),
      complete: true,
      ...(at ? { occurredAt: at } : {}),
    },
  };
}
