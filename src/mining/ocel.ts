// The event log as OCEL 2.0 JSON (the object-centric standard, ocel-standard.org), for tools that
// follow more than one object through the process (PM4Py, Celonis object-centric, OCPM tools):
// objects are the onboarding, its client, each of its steps and each person who acted or holds a
// role; every event names the objects it touched, with a qualifier. Event types are the activities:
// a step's title for its completion, "(opened)", "(started)", "(skipped)", "(left out)" for the rest
// of its lifecycle, the sign-offs and the project's milestones.
//
// Written as a stream: events as each project is read, then the objects and the types seen (JSON
// key order carries no meaning). As the standard's JSON Schema requires, attribute values are
// strings and object attributes carry the time they took that value.
import { type Activity, activitiesOf, type CaseEvents, type Lifecycle } from "./activities.ts";

interface OcelAttribute {
  readonly name: string;
  readonly value: string;
}
interface OcelObject {
  readonly id: string;
  readonly type: string;
  readonly attributes: (OcelAttribute & { readonly time: string })[];
  readonly relationships: { objectId: string; qualifier: string }[];
}

const SUFFIX: Record<Lifecycle, string> = {
  schedule: " (opened)",
  start: " (started)",
  complete: "",
  manualskip: " (skipped)",
  autoskip: " (left out)",
};

/** The OCEL event type (activity) of an activity. */
export function ocelType(a: Activity): string {
  return a.kind === "step" ? `${a.name}${SUFFIX[a.lifecycle]}` : a.name;
}

const EVENT_ATTRIBUTES = ["lifecycle", "role", "branch", "phase"] as const;

const OBJECT_TYPES = [
  { name: "Onboarding", attributes: ["playbook", "playbook_version", "status", "segment"] },
  { name: "Client", attributes: ["name"] },
  { name: "Step", attributes: ["step", "title", "phase", "owner_role"] },
  { name: "Person", attributes: [] },
] as const;

export const objectId = {
  onboarding: (project: string) => `onboarding:${project}`,
  client: (client: string) => `client:${client}`,
  step: (project: string, step: string) => `step:${project}/${step}`,
  person: (person: string) => `person:${person}`,
};

/** The log, chunk by chunk: a JSON document valid against the OCEL 2.0 JSON Schema. */
export async function* ocelLog(cases: AsyncIterable<CaseEvents>): AsyncGenerator<string> {
  const objects = new Map<string, OcelObject>();
  const eventTypes = new Set<string>();
  const object = (o: Omit<OcelObject, "attributes" | "relationships"> & Partial<OcelObject>): OcelObject => {
    const known = objects.get(o.id);
    if (known) return known;
    const made: OcelObject = { attributes: [], relationships: [], ...o };
    objects.set(o.id, made);
    return made;
  };
  const relate = (from: OcelObject, objectId: string, qualifier: string) => {
    if (!from.relationships.some((r) => r.objectId === objectId && r.qualifier === qualifier))
      from.relationships.push({ objectId, qualifier });
  };
  yield '{"events":[';
  let first = true;
  for await (const c of cases) {
    const i = c.info;
    const onboarding = object({
      id: objectId.onboarding(i.projectId),
      type: "Onboarding",
      attributes: [
        { name: "playbook", value: i.playbookId, time: i.startedAt },
        { name: "playbook_version", value: i.playbookVersion, time: i.startedAt },
        { name: "status", value: i.status, time: i.startedAt },
        ...(i.segment ? [{ name: "segment", value: i.segment, time: i.startedAt }] : []),
      ],
    });
    object({ id: objectId.client(i.clientId), type: "Client", attributes: [{ name: "name", value: i.clientName, time: i.startedAt }] });
    relate(onboarding, objectId.client(i.clientId), "for client");
    for (const { event } of c.events)
      if (event.type === "role.assigned") {
        object({ id: objectId.person(event.person), type: "Person" });
        relate(onboarding, objectId.person(event.person), event.role);
      }
    const chunk: string[] = [];
    for (const a of activitiesOf(c)) {
      const type = ocelType(a);
      eventTypes.add(type);
      const relationships = [{ objectId: onboarding.id, qualifier: "onboarding" }];
      if (a.step) {
        const entry = c.model?.steps.get(a.step);
        const step = object({
          id: objectId.step(i.projectId, a.step),
          type: "Step",
          attributes: [
            { name: "step", value: a.step, time: i.startedAt },
            { name: "title", value: entry?.step.title ?? a.step, time: i.startedAt },
            ...(entry ? [{ name: "phase", value: entry.phase.id, time: i.startedAt }] : []),
            ...(entry ? [{ name: "owner_role", value: entry.step.owner, time: i.startedAt }] : []),
          ],
        });
        relate(step, onboarding.id, "part of");
        relationships.push({ objectId: step.id, qualifier: "step" });
      }
      object({ id: objectId.person(a.resource), type: "Person" });
      relationships.push({
        objectId: objectId.person(a.resource),
        qualifier: a.kind === "sign-off" ? `signed as ${a.role}` : "performed by",
      });
      const attributes: OcelAttribute[] = [{ name: "lifecycle", value: a.lifecycle }];
      if (a.role) attributes.push({ name: "role", value: a.role });
      if (a.branch) attributes.push({ name: "branch", value: a.branch });
      if (a.phase) attributes.push({ name: "phase", value: a.phase });
      chunk.push(JSON.stringify({ id: a.id, type, time: a.at, attributes, relationships }));
    }
    if (chunk.length > 0) {
      yield (first ? "" : ",") + chunk.join(",");
      first = false;
    }
  }
  yield '],"objects":[';
  let n = 0;
  for (const o of objects.values()) yield (n++ === 0 ? "" : ",") + JSON.stringify(o);
  yield '],"objectTypes":';
  yield JSON.stringify(OBJECT_TYPES.map((t) => ({ name: t.name, attributes: t.attributes.map((name) => ({ name, type: "string" })) })));
  yield ',"eventTypes":';
  yield JSON.stringify(
    [...eventTypes].sort().map((name) => ({ name, attributes: EVENT_ATTRIBUTES.map((a) => ({ name: a, type: "string" })) })),
  );
  yield "}\n";
}
