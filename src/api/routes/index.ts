// Every endpoint, one per file with its schemas beside it. Registering a route here is all it takes
// to serve it, document it in /openapi.json and put it under the authorization matrix test.
import type { ApiDeps } from "../deps.ts";
import type { Api } from "../http.ts";
import { registerWebhookScope } from "../webhooks/scope.ts";
import { changePassword } from "./auth/change-password.ts";
import { getSession } from "./auth/get-session.ts";
import { login } from "./auth/login.ts";
import { logout } from "./auth/logout.ts";
import { createClient } from "./clients/create-client.ts";
import { getClientRoute } from "./clients/get-client.ts";
import { listClientsRoute } from "./clients/list-clients.ts";
import { live } from "./health/live.ts";
import { ready } from "./health/ready.ts";
import { listPeopleRoute } from "./people/list-people.ts";
import { putPerson } from "./people/put-person.ts";
import { diffPlaybookVersions } from "./playbooks/diff-playbook-versions.ts";
import { getPlaybookVersion } from "./playbooks/get-playbook-version.ts";
import { listPlaybooksRoute } from "./playbooks/list-playbooks.ts";
import { uploadPlaybook } from "./playbooks/upload-playbook.ts";
import { createProject } from "./projects/create-project.ts";
import { getProject } from "./projects/get-project.ts";
import { getTimeline } from "./projects/get-timeline.ts";
import { listEvents } from "./projects/list-events.ts";
import { listProjects } from "./projects/list-projects.ts";
import { runCommand } from "./projects/run-command.ts";
import { verifyAuditRoute } from "./projects/verify-audit.ts";
import { listMyTasks } from "./tasks/list-my-tasks.ts";
import { createTokenRoute } from "./tokens/create-token.ts";
import { listTokensRoute } from "./tokens/list-tokens.ts";
import { revokeTokenRoute } from "./tokens/revoke-token.ts";
import { createUser } from "./users/create-user.ts";
import { listUsersRoute } from "./users/list-users.ts";
import { updateUserRoute } from "./users/update-user.ts";
import { genericDealWebhook } from "./webhooks/generic-deal.ts";
import { hubspotDealWebhook } from "./webhooks/hubspot-deal.ts";
import { pipedriveDealWebhook } from "./webhooks/pipedrive-deal.ts";

const ENDPOINTS: readonly ((app: Api, deps: ApiDeps) => void)[] = [
  live,
  ready,
  login,
  logout,
  getSession,
  changePassword,
  listTokensRoute,
  createTokenRoute,
  revokeTokenRoute,
  listUsersRoute,
  createUser,
  updateUserRoute,
  listPeopleRoute,
  putPerson,
  listPlaybooksRoute,
  uploadPlaybook,
  getPlaybookVersion,
  diffPlaybookVersions,
  listClientsRoute,
  createClient,
  getClientRoute,
  listProjects,
  createProject,
  getProject,
  runCommand,
  getTimeline,
  listEvents,
  verifyAuditRoute,
  listMyTasks,
];

export function registerRoutes(app: Api, deps: ApiDeps): void {
  for (const endpoint of ENDPOINTS) endpoint(app, deps);
  // Signed CRM webhooks, in a scope whose JSON parser keeps the raw bytes the signatures cover.
  registerWebhookScope(app, deps, [genericDealWebhook, hubspotDealWebhook, pipedriveDealWebhook]);
}
