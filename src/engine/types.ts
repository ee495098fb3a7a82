// The process engine's values: a project's state, the commands people and the scheduler send,
// the events that record what happened (the audit trail), and the effects adapters deliver.
// All times are ISO-8601 UTC strings so state and events serialize without loss.

export type Instant = string;

/**
 * Who acts: a person of the team, a client contact, a service account (an automation such as a risk
 * engine, acting through its API token in the playbook roles it holds), or the system (scheduler,
 * automations of the playbook itself).
 */
export interface Actor {
  readonly id: string;
  readonly kind: "user" | "contact" | "service" | "system";
  /** The playbook roles this actor holds on this project (assigned, or the contact's role). */
  readonly roles: readonly string[];
  /** CS operations and admins may skip, extend, hold, cancel and reassign. */
  readonly manager?: boolean;
  /** How the person proved who they are for this command (absent: unknown, or the system). */
  readonly authentication?: Authentication;
}

/**
 * How a signer authenticated, recorded with their sign-off so an auditor sees it in the chain:
 * a password, a password and a TOTP code, single sign-on (`detail`: the issuer), a magic link
 * (`detail`: the address it was mailed to) or an API token (`detail`: its name).
 */
export interface Authentication {
  readonly method: "password" | "password_totp" | "sso" | "magic_link" | "api_token";
  readonly detail?: string;
}

export const SYSTEM: Actor = { id: "system", kind: "system", roles: [], manager: true };

export type StepStatus =
  /** Waiting for the steps before it. */
  | "blocked"
  /** Scheduled to open at a time (`opens:`), e.g. 30 days after go-live. */
  | "scheduled"
  /**
   * On-demand step that no branch or automation has opened. Once no decision can still open it,
   * the steps after it do not wait for it (flow.ts willNotRun).
   */
  | "dormant"
  | "open"
  | "in_progress"
  /**
   * A decision sent the flow elsewhere (fix, clarify); it decides again when the loop returns, and
   * is done with its branch once nothing can return to it (flow.ts closeLoops).
   */
  | "looping"
  | "done"
  | "skipped"
  /** Excluded for this client by its `when:` condition. */
  | "not_applicable";

export const SATISFIED: ReadonlySet<StepStatus> = new Set(["done", "skipped", "not_applicable"]);
export const ACTIVE: ReadonlySet<StepStatus> = new Set(["open", "in_progress"]);

export interface Approval {
  readonly decision: "approved" | "rejected";
  readonly by: string;
  readonly at: Instant;
  readonly comment?: string;
  /** Approved with conditions: what the signer requires (its outcome is approved_with_conditions). */
  readonly conditions?: string;
}

/** One item of a repeated step: its own form answers, checklist and sign-offs. */
export interface ItemWork {
  readonly values?: Readonly<Record<string, unknown>>;
  readonly checklist?: Readonly<Record<string, boolean>>;
  readonly approvals?: Readonly<Record<string, Approval>>;
}

export interface StepState {
  readonly id: string;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly openedAt?: Instant;
  readonly startedAt?: Instant;
  readonly completedAt?: Instant;
  readonly opensAt?: Instant;
  readonly dueAt?: Instant;
  readonly targetAt?: Instant;
  readonly remindedAt?: Instant;
  readonly overdueAt?: Instant;
  /** When the soft `target:` passed with the step still open (absent before targets raised an event). */
  readonly targetMissedAt?: Instant;
  /** Extensions granted in this pass, and the deadline before the first of them. */
  readonly extensions?: number;
  readonly originalDueAt?: Instant;
  /** The time the first pass had (its deadline minus its opening, in ms): a later pass gets at least as much. */
  readonly firstAllowanceMs?: number;
  readonly checklist: Readonly<Record<string, boolean>>;
  readonly approvals: Readonly<Record<string, Approval>>;
  /** For `repeat: for_each` steps: each item with its own completion. */
  readonly items?: Readonly<Record<string, Instant | null>>;
  /** What each item is called (a records row's `label:`), where it is not its id. */
  readonly itemLabels?: Readonly<Record<string, string>>;
  /** Each item's own work: its form answers, checklist ticks and sign-offs (absent before any). */
  readonly itemWork?: Readonly<Record<string, ItemWork>>;
  /**
   * When the step's run-time condition (a `when:` or `for_each:` reading forms or other run-time
   * values) was decided: once, when the step first became reachable.
   */
  readonly decidedAt?: Instant;
  readonly branch?: string;
  readonly skipReason?: string;
  /** A rejected sign-off sent the flow back here: who rejected, and what they asked to change. */
  readonly returned?: { readonly role: string; readonly comment: string };
}

