// The demo team: CSMs per territory and segment, implementation specialists, support engineers,
// account executives and CS operations, written to the people directory (src/store/people.ts). Each
// person can fill the roles of their function in every built-in playbook.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import type { Playbook } from "../playbook/schema.ts";
import { type PersonInput, upsertPerson } from "../store/people.ts";
import type { Schema } from "../store/schema.ts";
import { personName, type Rng } from "./names.ts";

export type Team = "csm" | "implementation" | "support" | "sales" | "operations";

const FUNCTIONS: readonly [Team, RegExp][] = [
  ["csm", /customer_success_manager|^csm$|onboarding_manager|account_manager|client_success/],
  ["implementation", /implementation|solutions_engineer|technical|it_support|training_specialist|engineer(?!.*support)/],
  ["support", /support/],
  ["sales", /account_executive|sales/],
  ["operations", /operations|leadership|head_of|management|security_team|compliance_team/],
];

/** Which team fills a playbook role (undefined: the client's side, or an automation). */
export function teamOf(playbook: Playbook, role: string): Team | undefined {
  const def = playbook.roles[role];
  if (def?.side !== "internal" || /system|automation/.test(role)) return undefined;
  for (const [team, pattern] of FUNCTIONS) if (pattern.test(role)) return team;
  return "implementation";
}

export interface DemoPerson {
  readonly id: string;
  readonly name: string;
  readonly team: Team;
  readonly territory: "AMER" | "EMEA" | "APAC";
  readonly segments: readonly string[];
  load: number;
}

const TERRITORIES = ["AMER", "EMEA", "APAC"] as const;

export function buildTeam(r: Rng, projects: number, prefix: string): DemoPerson[] {
  const names = new Set<string>();
  const sizes: Record<Team, number> = {
    csm: Math.min(120, Math.max(9, Math.round(projects / 30))),
    implementation: Math.min(100, Math.max(6, Math.round(projects / 40))),
    support: Math.min(40, Math.max(3, Math.round(projects / 120))),
    sales: Math.min(40, Math.max(3, Math.round(projects / 100))),
    operations: 3,
  };
  const people: DemoPerson[] = [];
  for (const [team, n] of Object.entries(sizes) as [Team, number][]) {
    for (let i = 0; i < n; i++) {
      const name = names.size < 600 ? personName(r, names) : `${personName(r, new Set())} ${i}`;
      const segments =
        team === "csm"
          ? ([["smb"], ["mid_market"], ["enterprise"], ["smb", "mid_market"]][i % 4] ?? ["smb"])
          : ["smb", "mid_market", "enterprise"];
      people.push({
        id: `${prefix}${team}-${String(i + 1).padStart(3, "0")}`,
        name,
        team,
        territory: TERRITORIES[i % 3] ?? "AMER",
        segments,
        load: 0,
      });
    }
  }
  return people;
}

/** Write the team to the directory: roles are every playbook role of the person's team. */
export async function writeTeam(
  db: Kysely<Schema>,
  team: readonly DemoPerson[],
  playbooks: readonly Playbook[],
  now: Instant,
): Promise<void> {
  const rolesOf = new Map<Team, Set<string>>();
  for (const playbook of playbooks)
    for (const role of Object.keys(playbook.roles)) {
      const t = teamOf(playbook, role);
      if (t) rolesOf.set(t, (rolesOf.get(t) ?? new Set()).add(role));
    }
  for (const person of team) {
    const input: PersonInput = {
      id: person.id,
      name: person.name,
      roles: [...(rolesOf.get(person.team) ?? [])].sort(),
      attributes: {
        territory: person.territory,
        segment: [...person.segments],
        specialization: "*",
        products: "*",
        complexity: "*",
        support_tier: "*",
        contract: "*",
      },
    };
    await upsertPerson(db, input, now);
  }
}

/** The least-loaded person of a team, preferring the client's territory and segment. */
export function choose(team: readonly DemoPerson[], which: Team, territory: string, segment: string): DemoPerson | undefined {
  let best: DemoPerson | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const p of team) {
    if (p.team !== which) continue;
    const fit = (p.territory === territory ? 0 : 1000) + (p.segments.includes(segment) ? 0 : 500);
    const score = fit + p.load;
    if (score < bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}
