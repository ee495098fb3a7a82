// The event log as XES (IEEE Std 1849-2016), the format ProM, PM4Py, Disco, Celonis and Apromore
// read: one trace per project, one event per activity (activities.ts) with the standard
// extensions' keys (concept:name, lifecycle:transition, time:timestamp, org:resource, org:role,
// identity:id) and Onboard's own under the `onboard:` prefix. Written as a stream of chunks, a
// project at a time, so a large portfolio never sits in memory. The document validates against the
// standard's XSD (test/fixtures/process-mining), which declares no namespace: elements are
// unqualified and xes.version is a decimal, as OpenXES writes them.
import { type Activity, activitiesOf, type CaseEvents } from "./activities.ts";
import { xmlAttribute } from "./xml-text.ts";

export interface XesHeader {
  /** The log's name (concept:name of the log). */
  readonly name: string;
  readonly generatedAt: string;
}

const EXTENSIONS: readonly [name: string, prefix: string][] = [
  ["Concept", "concept"],
  ["Time", "time"],
  ["Lifecycle", "lifecycle"],
  ["Organizational", "org"],
  ["Identity", "identity"],
];

const string = (key: string, value: string) => `<string key="${key}" value="${xmlAttribute(value)}"/>`;

function header(h: XesHeader): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1.0" xes.features="nested-attributes">',
    ...EXTENSIONS.map(
      ([name, prefix]) => `  <extension name="${name}" prefix="${prefix}" uri="http://www.xes-standard.org/${prefix}.xesext"/>`,
    ),
    `  <global scope="trace">${string("concept:name", "__INVALID__")}</global>`,
    `  <global scope="event">${string("concept:name", "__INVALID__")}${string("lifecycle:transition", "complete")}<date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/></global>`,
    '  <classifier name="Activity" keys="concept:name"/>',
    '  <classifier name="Activity_lifecycle" keys="concept:name lifecycle:transition"/>',
    `  ${string("concept:name", h.name)}`,
    `  <date key="onboard:generated_at" value="${xmlAttribute(h.generatedAt)}"/>`,
    "",
  ].join("\n");
}

function eventXml(a: Activity): string {
  const parts = [
    string("concept:name", a.name),
    string("lifecycle:transition", a.lifecycle),
    `<date key="time:timestamp" value="${xmlAttribute(a.at)}"/>`,
    string("org:resource", a.resource),
    ...(a.role ? [string("org:role", a.role)] : []),
    `<id key="identity:id" value="${xmlAttribute(a.id)}"/>`,
    string("onboard:kind", a.kind),
    ...(a.step ? [string("onboard:step", a.step)] : []),
    ...(a.phase ? [string("onboard:phase", a.phase)] : []),
    ...(a.branch ? [string("onboard:branch", a.branch)] : []),
    `<int key="onboard:seq" value="${a.seq}"/>`,
  ];
  return `    <event>${parts.join("")}</event>\n`;
}

/** One project's trace. */
export function xesTrace(c: CaseEvents): string {
  const i = c.info;
  const attributes = [
    string("concept:name", i.projectId),
    string("onboard:client", i.clientName),
    string("onboard:client_id", i.clientId),
    string("onboard:playbook", i.playbookId),
    string("onboard:playbook_version", i.playbookVersion),
    string("onboard:status", i.status),
    `<date key="onboard:started_at" value="${xmlAttribute(i.startedAt)}"/>`,
    ...(i.segment ? [string("onboard:segment", i.segment)] : []),
    ...(i.csm ? [string("onboard:csm", i.csm)] : []),
  ];
  return `  <trace>${attributes.join("")}\n${activitiesOf(c).map(eventXml).join("")}  </trace>\n`;
}

/** The whole log, chunk by chunk. */
export async function* xesLog(cases: AsyncIterable<CaseEvents>, h: XesHeader): AsyncGenerator<string> {
  yield header(h);
  for await (const c of cases) yield xesTrace(c);
  yield "</log>\n";
}