export interface Timer {
  readonly id: string;
  readonly rule: string;
  /** What the timer is about (an issue, a step); the rule's `until` event for it cancels it. */
  readonly subject: string;
  readonly fireAt: Instant;
  readonly fired: number;
}

export interface Task {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
  readonly source: string;
  readonly createdAt: Instant;
  readonly dueAt?: Instant;
  readonly doneAt?: Instant;
}

export interface Issue {
  readonly id: string;
  readonly severity: string;
  readonly title: string;
  readonly openedAt: Instant;
  readonly resolvedAt?: Instant;
}

/**
 * A condition that failed at run time (a regular expression, a missing key, a division by zero):
 * what it guards waits until an admin retries after fixing the data or the playbook (Camunda's
 * incident). `step`/`rule`/`cadence` say what waits; `inputs` are the values the expression read.
 */
export interface Incident {
  readonly id: string;
  readonly kind: "step_condition" | "decision" | "rule" | "cadence";
  readonly step?: string;
  readonly rule?: string;
  readonly cadence?: string;
  readonly expression: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly error: string;
  readonly openedAt: Instant;
  readonly resolvedAt?: Instant;
  /** For a rule: what it was reacting to, so a retry reacts to the same occurrence. */
  readonly subject?: string;
  readonly event?: Readonly<Record<string, unknown>>;
}

export interface TrainingRecord {
  readonly track: string;
  readonly person: string;
  readonly score: number;
  readonly passed: boolean;
}

export type ProjectStatus = "active" | "on_hold" | "cancelled" | "closed";
export type Health = "green" | "amber" | "red";

export interface CalendarInput {
  readonly timeZone: string;
  readonly workingDays: readonly ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
  readonly workingHours: string;
  readonly country?: string;
  readonly region?: string;
  readonly closures?: readonly { from: string; to: string; label: string }[];
}

export type FactValue = boolean | number | string | readonly string[];

export interface ProjectState {
  readonly id: string;
  readonly playbook: { readonly id: string; readonly version: string };
  readonly client: { readonly id: string; readonly name: string };
  readonly status: ProjectStatus;
  /** Number of events applied: the optimistic-concurrency version of the project. */
  readonly version: number;
  readonly startedAt: Instant;
  readonly facts: Readonly<Record<string, FactValue>>;
  readonly params: Readonly<Record<string, string | number>>;
  readonly calendar: CalendarInput;
  readonly assignments: Readonly<Record<string, string>>;
  readonly steps: Readonly<Record<string, StepState>>;
  readonly forms: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly timers: readonly Timer[];
  readonly tasks: Readonly<Record<string, Task>>;
  readonly issues: Readonly<Record<string, Issue>>;
  /** Conditions that failed at run time, by id; an open one holds what it guards (absent in states saved before incidents existed). */
  readonly incidents?: Readonly<Record<string, Incident>>;
  readonly training: readonly TrainingRecord[];
  /**
   * Running cadences: the next occurrence and how many happened. `agreed`: the form answers a
   * cadence agreed with the client was scheduled from (absent for schedules the playbook wrote).
   */
  readonly cadences: Readonly<Record<string, { readonly nextAt?: Instant; readonly count: number; readonly agreed?: CadenceAgreement }>>;
  /** Surveys by id: when each goes out (scheduled once its anchor is known) and when it went. */
  readonly surveys: Readonly<Record<string, { readonly dueAt: Instant; readonly sentAt?: Instant }>>;
  readonly health: Health;
  readonly heldSince?: Instant;
  readonly goLiveAt?: Instant;
  readonly completedAt?: Instant;
  readonly closedAt?: Instant;
  /** Monotonic counter for ids the engine mints (tasks, issues, timers): replay gives the same ids. */
  readonly sequence: number;
}

