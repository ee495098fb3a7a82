// Checks of the process-mining exports against the standards (test/fixtures/process-mining): XES
// against IEEE 1849's XSD with xmllint, OCEL 2.0 against its JSON Schema with ajv, and what the
// schemas cannot say (types declared, relationships to objects that exist, ids unique).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { XMLParser } from "fast-xml-parser";

// biome-ignore lint/suspicious/noExplicitAny: parsed documents are checked field by field.
type Json = any;

const FIXTURES = new URL("../fixtures/process-mining/", import.meta.url);
const XSD = new URL("xes-ieee-1849-2016.xsd", FIXTURES).pathname;
const OCEL_SCHEMA = JSON.parse(readFileSync(new URL("ocel20-schema-json.json", FIXTURES), "utf8"));

const xmllint = (() => {
  try {
    execFileSync("xmllint", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const NO_XMLLINT = "xmllint is not installed (Debian: apt-get install libxml2-utils); the XES schema check is skipped";
if (!xmllint && process.env.CI === "true") throw new Error(`${NO_XMLLINT}, and under CI=true nothing is skipped`);
if (!xmllint) console.log(`# ${NO_XMLLINT}`);

/** xmllint's verdict on a document against the XES XSD: "" when valid, its complaints otherwise. */
export function xesProblems(xml: string): string {
  if (!xmllint) return "";
  const dir = mkdtempSync(join(tmpdir(), "onboard-xes-"));
  try {
    const file = join(dir, "log.xes");
    writeFileSync(file, xml);
    execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: "pipe" });
    return "";
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
export const ocelSchema = ajv.compile(OCEL_SCHEMA);
/** Whether a document is valid against the OCEL 2.0 JSON Schema (its errors then in ocelSchema.errors). */
export const validateOcel = (doc: Json): boolean => ocelSchema(doc) as boolean;

export async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = "";
  for await (const chunk of chunks) all += chunk;
  return all;
}

export async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

export const xesParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) => ["trace", "event", "string", "date", "int", "id"].includes(name),
});

/** A trace's or event's attributes by key, as strings. */
export function attributesOf(node: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of ["string", "date", "int", "id"]) for (const a of node[kind] ?? []) out[a.key] = String(a.value);
  return out;
}

/** What an OCEL document must hold beyond its schema: declared types, relationships to existing objects, unique ids. */
export function ocelIntegrity(doc: Json): void {
  const objectIds = new Set<string>(doc.objects.map((o: Json) => o.id));
  assert.equal(objectIds.size, doc.objects.length, "object ids are unique");
  assert.equal(new Set(doc.events.map((e: Json) => e.id)).size, doc.events.length, "event ids are unique");
  const eventTypes = new Set(doc.eventTypes.map((t: Json) => t.name));
  const objectTypes = new Set(doc.objectTypes.map((t: Json) => t.name));
  for (const e of doc.events) {
    assert.ok(eventTypes.has(e.type), `event type ${e.type} is declared`);
    for (const r of e.relationships) assert.ok(objectIds.has(r.objectId), `${e.id} relates to ${r.objectId}, which exists`);
  }
  for (const o of doc.objects) {
    assert.ok(objectTypes.has(o.type), `object type ${o.type} is declared`);
    for (const r of o.relationships) assert.ok(objectIds.has(r.objectId), `${o.id} relates to ${r.objectId}, which exists`);
  }
}
