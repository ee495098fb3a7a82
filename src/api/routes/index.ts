// Every endpoint, one per file with its schemas beside it. Registering a route here is all it takes
// to serve it, document it in /openapi.json and put it under the authorization matrix test.
import type { ApiDeps } from "../deps.ts";
import type { Api } from "../http.ts";
import { registerWebhookScope } from "../webhooks/scope.ts";
import { deleteAttachmentRoute } from "./attachments/delete-attachment.ts";
import { downloadAttachment } from "./attachments/download-attachment.ts";
import { listAttachmentsRoute } from "./attachments/list-attachments.ts";
import { registerUploadScope } from "./attachments/scope.ts";
import { setAttachmentVisibilityRoute } from "./attachments/set-attachment-visibility.ts";
import { uploadAttachment } from "./attachments/upload-attachment.ts";
import { getLatestCheckpoint } from "./audit/get-latest-checkpoint.ts";
import { writeCheckpointRoute } from "./audit/write-checkpoint.ts";
import { changePassword } from "./auth/change-password.ts";
import { confirmTotpEnrolment } from "./auth/confirm-totp-enrolment.ts";
import { getSession } from "./auth/get-session.ts";
import { getSignInMethods } from "./auth/get-sign-in-methods.ts";
import { getTotp } from "./auth/get-totp.ts";
import { getTotpPolicy } from "./auth/get-totp-policy.ts";
import { getUserTotp } from "./auth/get-user-totp.ts";
import { login } from "./auth/login.ts";
import { loginTotp } from "./auth/login-totp.ts";
import { loginTotpEnrolment } from "./auth/login-totp-enrolment.ts";
import { logout } from "./auth/logout.ts";
import { newRecoveryCodesRoute } from "./auth/new-recovery-codes.ts";
import { oidcCallback } from "./auth/oidc-callback.ts";
import { oidcLogin } from "./auth/oidc-login.ts";
import { putTotpPolicy } from "./auth/put-totp-policy.ts";
import { putUserTotp } from "./auth/put-user-totp.ts";
import { resetUserTotp } from "./auth/reset-user-totp.ts";
import { startTotpEnrolment } from "./auth/start-totp-enrolment.ts";
import { createClient } from "./clients/create-client.ts";
import { getClientRoute } from "./clients/get-client.ts";
import { listClientsRoute } from "./clients/list-clients.ts";
import { updateClientRoute } from "./clients/update-client.ts";
import { addCommentRoute } from "./comments/add-comment.ts";
import { deleteCommentRoute } from "./comments/delete-comment.ts";
import { listCommentsRoute } from "./comments/list-comments.ts";
import { setCommentVisibilityRoute } from "./comments/set-comment-visibility.ts";
import { createContact } from "./contacts/create-contact.ts";
import { inviteContactRoute } from "./contacts/invite-contact.ts";
import { listContacts } from "./contacts/list-contacts.ts";
import { removeContactRoute } from "./contacts/remove-contact.ts";
import { updateContactRoute } from "./contacts/update-contact.ts";
import { getControlsReport } from "./controls/get-controls-report.ts";
import { changeCrmConnections } from "./crm-connections/change-connection.ts";
import { listCrmConnections } from "./crm-connections/list-connections.ts";
import { reconcileCrmConnection } from "./crm-connections/reconcile-connection.ts";
import { completeDataRequestRoute } from "./data-requests/complete-data-request.ts";
import { createDataRequestRoute } from "./data-requests/create-data-request.ts";
import { eraseDataRequestRoute } from "./data-requests/erase-data-request.ts";
import { extendDataRequestRoute } from "./data-requests/extend-data-request.ts";
import { getDataRequestRoute } from "./data-requests/get-data-request.ts";
import { listDataRequestsRoute } from "./data-requests/list-data-requests.ts";
import { exportClient } from "./gdpr/export-client.ts";
import { exportContact } from "./gdpr/export-contact.ts";
import { getPersonalDataRegister } from "./gdpr/get-register.ts";
import { live } from "./health/live.ts";
import { metrics } from "./health/metrics.ts";
import { ready } from "./health/ready.ts";
import { getKpis } from "./kpis/get-kpis.ts";
import { listKpiValuesRoute, recordKpiValueRoute } from "./kpis/kpi-values.ts";
import { getMailRoute } from "./mail/get-mail.ts";
import { listMailRoute } from "./mail/list-mail.ts";
import { getMeetingIcs } from "./meetings/get-meeting-ics.ts";
import { listNotificationsRoute } from "./notifications/list-notifications.ts";
import { markAllNotificationsRead } from "./notifications/mark-all-notifications-read.ts";
import { markNotificationRead } from "./notifications/mark-notification-read.ts";
import { getNotificationPreferences, putNotificationPreferences } from "./notifications/notification-preferences.ts";
import { listPeopleRoute } from "./people/list-people.ts";
import { putPerson } from "./people/put-person.ts";
import { diffPlaybookVersions } from "./playbooks/diff-playbook-versions.ts";
import { registerDraftScope } from "./playbooks/draft-scope.ts";
import { exportPlaybookVersion } from "./playbooks/export-playbook-version.ts";
import { getPlaybookRoute } from "./playbooks/get-playbook.ts";
import { getPlaybookSop } from "./playbooks/get-playbook-sop.ts";
import { getPlaybookVersion } from "./playbooks/get-playbook-version.ts";
import { importPlaybookDraft } from "./playbooks/import-playbook-draft.ts";
import { listPlaybooksRoute } from "./playbooks/list-playbooks.ts";
import { uploadPlaybook } from "./playbooks/upload-playbook.ts";
import { addPortalComment } from "./portal/add-portal-comment.ts";
import { downloadPortalAttachment } from "./portal/download-portal-attachment.ts";
import { endPortalSession } from "./portal/end-portal-session.ts";
import { getPortalProject } from "./portal/get-portal-project.ts";
import { getPortalSession } from "./portal/get-portal-session.ts";
import { listPortalAttachments } from "./portal/list-portal-attachments.ts";
import { listPortalComments } from "./portal/list-portal-comments.ts";
import { listPortalProjects } from "./portal/list-portal-projects.ts";
import { listPortalSurveys } from "./portal/list-portal-surveys.ts";
import { requestMagicLink } from "./portal/request-magic-link.ts";
import { runPortalCommand } from "./portal/run-portal-command.ts";
import { startPortalSession } from "./portal/start-portal-session.ts";
import { uploadPortalAttachment } from "./portal/upload-portal-attachment.ts";
import { bulkPortfolio } from "./portfolio/bulk-portfolio.ts";
import { getPortfolio } from "./portfolio/get-portfolio.ts";
import { listPortfolioSteps } from "./portfolio/list-portfolio-steps.ts";
import { getCapacityForecast } from "./process-log/get-capacity-forecast.ts";
import { getProcessInsights } from "./process-log/get-process-insights.ts";
import { getProcessLog } from "./process-log/get-process-log.ts";
import { assignRole } from "./projects/assign-role.ts";
import { createProject } from "./projects/create-project.ts";
import { getEvidenceRoute } from "./projects/get-evidence.ts";
import { getProject } from "./projects/get-project.ts";
import { getTeam } from "./projects/get-team.ts";
import { getTimeline } from "./projects/get-timeline.ts";
import { listEvents } from "./projects/list-events.ts";
import { listProjects } from "./projects/list-projects.ts";
import { migrateProject } from "./projects/migrate-project.ts";
import { planProject } from "./projects/plan-project.ts";
import { previewExtension } from "./projects/preview-extension.ts";
import { previewMigration } from "./projects/preview-migration.ts";
import { runCommand } from "./projects/run-command.ts";
import { verifyAuditRoute } from "./projects/verify-audit.ts";
import { decidePendingVersion } from "./publication/decide-pending.ts";
import { fourEyesSettingRoutes } from "./publication/four-eyes-setting.ts";
import { listPendingVersions } from "./publication/list-pending.ts";
import { getReport } from "./reports/get-report.ts";
import { putReport } from "./reports/put-report.ts";
import { listRetention } from "./retention/list-retention.ts";
import { getPlaybookSchema } from "./schema/get-playbook-schema.ts";
import { searchRoute } from "./search/search.ts";
import { getBrandingRoute } from "./settings/get-branding.ts";
import { getParametersRoute } from "./settings/get-parameters.ts";
import { putBrandingRoute } from "./settings/put-branding.ts";
import { putParametersRoute } from "./settings/put-parameters.ts";
import { getStepEmail } from "./step-email/get-step-email.ts";
import { sendStepEmail } from "./step-email/send-step-email.ts";
import { answerSurvey } from "./surveys/answer-survey.ts";
import { getSurvey } from "./surveys/get-survey.ts";
import { listMyTasks } from "./tasks/list-my-tasks.ts";
import { listTemplatesRoute } from "./templates/list-templates.ts";
import { previewTemplate } from "./templates/preview-template.ts";
import { putTemplate } from "./templates/put-template.ts";
import { createTokenRoute } from "./tokens/create-token.ts";
import { listTokensRoute } from "./tokens/list-tokens.ts";
import { listUserTokensRoute } from "./tokens/list-user-tokens.ts";
import { revokeTokenRoute } from "./tokens/revoke-token.ts";
import { createServiceAccount } from "./users/create-service-account.ts";
import { createUser } from "./users/create-user.ts";
import { listUsersRoute } from "./users/list-users.ts";
import { updateUserRoute } from "./users/update-user.ts";
import { deleteSavedView, listSavedViews, saveView } from "./views/saved-views.ts";
import { createSubscription } from "./webhook-subscriptions/create-subscription.ts";
import { deleteSubscription } from "./webhook-subscriptions/delete-subscription.ts";
import { listDeliveries } from "./webhook-subscriptions/list-deliveries.ts";
import { listInboundDeliveries } from "./webhook-subscriptions/list-inbound-deliveries.ts";
import { listSubscriptions } from "./webhook-subscriptions/list-subscriptions.ts";
import { replayDelivery } from "./webhook-subscriptions/replay-delivery.ts";
import { updateSubscription } from "./webhook-subscriptions/update-subscription.ts";
import { connectionWebhook } from "./webhooks/connection-webhook.ts";
import { genericDealWebhook } from "./webhooks/generic-deal.ts";
import { hubspotDealWebhook } from "./webhooks/hubspot-deal.ts";
import { pipedriveDealWebhook } from "./webhooks/pipedrive-deal.ts";
import { salesforceDealWebhook } from "./webhooks/salesforce-deal.ts";