/** The form answers (their texts) a cadence's interval, weekday and time of day were agreed as. */
export interface CadenceAgreement {
  readonly every?: string;
  readonly weekday?: string;
  readonly at?: string;
}

/** Everything an event carries besides its own fields. */
export interface EventMeta {
  readonly at: Instant;
  readonly actor: string;
  readonly reason?: string;
}

export type ProjectEvent = EventMeta &
  (
    | {
        readonly type: "project.started";
        readonly project: string;
        readonly playbook: { readonly id: string; readonly version: string };
        readonly client: { readonly id: string; readonly name: string };
        readonly facts: Readonly<Record<string, FactValue>>;
        readonly params: Readonly<Record<string, string | number>>;
        readonly calendar: CalendarInput;
        readonly excluded: readonly string[];
        readonly items: Readonly<Record<string, readonly string[]>>;
      }
    | { readonly type: "role.assigned"; readonly role: string; readonly person: string; readonly previous?: string }
    | { readonly type: "assignment.failed"; readonly role: string; readonly why: string }
    | { readonly type: "step.opened"; readonly step: string; readonly dueAt?: Instant; readonly targetAt?: Instant }
    | { readonly type: "step.scheduled"; readonly step: string; readonly opensAt: Instant }
    | { readonly type: "step.started"; readonly step: string }
    /** `item` is the checklist item; `for` the repeated step's item it was ticked for (absent: the step). */
    | { readonly type: "checklist.ticked"; readonly step: string; readonly item: string; readonly checked: boolean; readonly for?: string }
    /** `item`: the repeated step's item the answers are for (absent: the project's form). */
    | {
        readonly type: "form.submitted";
        readonly step: string;
        readonly form: string;
        readonly values: Readonly<Record<string, unknown>>;
        readonly item?: string;
      }
    | {
        readonly type: "gate.approved" | "gate.rejected";
        readonly step: string;
        readonly role: string;
        readonly comment?: string;
        readonly item?: string;
        /** gate.approved with conditions the signer requires (the outcome approved_with_conditions). */
        readonly conditions?: string;
        /** How the signer authenticated (absent in events recorded before it was kept, and for the system). */
        readonly authentication?: Authentication;
      }
    /** A sign-off (approval or rejection) taken back by its role before the step completed. */
    | { readonly type: "gate.withdrawn"; readonly step: string; readonly role: string; readonly item?: string }
    /**
     * A step whose condition reads run-time values (forms, gates, ...) became reachable and its
     * `when:` did not hold (or its `for_each:` list was empty): it is left out. `expression` is what
     * was evaluated, `inputs` the values it read.
     */
    | {
        readonly type: "step.excluded";
        readonly step: string;
        readonly expression: string;
        readonly inputs: Readonly<Record<string, unknown>>;
      }
    /**
     * A step whose condition reads run-time values became reachable and applies: its `for_each:`
     * items (ids, with their labels where they differ) are fixed now.
     */
    | {
        readonly type: "step.included";
        readonly step: string;
        readonly items?: readonly string[];
        readonly labels?: Readonly<Record<string, string>>;
      }
    | { readonly type: "item.completed"; readonly step: string; readonly item: string }
    /** A `per_occurrence` step opened again by a rule: one more item to do (each issue, each change). */
    | { readonly type: "occurrence.added"; readonly step: string; readonly item: string; readonly label: string }
    | { readonly type: "step.completed"; readonly step: string; readonly branch?: string }
    | { readonly type: "step.looped"; readonly step: string; readonly branch: string; readonly to: string }
    /** `returnedBy`/`comment`: a rejected sign-off sent the flow back here (decision loop). */
    | { readonly type: "step.activated"; readonly step: string; readonly returnedBy?: string; readonly comment?: string }
    | { readonly type: "step.skipped"; readonly step: string }
    | { readonly type: "step.reopened"; readonly step: string; readonly returnedBy?: string; readonly comment?: string }
    /** An open step goes back to waiting because a step it depends on was reopened. */
    | { readonly type: "step.reblocked"; readonly step: string; readonly because: string }
    | { readonly type: "deadline.extended"; readonly step: string; readonly dueAt: Instant }
    /**
     * A deadline that counts from something known only later ("3 days before kickoff", "2 days
     * before the agreed go-live date") was set or moved because that became known or changed.
     */
    | { readonly type: "deadline.planned"; readonly step: string; readonly dueAt?: Instant; readonly targetAt?: Instant }
    | { readonly type: "step.reminded"; readonly step: string }
    | { readonly type: "step.overdue"; readonly step: string; readonly dueAt: Instant }
    /** The soft `target:` passed with the step still open (the hard deadline's step.overdue, earlier). */
    | { readonly type: "step.target_missed"; readonly step: string; readonly targetAt: Instant }
    | { readonly type: "project.on_hold" }
    | { readonly type: "project.resumed"; readonly shiftMs: number }
    | { readonly type: "project.cancelled" }
    | { readonly type: "project.reopened" }
    | { readonly type: "project.go_live" }
    | { readonly type: "project.completed" }
    | { readonly type: "project.closed" }
    | { readonly type: "timer.scheduled"; readonly timer: Timer }
    | { readonly type: "timer.fired"; readonly id: string; readonly nextAt?: Instant }
    | { readonly type: "timer.cancelled"; readonly id: string }
    | { readonly type: "task.created"; readonly task: Task }
    | { readonly type: "task.completed"; readonly id: string }
    | { readonly type: "issue.opened"; readonly issue: Issue }
    | { readonly type: "issue.resolved"; readonly id: string }
    | { readonly type: "incident.opened"; readonly incident: Incident }
    /**
     * The condition evaluated after a retry. For a step's `when:`, `applies: false` leaves the step
     * out for this client; `items` are a repeated step's items (an empty list leaves it out too).
     */
    | { readonly type: "incident.resolved"; readonly id: string; readonly applies?: boolean; readonly items?: readonly string[] }
    | {
        readonly type: "change.requested";
        readonly kind: string;
        readonly delayDays: number;
        readonly billable: boolean;
        readonly inScope: boolean;
      }
    | { readonly type: "survey.answered"; readonly survey: string; readonly score: number; readonly comment?: string }
    | { readonly type: "survey.scheduled"; readonly survey: string; readonly dueAt: Instant }
    | { readonly type: "survey.sent"; readonly survey: string }
    | { readonly type: "training.recorded"; readonly record: TrainingRecord }
    | { readonly type: "cadence.occurred"; readonly cadence: string; readonly n: number; readonly nextAt?: Instant }
    | { readonly type: "cadence.started"; readonly cadence: string; readonly nextAt: Instant; readonly agreed?: CadenceAgreement }
    /** A cadence agreed with the client changed its schedule (the form was submitted again): its next occurrence moved. */
    | { readonly type: "cadence.rescheduled"; readonly cadence: string; readonly nextAt: Instant; readonly agreed: CadenceAgreement }
    | { readonly type: "cadence.ended"; readonly cadence: string }
    | { readonly type: "health.set"; readonly health: Health }
    | { readonly type: "rule.fired"; readonly rule: string; readonly subject: string }
    | { readonly type: "note.added"; readonly text: string }
    /**
     * Personal data was erased from the payload of event `seq` (a GDPR erasure, done by the store).
     * The record itself is in the project's chain: who (actor), when (at), why (reason), which
     * fields (paths), and the SHA-256 of the payload as redacted, never the data erased. `seal` is
     * the log key's Ed25519 signature over all of that (store/audit.ts), when a key is configured.
     * The state does not change: only the version counts it.
     */
    | {
        readonly type: "audit.redacted";
        readonly seq: number;
        readonly paths: readonly (readonly string[])[];
        readonly payloadHash: string;
        readonly seal?: { readonly keyName: string; readonly keyId: string; readonly signature: string };
      }
    | {
        readonly type: "project.migrated";
        readonly playbook: { readonly id: string; readonly version: string };
        readonly added: readonly {
          readonly step: string;
          readonly status: "blocked" | "not_applicable" | "dormant";
          readonly checklist: readonly string[];
        }[];
        readonly removed: readonly string[];
      }
  );

