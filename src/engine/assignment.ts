// Choosing people for a project's roles from the playbook's assignment rules: filters (territory,
// segment, specialization, product, complexity, contract) match a person's attributes against the
// client's facts, capacity removes the full, and a picker (least loaded, round robin) chooses.
// When nobody fits, the answer says why instead of guessing.
import type { Playbook } from "../playbook/schema.ts";
import type { FactValue, Instant } from "./types.ts";

export interface Person {
  readonly id: string;
  readonly name: string;
  /** Playbook role ids this person can fill. */
  readonly roles: readonly string[];
  /** Values matched against facts named in `match_on` (territory: "EMEA", segment: "enterprise" ...). */
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
  readonly capacity?: number;
  readonly activeProjects: number;
  readonly lastAssignedAt?: Instant;
}

export type AssignmentResult = { readonly role: string; readonly person: string } | { readonly role: string; readonly failed: string };

const FILTERS = new Set(["territory", "segment", "specialization", "product", "complexity", "contract"]);

function matches(attribute: string | readonly string[] | undefined, fact: FactValue | undefined): boolean {
  if (fact === undefined || attribute === undefined) return false;
  const wanted = Array.isArray(fact) ? fact.map(String) : [String(fact)];
  const offered = Array.isArray(attribute) ? attribute : [attribute as string];
  return wanted.every((w) => offered.some((o) => o.toLowerCase() === w.toLowerCase() || o === "*"));
}

function capacityOf(person: Person, roleCapacity: number | undefined): number {
  return person.capacity ?? roleCapacity ?? Number.POSITIVE_INFINITY;
}

/** Where a person goes when assignment leaves a role empty (the project's team panel). */
const CHOOSE = "choose someone on the project's Team tab";

export function assignRoles(
  playbook: Playbook,
  facts: Readonly<Record<string, FactValue>>,
  params: Readonly<Record<string, string | number>>,
  people: readonly Person[],
): AssignmentResult[] {
  const results: AssignmentResult[] = [];
  const load = new Map(people.map((p) => [p.id, p.activeProjects]));
  for (const [role, def] of Object.entries(playbook.roles)) {
    const rule = def.assignment;
    if (!rule || def.side !== "internal") continue;
    if (rule.strategies.includes("manual")) {
      results.push({ role, failed: `the playbook leaves this to the team: ${CHOOSE}` });
      continue;
    }
    const raw = typeof rule.capacity === "string" ? params[rule.capacity.replace(/[{}\s]/g, "")] : rule.capacity;
    const roleCapacity = typeof raw === "number" ? raw : undefined;
    let candidates = people.filter((p) => p.roles.includes(role));
    const reasons: string[] = [];
    if (candidates.length === 0) reasons.push(`nobody can fill ${def.title}`);
    for (const strategy of rule.strategies) {
      if (!FILTERS.has(strategy)) continue;
      const fact = rule.match_on.find((f) => f === strategy) ?? rule.match_on.find((f) => f.includes(strategy)) ?? strategy;
      const before = candidates.length;
      candidates = candidates.filter((p) => matches(p.attributes[strategy] ?? p.attributes[fact], facts[fact]));
      if (before > 0 && candidates.length === 0) reasons.push(`nobody matches ${strategy} "${String(facts[fact] ?? "(unknown)")}"`);
    }
    if (rule.strategies.includes("capacity") || roleCapacity !== undefined) {
      const before = candidates.length;
      candidates = candidates.filter((p) => (load.get(p.id) ?? 0) < capacityOf(p, roleCapacity));
      if (before > 0 && candidates.length === 0) reasons.push("everyone who matches is at capacity");
    }
    if (candidates.length === 0) {
      results.push({ role, failed: `${reasons.join("; ") || `nobody fits ${def.title}`}; ${CHOOSE}` });
      continue;
    }
    const byId = (a: Person, b: Person) => a.id.localeCompare(b.id);
    const roundRobin = rule.strategies.includes("round_robin");
    const loadOf = (p: Person) => load.get(p.id) ?? 0;
    const chosen = [...candidates].sort((a, b) =>
      roundRobin ? (a.lastAssignedAt ?? "").localeCompare(b.lastAssignedAt ?? "") || byId(a, b) : loadOf(a) - loadOf(b) || byId(a, b),
    )[0];
    if (!chosen) continue;
    load.set(chosen.id, (load.get(chosen.id) ?? 0) + 1);
    results.push({ role, person: chosen.id });
  }
  return results;
}
