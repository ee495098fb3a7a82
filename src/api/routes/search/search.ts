// GET /search?q=: one search box for the whole app. Clients by name (every client, also those whose
// onboardings are closed or cancelled, with their latest onboarding's status), projects by client
// name or id, contacts by name or email (with their client), playbooks by title or id. A few of
// each kind, best (prefix) matches first; case-insensitive substring matching.
import { sql } from "kysely";
import { z } from "zod";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";

export const SearchQuery = z.object({
  q: z.string().trim().min(2, { error: "type at least 2 characters" }).max(200).describe("What to look for (2 characters or more)."),
  limit: z.coerce.number().int().min(1).max(25).default(8).describe("Results per kind (1-25, default 8)."),
});

const Status = z.enum(["active", "on_hold", "cancelled", "closed"]);

export const SearchResults = z
  .object({
    q: z.string(),
    clients: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        projectId: z.string().nullable().describe("Its latest onboarding."),
        status: Status.nullable().describe("Its latest onboarding's status (null: none yet)."),
      }),
    ),
    projects: z.array(
      z.object({ id: z.string(), clientName: z.string(), playbookTitle: z.string(), status: Status, startedAt: z.string() }),
    ),
    contacts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        email: z.string(),
        clientId: z.string(),
        clientName: z.string(),
        active: z.boolean(),
        projectId: z.string().nullable().describe("Their client's latest onboarding."),
      }),
    ),
    playbooks: z.array(z.object({ id: z.string(), title: z.string(), version: z.string() })),
  })
  .meta({ id: "SearchResults" });

/** A LIKE pattern matching `q` anywhere, its wildcards taken literally. */
function containing(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function searchRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/search",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["search"],
        operationId: "search",
        summary: "Clients (also closed and cancelled), projects, contacts and playbooks matching a text",
        querystring: SearchQuery,
        response: { 200: SearchResults, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { q, limit } = request.query;
      const like = containing(q);
      const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const db = deps.database.db;
      const [clients, projects, contacts, versions] = await Promise.all([
        sql<{ id: string; name: string; project_id: string | null; status: string | null }>`
          SELECT c.id, c.name, lp.id AS project_id, lp.status
            FROM clients c
            LEFT JOIN LATERAL (SELECT p.id, p.status FROM projects p WHERE p.client_id = c.id ORDER BY p.created_at DESC, p.id DESC LIMIT 1) lp ON true
           WHERE c.name ILIKE ${like} ESCAPE '\\'
           ORDER BY (c.name ILIKE ${prefix} ESCAPE '\\') DESC, c.name, c.id
           LIMIT ${limit}`.execute(db),
        sql<{ id: string; client_name: string; playbook_id: string; playbook_version: string; status: string; started_at: string }>`
          SELECT p.id, c.name AS client_name, p.playbook_id, p.playbook_version, p.status, p.state->>'startedAt' AS started_at
            FROM projects p JOIN clients c ON c.id = p.client_id
           WHERE c.name ILIKE ${like} ESCAPE '\\' OR p.id ILIKE ${like} ESCAPE '\\'
           ORDER BY (c.name ILIKE ${prefix} ESCAPE '\\') DESC, p.created_at DESC, p.id
           LIMIT ${limit}`.execute(db),
        sql<{
          id: string;
          name: string;
          email: string;
          client_id: string;
          client_name: string;
          active: boolean;
          project_id: string | null;
        }>`
          SELECT k.id, k.name, k.email, k.client_id, c.name AS client_name, k.active,
                 (SELECT p.id FROM projects p WHERE p.client_id = c.id ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS project_id
            FROM contacts k JOIN clients c ON c.id = k.client_id
           WHERE k.name ILIKE ${like} ESCAPE '\\' OR k.email ILIKE ${like} ESCAPE '\\'
           ORDER BY (k.name ILIKE ${prefix} ESCAPE '\\') DESC, k.name, k.id
           LIMIT ${limit}`.execute(db),
        sql<{ playbook_id: string; version: string }>`
          SELECT DISTINCT ON (playbook_id) playbook_id, version FROM playbook_versions
           ORDER BY playbook_id, published_at DESC`.execute(db),
      ]);
      const needle = q.toLowerCase();
      const titles = new Map<string, string>();
      const titleOf = async (id: string, version: string) => {
        const key = `${id}@${version}`;
        if (!titles.has(key)) titles.set(key, (await modelOf(deps, id, version)).playbook.document.title);
        return titles.get(key) ?? id;
      };
      const playbooks: { id: string; title: string; version: string }[] = [];
      for (const v of versions.rows) {
        const title = await titleOf(v.playbook_id, v.version);
        if (title.toLowerCase().includes(needle) || v.playbook_id.toLowerCase().includes(needle))
          playbooks.push({ id: v.playbook_id, title, version: v.version });
      }
      return {
        q,
        clients: clients.rows.map((c) => ({
          id: c.id,
          name: c.name,
          projectId: c.project_id,
          status: c.status as z.infer<typeof Status> | null,
        })),
        projects: await Promise.all(
          projects.rows.map(async (p) => ({
            id: p.id,
            clientName: p.client_name,
            playbookTitle: await titleOf(p.playbook_id, p.playbook_version),
            status: p.status as z.infer<typeof Status>,
            startedAt: new Date(p.started_at).toISOString(),
          })),
        ),
        contacts: contacts.rows.map((k) => ({
          id: k.id,
          name: k.name,
          email: k.email,
          clientId: k.client_id,
          clientName: k.client_name,
          active: k.active,
          projectId: k.project_id,
        })),
        playbooks: playbooks.slice(0, limit),
      };
    },
  );
}
