// Salesforce Outbound Messages (SOAP), read into deals. A workflow rule or flow sends the fields
// the admin picked from an Opportunity, so any field may be missing, StageName and IsWon included.
// Text is decoded in one pass (XML's five entities and character references), so "M&#252;ller"
// is Müller and "&amp;#252;" stays the literal text "&#252;".
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
import { XMLParser } from "fast-xml-parser";
import type { CrmDeal } from "../deal.ts";

export interface OutboundNotification {
  /** The notification's own id (Salesforce resends it with the same id until it is acknowledged). */
  readonly id: string;
  readonly deal: CrmDeal;
}

/** Salesforce record and org ids: 15 characters, or 18 with the case-safe suffix. */
const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export type OutboundMessage =
  | { readonly orgId: string; readonly notifications: readonly OutboundNotification[] }
  | { readonly error: string };

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

export function decodeXmlText(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-z]+));/g, (whole, dec: string, hex: string, name: string) => {
    if (name) return ENTITIES[name] ?? whole;
    const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
    // XML forbids references to NUL, surrogates and beyond U+10FFFF: keep such text as it came.
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
    return String.fromCodePoint(code);
  });
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, parseTagValue: false, processEntities: false });

type Node = Record<string, unknown>;

function text(value: unknown): string | undefined {
  if (typeof value === "string") return decodeXmlText(value);
  if (typeof value === "object" && value !== null && "#text" in value) return decodeXmlText(String((value as Node)["#text"]));
  return undefined;
}

/** A nil field (xsi:nil="true") is sent empty; an element with text is its value. */
function fieldValue(value: unknown): string | null | undefined {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const node = value as Node;
    if (node["@_nil"] === "true") return null;
    if (!("#text" in node)) return Object.keys(node).every((k) => k.startsWith("@_")) ? "" : undefined;
  }
  return text(value);
}

/** The message's organization and notifications, or why it cannot be read. */
export function readOutboundMessage(xml: string): OutboundMessage {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (error) {
    return { error: `the body is not XML: ${error instanceof Error ? error.message : String(error)}` };
  }
  const envelope = doc.Envelope as Node | undefined;
  const notifications = (envelope?.Body as Node | undefined)?.notifications as Node | undefined;
  if (!notifications) return { error: "not a Salesforce Outbound Message: no soapenv:Envelope/Body/notifications" };
  const orgId = text(notifications.OrganizationId);
  if (!orgId) return { error: "the message has no OrganizationId" };
  if (!SALESFORCE_ID.test(orgId)) return { error: "the message's OrganizationId is not a Salesforce id (15 or 18 letters and digits)" };
  const list = [notifications.Notification ?? []].flat() as Node[];
  if (list.length === 0) return { error: "the message has no Notification" };
  const read: OutboundNotification[] = [];
  for (const [i, n] of list.entries()) {
    const sObject = n.sObject as Node | undefined;
    const type = sObject ? String(sObject["@_type"] ?? "") : "";
    if (!sObject || !/(^|:)Opportunity$/.test(type))
      return { error: `Notification ${i + 1} does not carry an Opportunity (xsi:type ${type || "missing"})` };
    const opportunityId = text(sObject.Id);
    const id = text(n.Id);
    if (!opportunityId || !id) return { error: `Notification ${i + 1} lacks its Id or the Opportunity's Id` };
    if (!SALESFORCE_ID.test(opportunityId))
      return { error: `Notification ${i + 1}: the Opportunity's Id is not a Salesforce id (15 or 18 letters and digits)` };
    const fields: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(sObject)) {
      if (name.startsWith("@_") || name === "#text") continue;
      const v = fieldValue(Array.isArray(value) ? value[0] : value);
      if (v !== undefined) fields[name] = v;
    }
    read.push({
      id,
      deal: { kind: "salesforce", tenant: orgId.slice(0, 15), dealId: opportunityId, fields, complete: false },
    });
  }
  return { orgId, notifications: read };
}