const ENDPOINTS: readonly ((app: Api, deps: ApiDeps) => void)[] = [
  live,
  ready,
  metrics,
  login,
  logout,
  getSession,
  getSignInMethods,
  changePassword,
  loginTotp,
  loginTotpEnrolment,
  oidcLogin,
  oidcCallback,
  getTotp,
  startTotpEnrolment,
  confirmTotpEnrolment,
  newRecoveryCodesRoute,
  getTotpPolicy,
  putTotpPolicy,
  getUserTotp,
  putUserTotp,
  resetUserTotp,
  listTokensRoute,
  createTokenRoute,
  revokeTokenRoute,
  listUserTokensRoute,
  listUsersRoute,
  createUser,
  createServiceAccount,
  updateUserRoute,
  listPeopleRoute,
  putPerson,
  listPlaybooksRoute,
  // Playbooks as code (issue 21): one playbook's revision history for `onboard publish`, and the
  // language's JSON Schema for editors.
  getPlaybookRoute,
  getPlaybookSchema,
  uploadPlaybook,
  getPlaybookVersion,
  getPlaybookSop,
  exportPlaybookVersion,
  diffPlaybookVersions,
  // Four-eyes publishing (issue 17): versions awaiting a second person's approval, and the setting.
  listPendingVersions,
  decidePendingVersion,
  fourEyesSettingRoutes,
  // The period report of access and change control (SOC 2 CC6.1, CC8.1): a signed package.
  getControlsReport,
  listClientsRoute,
  createClient,
  getClientRoute,
  updateClientRoute,
  listProjects,
  createProject,
  // Issue 14: plan a project's dates before starting it; its team, with each candidate's load.
  planProject,
  getTeam,
  assignRole,
  getProject,
  runCommand,
  getTimeline,
  previewExtension,
  listEvents,
  verifyAuditRoute,
  // GDPR (issue 17): the register of personal data, and a contact's or a client's data exported (Art. 15, 20).
  getPersonalDataRegister,
  exportContact,
  exportClient,
  createDataRequestRoute,
  listDataRequestsRoute,
  getDataRequestRoute,
  eraseDataRequestRoute,
  completeDataRequestRoute,
  extendDataRequestRoute,
  getEvidenceRoute,
  // Signed checkpoints of the global audit log (every project's chain in one Merkle tree).
  getLatestCheckpoint,
  writeCheckpointRoute,
  previewMigration,
  migrateProject,
  listMyTasks,
  // In-app notifications (src/notify writes them): the signed-in person's own, read and cleared.
  listNotificationsRoute,
  markAllNotificationsRead,
  getNotificationPreferences,
  putNotificationPreferences,
  markNotificationRead,
  getPortfolio,
  listPortfolioSteps,
  bulkPortfolio,
  listSavedViews,
  saveView,
  deleteSavedView,
  searchRoute,
  getKpis,
  getProcessLog,
  getProcessInsights,
  getCapacityForecast,
  recordKpiValueRoute,
  listKpiValuesRoute,
  getReport,
  putReport,
  listContacts,
  createContact,
  updateContactRoute,
  removeContactRoute,
  inviteContactRoute,
  listCommentsRoute,
  addCommentRoute,
  deleteCommentRoute,
  setCommentVisibilityRoute,
  listAttachmentsRoute,
  downloadAttachment,
  deleteAttachmentRoute,
  setAttachmentVisibilityRoute,
  getBrandingRoute,
  putBrandingRoute,
  getParametersRoute,
  putParametersRoute,
  listSubscriptions,
  createSubscription,
  updateSubscription,
  deleteSubscription,
  listDeliveries,
  listInboundDeliveries,
  replayDelivery,
  listCrmConnections,
  changeCrmConnections,
  reconcileCrmConnection,
  // The client portal: contacts' magic links and sessions, their own company's projects only.
  requestMagicLink,
  startPortalSession,
  getPortalSession,
  endPortalSession,
  listPortalProjects,
  getPortalProject,
  runPortalCommand,
  listPortalComments,
  addPortalComment,
  listPortalAttachments,
  downloadPortalAttachment,
  listPortalSurveys,
  // Notifications (src/notify): the mail log, message templates, meeting invitations, survey links.
  listMailRoute,
  getMailRoute,
  listTemplatesRoute,
  putTemplate,
  previewTemplate,
  getMeetingIcs,
  // An email step's mail: the draft for its owner, then sent through the mailer as the step completes.
  getStepEmail,
  sendStepEmail,
  getSurvey,
  answerSurvey,
  listRetention,
];

export function registerRoutes(app: Api, deps: ApiDeps): void {
  for (const endpoint of ENDPOINTS) endpoint(app, deps);
  // File uploads, in a scope whose parser takes the accepted file types as raw bytes.
  registerUploadScope(app, deps, [uploadAttachment, uploadPortalAttachment]);
  // A procedure written elsewhere (BPMN, Markdown, Word) in, as a draft: the file itself is the body.
  registerDraftScope(app, deps, [importPlaybookDraft]);
  // Signed CRM webhooks, in a scope whose JSON parser keeps the raw bytes the signatures cover.
  registerWebhookScope(app, deps, [genericDealWebhook, hubspotDealWebhook, pipedriveDealWebhook, salesforceDealWebhook, connectionWebhook]);
}
