// The authorization matrix: every route Fastify has registered, called over HTTP by every access
// role (and anonymously, and with a read-only token), answers allow or deny exactly as this table
// says. The route list comes from the server's own route table: a new route without a line here
// fails the test, and a route without an access rule does not even start.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Fastify from "fastify";
import { installAuthorization } from "../../src/api/auth/authorization.ts";
import { ACCESS_ROLES, type AccessRole } from "../../src/api/auth/roles.ts";
import type { ApiDeps } from "../../src/api/deps.ts";
import type { Api } from "../../src/api/http.ts";
import { Caller, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();

/** Every person's role; a service account ("service") is an automation with its API token only. */
const EVERYONE: readonly AccessRole[] = ACCESS_ROLES.filter((r) => r !== "service");
/** Reading the projects and working their steps: the people, and service accounts (issue 15 item 8). */
const READERS: readonly AccessRole[] = [...EVERYONE, "service"];
const MANAGERS: readonly AccessRole[] = ["admin", "cs_ops"];
const SELLERS: readonly AccessRole[] = ["admin", "cs_ops", "csm", "account_executive"];
const DOERS: readonly AccessRole[] = ["admin", "cs_ops", "csm", "implementation", "support", "account_executive", "service"];

/** Who may call each route. Written out here, independently of the code, on purpose. */
const EXPECTED: Readonly<Record<string, "public" | "contact" | readonly AccessRole[]>> = {
  "GET /health/live": "public",
  "GET /health/ready": "public",
  // Guarded by its own credential, like the signed webhooks: METRICS_TOKEN, or a loopback caller
  // without a proxy while it is unset (test/api/metrics.test.ts); no account role opens it.
  "GET /metrics": "public",
  "GET /openapi.json": "public",
  // The playbook language's JSON Schema, for editors: it describes the language, no one's data.
  "GET /schema/playbook.schema.json": "public",
  // The web app's pages and bundles (src/api/static.ts): public files; the data they show needs a sign-in.
  "GET /": "public",
  "GET /app": "public",
  "GET /app/*": "public",
  "GET /portal": "public",
  "GET /portal/*": "public",
  "GET /assets/*": "public",
  "POST /auth/login": "public",
  "POST /auth/logout": EVERYONE,
  "GET /auth/session": EVERYONE,
  "POST /auth/password": EVERYONE,
  // The steps after the password: the pending sign-in's cookie is their credential (409 without one).
  "POST /auth/login/totp": "public",
  "POST /auth/login/totp-enrolment": "public",
  // Single sign-on (503 here: no OpenID provider is configured).
  "GET /auth/oidc/login": "public",
  "GET /auth/methods": "public",
  "GET /auth/oidc/callback": "public",
  "GET /auth/totp": EVERYONE,
  "POST /auth/totp/enrolment": EVERYONE,
  "POST /auth/totp/enrolment/confirm": EVERYONE,
  "POST /auth/totp/recovery-codes": EVERYONE,
  "GET /auth/totp/policy": MANAGERS,
  "PUT /auth/totp/policy": ["admin"],
  "GET /users/:id/totp": MANAGERS,
  "PUT /users/:id/totp": ["admin"],
  "DELETE /users/:id/totp": ["admin"],
  "GET /tokens": EVERYONE,
  "POST /tokens": EVERYONE,
  "DELETE /tokens/:id": EVERYONE,
  "GET /users/:id/tokens": MANAGERS,
  "GET /users": MANAGERS,
  // Data subjects' requests (GDPR): the admins, who handle data protection.
  "POST /data-requests": ["admin"],
  "GET /data-requests": ["admin"],
  "GET /data-requests/:id": ["admin"],
  "POST /data-requests/:id/erasure": ["admin"],
  "POST /data-requests/:id/complete": ["admin"],
  "POST /data-requests/:id/extend": ["admin"],
  "POST /users": ["admin"],
  // An automation's account and its first token: made by admins, like any account.
  "POST /service-accounts": ["admin"],
  "PATCH /users/:id": ["admin"],
  "GET /people": EVERYONE,
  "PUT /people/:id": MANAGERS,
  "GET /playbooks": EVERYONE,
  "GET /playbooks/:id": EVERYONE,
  "POST /playbooks": MANAGERS,
  "GET /playbooks/:id/versions/:version": EVERYONE,
  "GET /playbooks/:id/versions/:version/sop.html": EVERYONE,
  "GET /playbooks/:id/versions/:version/export": EVERYONE,
  "POST /playbooks/drafts": MANAGERS,
  "GET /playbooks/:id/diff": EVERYONE,
  // Four-eyes publishing: anyone sees what waits; who may upload may approve or reject (never their own).
  "GET /playbooks/pending": EVERYONE,
  "POST /playbooks/pending/:submissionId/approve": MANAGERS,
  "POST /playbooks/pending/:submissionId/reject": MANAGERS,
  // Controls over change and their period report are the admins'.
  "GET /settings/four-eyes": ["admin"],
  "PUT /settings/four-eyes": ["admin"],
  "GET /reports/controls": ["admin"],
  "GET /clients": EVERYONE,
  "POST /clients": SELLERS,
  "GET /clients/:id": EVERYONE,
  "PATCH /clients/:id": SELLERS,
  "GET /projects": READERS,
  "POST /projects": SELLERS,
  "POST /projects/plan": SELLERS,
  "GET /projects/:id": READERS,
  "GET /projects/:id/team": READERS,
  // Assigning people to a project's roles: CSMs and CS operations (an account executive sells, a CSM staffs).
  "PUT /projects/:id/team/:role": ["admin", "cs_ops", "csm"],
  "POST /projects/:id/commands": DOERS,
  "GET /projects/:id/timeline": READERS,
  // What extending a deadline would move: prepared by those who may run the command.
  "POST /projects/:id/timeline/preview": DOERS,
  "GET /projects/:id/events": READERS,
  "GET /projects/:id/migration": READERS,
  "POST /projects/:id/migration": MANAGERS,
  "GET /projects/:id/audit": ["admin", "cs_ops", "csm", "executive_readonly"],
  // The evidence package for an auditor: the team roles that read the project (never a client).
  "GET /projects/:id/evidence": READERS,
  // The global audit log's checkpoints: read like the audit trail; signing one now is for admins.
  "GET /audit/checkpoints/latest": ["admin", "cs_ops", "csm", "executive_readonly"],
  "POST /audit/checkpoints": ["admin"],
  // Record retention: read like the audit trail.
  "GET /retention": ["admin", "cs_ops", "csm", "executive_readonly"],
  "GET /tasks": READERS,
  // In-app notifications: everyone's own (reading them is reading one's work; marking them read writes).
  "GET /notifications": READERS,
  "POST /notifications/:id/read": EVERYONE,
  "POST /notifications/read-all": EVERYONE,
  // How I hear of client actions (issue 14): my own preferences.
  "GET /notifications/preferences": EVERYONE,
  "PUT /notifications/preferences": EVERYONE,
  // Notifications: templates (read by everyone, written by playbook owners),
  // meeting invitations; survey links are public, their signed token is the credential (404 here).
  // The mail log: metadata and bodies with their sign-in and survey links redacted, for admins only.
  "GET /mail": ["admin"],
  "GET /mail/:id": ["admin"],
  // GDPR (issue 17): the register of personal data and a person's or a client's data exported, admins only.
  "GET /gdpr/register": ["admin"],
  "GET /contacts/:id/export": ["admin"],
  "GET /clients/:id/export": ["admin"],
  "GET /templates": EVERYONE,
  "PUT /templates/:id": MANAGERS,
  "POST /templates/:id/preview": DOERS,
  "GET /projects/:id/meetings/:meeting.ics": READERS,
  // An email step's mail: its draft is read like the project; sending it completes the step.
  "GET /projects/:id/steps/:step/email": READERS,
  "POST /projects/:id/steps/:step/email": DOERS,
  "GET /surveys/:token": "public",
  "POST /surveys/:token": "public",
  // Authenticated by their signatures, not by an account (503 here: no webhook secret is configured).
  "POST /webhooks/deals/generic": "public",
  "POST /webhooks/deals/hubspot": "public",
  "POST /webhooks/deals/pipedrive": "public",
  "POST /webhooks/deals/salesforce": "public",
  "POST /webhooks/crm/:connectionId": "public",
  // The dashboard and the KPIs (src/metrics): reading the work.
  "GET /portfolio": READERS,
  // Issue 14: late and due-soon steps across the portfolio, and the one search box: reading the work.
  "GET /portfolio/steps": READERS,
  "GET /search": READERS,
  // Bulk changes: one command per project, so those who may run commands.
  "POST /portfolio/bulk": DOERS,
  // Saved views: everyone keeps their own (another account's view is 404).
  "GET /portfolio/views": EVERYONE,
  "POST /portfolio/views": EVERYONE,
  "DELETE /portfolio/views/:id": EVERYONE,
  "GET /kpis": READERS,
  // The event log for process mining: who did what on every client's onboarding, as the audit trail.
  "GET /process-log": ["admin", "cs_ops", "csm", "executive_readonly"],
  "GET /process-insights": READERS,
  "GET /capacity-forecast": READERS,
  "GET /kpis/:playbook/:kpi/values": READERS,
  "POST /kpis/:playbook/:kpi/values": DOERS,
  "GET /projects/:id/reports/:kind": READERS,
  "PUT /projects/:id/reports/:kind": DOERS,
  "GET /clients/:id/contacts": EVERYONE,
  "POST /clients/:id/contacts": SELLERS,
  "PATCH /clients/:id/contacts/:contactId": SELLERS,
  "DELETE /clients/:id/contacts/:contactId": SELLERS,
  "POST /clients/:id/contacts/:contactId/invite": SELLERS,
  "GET /projects/:id/comments": READERS,
  "POST /projects/:id/comments": DOERS,
  "DELETE /projects/:id/comments/:comment": DOERS,
  "PUT /projects/:id/comments/:comment/visibility": DOERS,
  "GET /projects/:id/attachments": READERS,
  "POST /projects/:id/attachments": DOERS,
  "DELETE /projects/:id/attachments/:attachment": DOERS,
  "PUT /projects/:id/attachments/:attachment/visibility": DOERS,
  "GET /attachments/:id": READERS,
  "GET /settings/branding": "public",
  "PUT /settings/branding": MANAGERS,
  "GET /settings/parameters": READERS,
  "PUT /settings/parameters": MANAGERS,
  "GET /webhook-subscriptions": MANAGERS,
  "POST /webhook-subscriptions": MANAGERS,
  "PATCH /webhook-subscriptions/:id": MANAGERS,
  "DELETE /webhook-subscriptions/:id": MANAGERS,
  "GET /webhook-subscriptions/:id/messages": MANAGERS,
  "GET /webhooks/deliveries": MANAGERS,
  "POST /webhooks/deliveries/:id/replay": MANAGERS,
  "GET /crm/connections": MANAGERS,
  "GET /crm/connections/:id": MANAGERS,
  "POST /crm/connections": MANAGERS,
  "PATCH /crm/connections/:id": MANAGERS,
  "DELETE /crm/connections/:id": MANAGERS,
  "POST /crm/connections/:id/reconcile": MANAGERS,
  // The client portal: public sign-in, then a contact's session and never an account.
  "POST /portal/api/magic-links": "public",
  "POST /portal/api/sessions": "public",
  "GET /portal/api/session": "contact",
  "DELETE /portal/api/session": "contact",
  "GET /portal/api/projects": "contact",
  "GET /portal/api/projects/:id": "contact",
  "POST /portal/api/projects/:id/commands": "contact",
  "GET /portal/api/projects/:id/comments": "contact",
  "POST /portal/api/projects/:id/comments": "contact",
  "GET /portal/api/projects/:id/attachments": "contact",
  "GET /portal/api/projects/:id/attachments/:attachment": "contact",
  "POST /portal/api/projects/:id/attachments": "contact",
  "GET /portal/api/surveys": "contact",
};

/** The interactive reference (@fastify/swagger-ui registers its own routes): public, static. */
const isDocs = (url: string) => url === "/docs" || url.startsWith("/docs/");

function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, "matrix-none").replace("*", "index.html");
}