export type EventType = ProjectEvent["type"];
export type EventOf<T extends EventType> = Extract<ProjectEvent, { type: T }>;

/** What the outside world must be told; adapters deliver these from the outbox, at least once. */
export type Effect =
  | { readonly kind: "notify"; readonly to: readonly string[]; readonly message: string; readonly channel: "in_app" | "email" | "chat" }
  | {
      readonly kind: "email";
      readonly to: readonly string[];
      readonly template: string;
      readonly invite?: string;
      /** Roles or addresses copied; resolved to people when the mail goes (absent in older effects). */
      readonly cc?: readonly string[];
      readonly replyTo?: string;
      readonly from?: string;
    }
  | { readonly kind: "escalate"; readonly to: string; readonly reason: string }
  | { readonly kind: "remind"; readonly step: string; readonly to: string; readonly dueAt: Instant }
  | { readonly kind: "send_survey"; readonly survey: string; readonly to: readonly string[] }
  | { readonly kind: "send_invite"; readonly meeting: string }
  /**
   * A meeting (a step id or a cadence id) that may be in calendars moved (`moved`: its time was
   * taken again) or stopped (`cancelled`) at `at`; the adapter updates or cancels the invitation it
   * sent, if it sent one and something changed. `why` says what happened, in words.
   */
  | {
      readonly kind: "update_invite";
      readonly meeting: string;
      readonly change: "moved" | "cancelled";
      readonly at: Instant;
      readonly why: string;
    }
  | { readonly kind: "request_approval"; readonly from: string; readonly subject: string }
  | { readonly kind: "assignment_needed"; readonly role: string; readonly why: string }
  | { readonly kind: "start_project"; readonly playbook: string };

