// The one authorization module every route goes through. A route declares the access it needs
// (`config.access`: a permission, or "public"); a route without a declaration stops the server
// from starting. Each request is authenticated and checked here before its body is even parsed:
// the account's access roles grant permissions, an API token's scope narrows them to reads, and a
// browser write must pass the CSRF check. For project commands, `actorFor` maps the account to the
// playbook roles it holds on that project (the engine then decides, step by step, who may act).
import type { RouteOptions } from "fastify";
import type { Actor, ProjectState } from "../../engine/types.ts";
import type { ApiDeps } from "../deps.ts";
import type { Api } from "../http.ts";
import { HttpProblem, problemResponses } from "../problems.ts";
import { authenticate, checkCsrf, unauthenticated } from "./authenticate.ts";
import { authenticateContact } from "./contact-sessions.ts";
import type { Principal } from "./principal.ts";
import { type AccessRole, isServiceAccount } from "./roles.ts";

/** Every permission and whether it only reads (a read-scoped API token may use only those). */
export const PERMISSIONS = {
  "account:read": "read",
  "account:write": "write",
  "playbooks:read": "read",
  "playbooks:write": "write",
  "clients:read": "read",
  "clients:write": "write",
  "projects:read": "read",
  "projects:create": "write",
  "projects:command": "write",
  /** Assign and reassign people to a project's internal roles (an ownership transfer, audited). */
  "projects:assign": "write",
  "projects:migrate": "write",
  "audit:read": "read",
  "audit:write": "write",
  "tasks:read": "read",
  "people:read": "read",
  "people:write": "write",
  "users:read": "read",
  "users:write": "write",
  "settings:write": "write",
  "integrations:read": "read",
  "integrations:write": "write",
  /** The mail log: who was sent what, when (secrets are never in it, personal data is). */
  "mail:read": "read",
  /** The register of personal data and a data subject's export (GDPR Art. 15, 20): everything about a person. */
  "personal-data:read": "read",
  /** Data subjects' requests (GDPR access, erasure): the admins', who handle data protection. */
  "privacy:read": "read",
  "privacy:write": "write",
  /** Access and change control: the period report auditors sample, and the four-eyes setting. */
  "controls:read": "read",
  "controls:write": "write",
} as const satisfies Record<string, "read" | "write">;

export type Permission = keyof typeof PERMISSIONS;
/** "contact": a client contact's portal session (auth/contact-sessions.ts), never an account. */
export type Access = Permission | "public" | "contact";

const ALL = Object.keys(PERMISSIONS) as Permission[];
/** What every account may do: its own account and tokens, and read the work. */
const BASE: readonly Permission[] = [
  "account:read",
  "account:write",
  "playbooks:read",
  "clients:read",
  "projects:read",
  "tasks:read",
  "people:read",
];

/** Access role → permissions. The table the authorization matrix test checks route by route. */
export const GRANTS: Readonly<Record<AccessRole, readonly Permission[]>> = {
  admin: ALL,
  // The mail log is the admins' (it names every client's people); signing checkpoints with the
  // operator's key is theirs alone, and so are the controls over change (four-eyes) and their report.
  // Exports of a person's data, data subjects' requests and erasing are the admins' too: they
  // answer the data subject's request.
  cs_ops: ALL.filter(
    (p) =>
      ![
        "users:write",
        "mail:read",
        "audit:write",
        "personal-data:read",
        "privacy:read",
        "privacy:write",
        "controls:read",
        "controls:write",
      ].includes(p),
  ),
  csm: [...BASE, "clients:write", "projects:create", "projects:command", "projects:assign", "audit:read"],
  implementation: [...BASE, "projects:command"],
  support: [...BASE, "projects:command"],
  account_executive: [...BASE, "clients:write", "projects:create", "projects:command"],
  executive_readonly: [...BASE, "audit:read"],
  // A service account (an automation) reads and works the projects through its API token: the
  // engine lets it act only on steps of the playbook roles it holds. Nothing else: no account
  // pages, no tokens of its own making, no clients, playbooks or settings.
  service: ["projects:read", "projects:command", "tasks:read"],
};

/** Roles the engine treats as CS operations (may assign, skip, extend, hold, cancel, reopen). */
const MANAGERS: readonly AccessRole[] = ["admin", "cs_ops"];

/** Routes registered by plugins, which cannot declare access themselves: their rule, and why. */
const DELEGATED: readonly { readonly prefix: string; readonly access: Access; readonly why: string }[] = [
  { prefix: "/docs", access: "public", why: "the interactive API reference (@fastify/swagger-ui) and its static files" },
];