/** A request that reaches the handler only if access is granted; the body is usually invalid (a 400 then). */
function call(caller: Caller, method: string, url: string) {
  const path = concrete(url);
  return method === "GET" || method === "HEAD" || method === "DELETE"
    ? caller.request(method, path)
    : caller.request(method, path, { body: {} });
}

function denied(status: number, body: unknown): boolean {
  return status === 403 && (body as { type?: string }).type === "urn:onboard:problem:forbidden";
}

for (const backend of BACKENDS) {
  describe(`authorization on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    const callers = new Map<AccessRole, Caller>();

    before(async () => {
      t = await startTestServer(backend);
      for (const role of EVERYONE) callers.set(role, await t.user(`matrix-${role}`, [role]));
      // A service account has no password: its caller is its API token.
      const service = await t.admin.post("/service-accounts", { id: "matrix-service", name: "Matrix service" });
      assert.equal(service.status, 201, JSON.stringify(service.body));
      callers.set("service", new Caller(t.url, { token: service.body.token }));
    });
    after(() => t?.close());

    test("every registered route has an expectation here, and every expectation a route", () => {
      const registered = t.server.routes.filter((r) => !isDocs(r.url)).map((r) => `${r.method} ${r.url}`);
      for (const route of registered) assert.ok(route in EXPECTED, `${route} has no line in EXPECTED: decide who may call it`);
      for (const route of Object.keys(EXPECTED)) assert.ok(registered.includes(route), `${route} is expected but not registered`);
      for (const rule of t.server.routes) {
        const expected = isDocs(rule.url) ? "public" : EXPECTED[`${rule.method} ${rule.url}`];
        assert.equal(rule.access === "public", expected === "public", `${rule.method} ${rule.url} is ${rule.access}`);
      }
      assert.ok(
        t.server.routes.some((r) => isDocs(r.url)),
        "the docs routes are in the table too",
      );
    });

    test("every route × every role: allowed or denied as expected", async () => {
      const wrong: string[] = [];
      // Signing out ends the caller's session: it goes last.
      const routes = [...t.server.routes].sort((a, b) => Number(a.url === "/auth/logout") - Number(b.url === "/auth/logout"));
      for (const rule of routes) {
        const expected = isDocs(rule.url) ? "public" : EXPECTED[`${rule.method} ${rule.url}`];
        if (expected === undefined) continue;
        if (expected === "contact") {
          // An account's session is not a contact's: every staff role is a stranger to the portal.
          for (const role of ACCESS_ROLES) {
            const { status } = await call(callers.get(role) as Caller, rule.method, rule.url);
            if (status !== 401) wrong.push(`${rule.method} ${rule.url} as ${role}: ${status}, expected 401 (portal only)`);
          }
          continue;
        }
        for (const role of ACCESS_ROLES) {
          const caller = callers.get(role);
          assert.ok(caller);
          const { status, body } = await call(caller, rule.method, rule.url);
          const allowed = expected === "public" || expected.includes(role);
          if (status === 401) wrong.push(`${rule.method} ${rule.url} as ${role}: 401`);
          else if (allowed && status === 403)
            wrong.push(`${rule.method} ${rule.url} as ${role}: denied (${JSON.stringify(body)}), expected allowed`);
          else if (!allowed && !denied(status, body))
            wrong.push(`${rule.method} ${rule.url} as ${role}: ${status}, expected 403 forbidden`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    test("without credentials every route but the public ones is a 401", async () => {
      const wrong: string[] = [];
      for (const rule of t.server.routes) {
        const { status } = await call(t.anonymous, rule.method, rule.url);
        const expected = rule.access === "public" ? status !== 401 && status !== 403 : status === 401;
        if (!expected) wrong.push(`${rule.method} ${rule.url}: ${status}`);
      }
      assert.deepEqual(wrong, []);
    });

    test("a read-only token of an admin may read everything and write nothing", async () => {
      const { token } = (await t.admin.post("/tokens", { name: "matrix", scope: "read" })).body;
      const reader = new Caller(t.url, { token });
      const wrong: string[] = [];
      for (const rule of t.server.routes) {
        if (rule.access === "public") continue;
        const { status, body } = await call(reader, rule.method, rule.url);
        if (rule.access === "contact") {
          if (status !== 401) wrong.push(`${rule.method} ${rule.url}: ${status}, expected 401 (portal only)`);
          continue;
        }
        const write = rule.method !== "GET";
        if (write && !denied(status, body)) wrong.push(`${rule.method} ${rule.url}: ${status}, expected 403`);
        if (!write && (status === 401 || status === 403)) wrong.push(`${rule.method} ${rule.url}: ${status}, expected allowed`);
      }
      assert.deepEqual(wrong, []);
    });
  });
}

describe("a route without an access rule", () => {
  test("stops the server from starting", async () => {
    const app = Fastify({ logger: false }) as unknown as Api;
    installAuthorization(app, {} as ApiDeps);
    app.get("/declared", { config: { access: "public" } }, async () => "ok");
    await assert.rejects(async () => {
      app.get("/forgotten", async () => "oops");
      await app.ready();
    }, /GET \/forgotten declares no access rule/);
    await app.close();
  });
});
