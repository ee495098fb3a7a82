import { z } from "zod";
import { MAX_CAPACITY, type PersonRecord } from "../../../store/index.ts";
import { PageQuery, pageOf } from "../../pagination.ts";
import { Instant, Slug } from "../common.types.ts";

const Attributes = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const Person = z
  .object({
    id: z.string(),
    name: z.string(),
    roles: z.array(z.string()).describe("Playbook roles this person can fill (csm, implementation_specialist ...)."),
    attributes: Attributes.describe("What assignment rules match on: territory, segment, specialization ..."),
    capacity: z.number().int().nullable(),
    activeProjects: z.number().int(),
    lastAssignedAt: Instant.nullable(),
    active: z.boolean(),
  })
  .meta({ id: "Person" });

export const PutPersonBody = z.object({
  name: z.string().trim().min(1).max(200),
  roles: z.array(z.string().min(1).max(100)).max(50),
  attributes: Attributes.optional(),
  capacity: z
    .number()
    .int()
    .min(0)
    .max(MAX_CAPACITY)
    .nullable()
    .optional()
    .describe("Active projects this person can hold; null: the role's capacity."),
  active: z.boolean().optional().describe("Inactive people keep their projects but get no new assignments."),
});

export const PersonParams = z.object({ id: Slug });
export const ListPeopleQuery = z.object(PageQuery);
export const PersonPage = pageOf(Person);

/** A directory entry as the API shows it. */
export function personView(p: PersonRecord): z.infer<typeof Person> {
  return {
    id: p.id,
    name: p.name,
    roles: [...p.roles],
    attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, typeof v === "string" ? v : [...v]])),
    capacity: p.capacity ?? null,
    activeProjects: p.activeProjects,
    lastAssignedAt: p.lastAssignedAt ?? null,
    active: p.active,
  };
}