export interface RouteRule {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

export function permissionsOf(principal: Principal): Set<Permission> {
  const granted = new Set(principal.user.roles.flatMap((role) => GRANTS[role] ?? []));
  if (principal.credential.kind === "token" && principal.credential.scope === "read") {
    for (const permission of granted) if (PERMISSIONS[permission] !== "read") granted.delete(permission);
  }
  return granted;
}

export function allows(principal: Principal, permission: Permission): boolean {
  return permissionsOf(principal).has(permission);
}

function refusal(principal: Principal, permission: Permission): HttpProblem {
  if (principal.credential.kind === "token" && principal.credential.scope === "read" && PERMISSIONS[permission] === "write") {
    return new HttpProblem("forbidden", `this API token is read-only; ${permission} needs a write token`);
  }
  const roles = principal.user.roles.length > 0 ? principal.user.roles.join(", ") : "none";
  return new HttpProblem("forbidden", `your access roles (${roles}) do not grant ${permission}`);
}

/**
 * The engine's actor for an account on a project: the playbook roles assigned to it there. A
 * service account acts as itself ("service:<id>" in the audit trail, never a person, never a manager).
 */
export function actorFor(principal: Principal, state: ProjectState): Actor {
  const { user } = principal;
  const roles = Object.entries(state.assignments)
    .filter(([, person]) => person === user.id)
    .map(([role]) => role)
    .sort();
  const { authentication } = principal.credential;
  const how = authentication ? { authentication } : {};
  if (isServiceAccount(user.roles)) return { id: `service:${user.id}`, kind: "service", roles, ...how };
  const manager = user.roles.some((role) => MANAGERS.includes(role));
  return { id: user.id, kind: "user", roles, ...(manager ? { manager: true } : {}), ...how };
}

function accessOf(route: RouteOptions): Access | undefined {
  const declared = route.config?.access;
  if (declared !== undefined) return declared;
  return DELEGATED.find((d) => route.url === d.prefix || route.url.startsWith(`${d.prefix}/`))?.access;
}

/**
 * Install the checks on `app` before any route is registered. Returns the route table as Fastify
 * registers it (every method and URL with its access), for the matrix test and the docs.
 */
export function installAuthorization(app: Api, deps: ApiDeps): readonly RouteRule[] {
  const table: RouteRule[] = [];
  app.decorateRequest("principal", null);
  app.decorateRequest("contact", null);

  app.addHook("onRoute", (route) => {
    const access = accessOf(route);
    const methods = [route.method].flat();
    if (access === undefined) {
      throw new Error(`${methods.join(",")} ${route.url} declares no access rule: set config.access to a permission or "public"`);
    }
    if (access !== "public" && access !== "contact" && !(access in PERMISSIONS)) {
      throw new Error(`${route.url}: unknown permission "${access}"`);
    }
    route.config = { ...route.config, access };
    if (route.schema && access === "contact") {
      route.schema = {
        ...route.schema,
        security: [{ portal: [] }],
        response: { ...problemResponses(401), ...(route.schema.response as object | undefined) },
      } as typeof route.schema;
    } else if (route.schema && access !== "public") {
      // The OpenAPI document says how to authenticate, which permission is needed, and the refusals.
      route.schema = {
        ...route.schema,
        security: [{ session: [] }, { token: [] }],
        "x-permission": access,
        response: { ...problemResponses(401, 403), ...(route.schema.response as object | undefined) },
      } as typeof route.schema;
    } else if (route.schema) {
      route.schema = { ...route.schema, security: [] } as typeof route.schema;
    }
    for (const method of methods) table.push({ method, url: route.url, access });
  });

  app.addHook("onRequest", async (request) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === "public") return;
    if (access === "contact") {
      request.contact = await authenticateContact(request, deps);
      return;
    }
    // Unreachable (onRoute refuses such routes), and closed if it ever is reached.
    if (access === undefined) throw new HttpProblem("forbidden", "this route declares no access rule");
    const { principal, problem } = await authenticate(request, deps);
    if (!principal) throw problem ?? unauthenticated("sign in with POST /auth/login, or send an API token as Authorization: Bearer");
    request.principal = principal;
    checkCsrf(request, principal, deps);
    if (!allows(principal, access)) throw refusal(principal, access);
  });

  return table;
}

/** The signed-in principal of a route that is not public (set by the onRequest check). */
export function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw unauthenticated("sign in first");
  return request.principal;
}