export type Command =
  | { readonly type: "assign"; readonly role: string; readonly person: string }
  | { readonly type: "start_step"; readonly step: string }
  /** `for`: the repeated step's item (its id) the tick is for. */
  | { readonly type: "tick_checklist"; readonly step: string; readonly item: string; readonly checked: boolean; readonly for?: string }
  | { readonly type: "submit_form"; readonly step: string; readonly values: Readonly<Record<string, unknown>>; readonly item?: string }
  | {
      readonly type: "approve" | "reject";
      readonly step: string;
      readonly role: string;
      readonly comment?: string;
      readonly item?: string;
      /** approve only: approved with these conditions (required text when given). */
      readonly conditions?: string;
    }
  | { readonly type: "withdraw_approval"; readonly step: string; readonly role: string; readonly reason: string; readonly item?: string }
  | { readonly type: "complete_step"; readonly step: string; readonly item?: string }
  | { readonly type: "record_decision"; readonly step: string; readonly branch: string }
  | { readonly type: "skip_step"; readonly step: string; readonly reason: string }
  | { readonly type: "extend_deadline"; readonly step: string; readonly until: Instant; readonly reason: string }
  | { readonly type: "reopen_step"; readonly step: string; readonly reason: string }
  | { readonly type: "activate_step"; readonly step: string; readonly reason: string }
  | { readonly type: "hold"; readonly reason: string }
  | { readonly type: "resume"; readonly reason?: string }
  | { readonly type: "cancel"; readonly reason: string }
  | { readonly type: "reopen"; readonly reason: string }
  | { readonly type: "go_live" }
  | { readonly type: "open_issue"; readonly severity: string; readonly title: string }
  | { readonly type: "resolve_issue"; readonly issue: string }
  /** Evaluate an incident's condition again (after the data or the playbook version was fixed). */
  | { readonly type: "retry_incident"; readonly incident: string }
  | {
      readonly type: "request_change";
      readonly kind: string;
      readonly delayDays: number;
      readonly billable: boolean;
      readonly inScope: boolean;
      readonly reason: string;
    }
  | { readonly type: "answer_survey"; readonly survey: string; readonly score: number; readonly comment?: string }
  | { readonly type: "record_training"; readonly track: string; readonly person: string; readonly score: number }
  | { readonly type: "complete_task"; readonly task: string }
  | { readonly type: "set_health"; readonly health: Health; readonly reason: string }
  | { readonly type: "tick" };

export type CommandType = Command["type"];

export interface Outcome {
  readonly state: ProjectState;
  readonly events: readonly ProjectEvent[];
  readonly effects: readonly Effect[];
}
