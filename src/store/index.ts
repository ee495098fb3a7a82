// The store's public face: open a database, run projects through the service, tick the
// scheduler, deliver the outbox, verify the audit trail.
export {
  AUDIT_PROBLEM_KINDS,
  type AuditProblem,
  type AuditProblemKind,
  type AuditReport,
  type LogAudit,
  type LogProblem,
  type ProjectAudit,
  REDACTED,
  type RedactRequest,
  type RedactResult,
  redactEvent,
  redactEventIn,
  verifyAgainstCheckpoints,
  verifyAudit,
} from "./audit.ts";
export {
  type CheckpointResult,
  eventInclusionProof,
  eventLeafHash,
  type InclusionProof,
  latestCheckpoint,
  logConsistencyProof,
  type StoredCheckpoint,
  writeCheckpoint,
} from "./audit-log.ts";
export type { CommandResult } from "./command-path.ts";
export {
  BACKEND_PROFILES,
  type Capabilities,
  type ConnectionUse,
  capabilitiesOf,
  type Database,
  type DatabaseTarget,
  dataFolderOf,
  isDatabaseFolder,
  type OpenOptions,
  openDatabase,
  parseDatabaseTarget,
} from "./database.ts";
export {
  AppError,
  ConflictError,
  coerceError,
  type ErrorCode,
  fromEngineError,
  IdempotencyMismatchError,
  isAppError,
  STATUS_OF,
} from "./errors.ts";
export type { StoredEvent } from "./event-log.ts";
export { pruneIdempotencyKeys } from "./idempotency.ts";
export {
  loadMigrations,
  type Migration,
  migrate,
  migrationFile,
  pendingMigrations,
  requireCurrentSchema,
  type SchemaStatus,
  schemaStatus,
} from "./migrate.ts";
export {
  backoffDelay,
  type Delivery,
  type DeliveryAttempt,
  DeliveryDeferred,
  type DispatchOptions,
  type DispatchResult,
  dispatchOutbox,
  type EffectHandler,
  type EffectHandlers,
  enqueueKeyed,
  listOutbox,
  type MailEffect,
  OutboxDispatcher,
  type OutboxEffect,
  type OutboxEntry,
  type SignInLinkEffect,
} from "./outbox.ts";
export { listPeople, MAX_CAPACITY, type PersonInput, type PersonRecord, upsertPerson } from "./people.ts";
export { listPlaybookVersions, type PlaybookRef, type PublishedPlaybook } from "./playbooks.ts";
export type { Clock, Sleep } from "./poller.ts";
export { type CommandObserver, type CommandRequest, type ProjectRecord, ProjectService, type StartRequest } from "./project-service.ts";
export { currentRequestId, type RequestContext, runInRequest } from "./request-context.ts";
export { runDueTicks, Scheduler, type SchedulerOptions, type TickOptions, type TickResult } from "./scheduler.ts";
export {
  type Checkpoint,
  checkpointText,
  defaultOrigin,
  ensureSigningKeyFile,
  openCheckpoint,
  parseVkey,
  readPrivateKeyFile,
  type SigningKey,
  signingKey,
  type VerifierKey,
  verifierFromPem,
} from "./signed-note.ts";
export { enqueueWebhookMessages, OUTBOUND_EVENT_TYPES, type OutboundEventType, webhookPayload } from "./webhook-outbox.ts";
