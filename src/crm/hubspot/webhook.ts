// HubSpot's webhook batches, read into deals. HubSpot sends ids and the one property that changed:
// legacy subscriptions as deal.propertyChange, the generic ones (since 2024) as
// object.propertyChange with objectTypeId 0-3 for deals. Every event names its portal (the HubSpot
// account), which scopes the deal id: an app installed in two portals sees two deals numbered 1.
// https://developers.hubspot.com/docs/api/webhooks (payload fields)
// https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions (object.*)
import type { CrmDeal } from "../deal.ts";

export interface HubspotEvent {
  readonly objectId: string | number;
  readonly subscriptionType: string;
  readonly objectTypeId?: string | undefined;
  readonly propertyName?: string | undefined;
  readonly propertyValue?: string | undefined;
  readonly portalId?: string | number | undefined;
  readonly occurredAt?: number | undefined;
}

const DEAL_OBJECT_TYPE = "0-3";

export type HubspotReading = { readonly deal: CrmDeal } | { readonly ignored: string };

/** A deal property change, or why the event is not one. */
export function readHubspotEvent(event: HubspotEvent): HubspotReading {
  const type = event.subscriptionType;
  const isDealChange = type === "deal.propertyChange" || (type === "object.propertyChange" && event.objectTypeId === DEAL_OBJECT_TYPE);
  if (!isDealChange) {
    const object = type.startsWith("object.") ? ` of object type ${event.objectTypeId ?? "(none)"}` : "";
    return { ignored: `${type}${object} is not a deal property change` };
  }
  if (!event.propertyName) return { ignored: `${type} without propertyName` };
  return {
    deal: {
      kind: "hubspot",
      tenant: event.portalId === undefined ? undefined : String(event.portalId),
      dealId: String(event.objectId),
      fields: { [event.propertyName]: event.propertyValue ?? null },
      complete: false,
      ...(event.occurredAt !== undefined && Number.isFinite(event.occurredAt)
        ? { occurredAt: new Date(event.occurredAt).toISOString() }
        : {}),
    },
  };
}
