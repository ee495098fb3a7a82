// The evidence package of an onboarding (issue #17), as pure functions: the summary an auditor's
// sample request asks for (the procedure version followed, every step with who and when, every
// sign-off with how its signer authenticated, every deviation with its reason and who allowed it,
// SLA outcomes, the playbook's compliance checks with their evidence or "missing", and the chain
// proof), built from the project's events, its playbook and the log's proofs; and the offline
// verification of a package's chain and proofs, with only the operator's public key.
import type { Authentication, Instant, ProjectEvent, ProjectState, StepStatus } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { verifyProjectEvents } from "../store/audit.ts";
import { eventLeafHash } from "../store/audit-log.ts";
import { verifyInclusion } from "../store/merkle.ts";
import type { EventRow } from "../store/schema.ts";
import { openCheckpoint, type VerifierKey } from "../store/signed-note.ts";

export const EVIDENCE_KIND = "evidence";
export const EVIDENCE_FORMAT = "onboard-evidence/1";

/** The package's files. */
export const EVIDENCE_FILES = {
  summaryJson: "summary.json",
  summaryPdf: "summary.pdf",
  summaryHtml: "summary.html",
  events: "events.jsonl",
  checkpoint: "proof/checkpoint.note",
  inclusion: "proof/inclusion.json",
} as const;

/** One event as stored: the chain's fields, what events.jsonl holds one per line. */
export interface RawEvent {
  readonly project_id: string;
  readonly seq: number;
  readonly type: string;
  readonly at: Instant;
  readonly actor: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly payload_hash: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export interface InclusionLeaf {
  readonly seq: number;
  readonly eventHash: string;
  readonly leafIndex: number;
  /** RFC 9162 audit path, hex, deepest sibling first. */
  readonly proof: readonly string[];
}

export interface InclusionFile {
  readonly treeSize: number;
  readonly leaves: readonly InclusionLeaf[];
}

export interface EvidenceAttachment {
  readonly step: string | null;
  readonly fileName: string;
  readonly sha256: string;
  readonly uploadedBy: string;
  readonly at: Instant;
}

export interface EvidenceInput {
  readonly state: ProjectState;
  readonly model: PlaybookModel;
  readonly contentHash: string;
  readonly events: readonly RawEvent[];
  /** Display names by actor id (people, accounts, contacts); an unknown id is shown as itself. */
  readonly names: ReadonlyMap<string, string>;
  readonly attachments: readonly EvidenceAttachment[];
  readonly checkpoint: { readonly origin: string; readonly treeSize: number; readonly rootHash: string };
  readonly generatedAt: Instant;
  /** How the human-readable summary is rendered in the package (html when no Chromium could print it). */
  readonly rendering: "pdf" | "html";
  readonly renderingNote?: string;
}

export type SlaOutcome = "met" | "missed" | "open" | "open_overdue" | "no_deadline" | "not_applicable";

export interface StepEvidence {
  readonly id: string;
  readonly title: string;
  readonly phase: string;
  readonly owner: string;
  readonly status: StepStatus | "not_started";
  readonly openedAt: Instant | null;
  readonly completedAt: Instant | null;
  readonly completedBy: string | null;
  readonly completedByName: string | null;
  readonly dueAt: Instant | null;
  readonly originalDueAt: Instant | null;
  readonly targetAt: Instant | null;
  readonly sla: SlaOutcome;
  readonly targetMissed: boolean;
  readonly branch: string | null;
}

export interface ApprovalEvidence {
  readonly seq: number;
  readonly at: Instant;
  readonly step: string;
  readonly stepTitle: string;
  readonly role: string;
  readonly decision: "approved" | "approved_with_conditions" | "rejected" | "withdrawn";
  readonly by: string;
  readonly byName: string;
  readonly authentication: Authentication | null;
  /** In words: "password + TOTP", "magic link to a@b.example" … */
  readonly authenticatedBy: string;
  readonly comment: string | null;
  readonly conditions: string | null;
  readonly item: string | null;
}

export type DeviationKind =
  | "skipped"
  | "extended"
  | "reopened"
  | "activated"
  | "held"
  | "resumed"
  | "cancelled"
  | "project_reopened"
  | "overridden"
  | "approved_with_conditions"
  | "rejected"
  | "withdrawn"
  | "reassigned"
  | "incident"
  | "change_requested"
  | "migrated"
  | "redacted";

export interface DeviationEvidence {
  readonly seq: number;
  readonly at: Instant;
  readonly kind: DeviationKind;
  readonly step: string | null;
  readonly what: string;
  readonly reason: string | null;
  readonly allowedBy: string;
  readonly allowedByName: string;
}

export interface CheckEvidence {
  readonly addendum: string;
  readonly framework: string;
  readonly id: string;
  readonly text: string;
  readonly appliesWhen: string | null;
  readonly status: "evidenced" | "missing" | "not_applicable";
  /** Why missing: the steps named that are not done. */
  readonly missing: readonly string[];
  readonly evidence: readonly {
    readonly step: string;
    readonly completedAt: Instant;
    readonly completedBy: string;
    readonly completedByName: string;
    readonly forms: readonly { readonly form: string; readonly seq: number; readonly fields: readonly string[] }[];
    readonly attachments: readonly { readonly fileName: string; readonly sha256: string }[];
  }[];
}

export interface EvidenceSummary {
  readonly format: typeof EVIDENCE_FORMAT;
  readonly generatedAt: Instant;
  readonly project: {
    readonly id: string;
    readonly client: { readonly id: string; readonly name: string };
    readonly status: string;
    readonly startedAt: Instant;
    readonly goLiveAt: Instant | null;
    readonly completedAt: Instant | null;
    readonly version: number;
  };
  readonly procedure: {
    readonly playbook: { readonly id: string; readonly version: string };
    readonly contentHash: string;
    readonly document: {
      readonly id: string;
      readonly title: string;
      readonly version: string;
      readonly status: string;
      readonly owner: string;
      readonly classification: string;
      readonly effective: string;
      readonly review: string;
      readonly revisions: readonly { readonly version: string; readonly date: string; readonly changes: string }[];
      readonly approvals: readonly {
        readonly role: string;
        readonly name: string | null;
        readonly title: string | null;
        readonly date: string | null;
      }[];
    };
    /** Versions the project ran on before (project.migrated). */
    readonly migratedFrom: readonly { readonly id: string; readonly version: string; readonly at: Instant }[];
  };
  readonly steps: readonly StepEvidence[];
  readonly approvals: readonly ApprovalEvidence[];
  readonly deviations: readonly DeviationEvidence[];
  readonly sla: {
    readonly met: number;
    readonly missed: number;
    readonly open: number;
    readonly openOverdue: number;
    readonly targetsMissed: number;
  };
  readonly checks: readonly CheckEvidence[];
  readonly chain: {
    readonly events: number;
    readonly redacted: number;
    readonly head: { readonly seq: number; readonly hash: string };
    readonly checkpoint: { readonly origin: string; readonly treeSize: number; readonly rootHash: string };
    readonly files: { readonly events: string; readonly checkpoint: string; readonly inclusion: string };
  };
  readonly rendering: { readonly summary: "pdf" | "html"; readonly note: string | null };
}

export function describeAuthentication(authentication: Authentication | undefined | null): string {
  if (!authentication) return "not recorded";
  switch (authentication.method) {
    case "password":
      return "password";
    case "password_totp":
      return "password + TOTP";
    case "sso":
      return `single sign-on (issuer ${authentication.detail ?? "unknown"})`;
    case "magic_link":
      return `magic link to ${authentication.detail ?? "an unknown address"}`;
    case "api_token":
      return `API token "${authentication.detail ?? "unnamed"}"`;
  }
}

function eventOf(raw: RawEvent): ProjectEvent {
  return { ...raw.payload, type: raw.type, at: raw.at, actor: raw.actor } as ProjectEvent;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function slaOf(
  status: StepStatus | "not_started",
  dueAt: Instant | undefined,
  completedAt: Instant | undefined,
  overdue: boolean,
  now: Instant,
): SlaOutcome {
  if (status === "not_applicable" || status === "skipped") return "not_applicable";
  if (dueAt === undefined) return overdue ? "missed" : "no_deadline";
  if (status === "done" && completedAt !== undefined) return overdue || completedAt > dueAt ? "missed" : "met";
  return overdue || now > dueAt ? "open_overdue" : "open";
}

/** The summary an auditor reads: everything the package's events, playbook and proofs say. */
export function buildEvidenceSummary(input: EvidenceInput): EvidenceSummary {
  const { state, model, names } = input;
  const nameOf = (id: string) => names.get(id) ?? id;
  const events = input.events.map((raw) => ({ seq: raw.seq, event: eventOf(raw) }));
  // Titles as the client's edition reads them: the project's parameters filled in (never executed).
  const filled = (title: string) =>
    title.replace(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g, (whole, name: string) => {
      const value = name === "client.name" ? state.client.name : state.params[name.replace(/^params\./, "")];
      return value === undefined ? whole : String(value);
    });
  const stepTitle = (id: string) => filled(model.steps.get(id)?.step.title ?? id);
  const completions = new Map<string, { at: Instant; actor: string }>();
  const overdue = new Set<string>();
  const targetMissed = new Set<string>();
  const approvals: ApprovalEvidence[] = [];
  const deviations: DeviationEvidence[] = [];
  const forms = new Map<string, { form: string; seq: number; fields: string[] }[]>();
  const migratedFrom: { id: string; version: string; at: Instant }[] = [];
  let playbookBefore = state.playbook;
  let redacted = 0;
  const deviation = (seq: number, e: ProjectEvent, kind: DeviationKind, step: string | null, what: string) =>
    deviations.push({ seq, at: e.at, kind, step, what, reason: text(e.reason), allowedBy: e.actor, allowedByName: nameOf(e.actor) });
  for (const { seq, event: e } of events) {
    switch (e.type) {
      case "project.started":
        playbookBefore = e.playbook;
        break;
      case "step.completed":
        completions.set(e.step, { at: e.at, actor: e.actor });
        break;
      case "form.submitted":
        forms.set(e.step, [...(forms.get(e.step) ?? []), { form: e.form, seq, fields: Object.keys(e.values ?? {}).sort() }]);
        break;
      case "step.overdue":
        overdue.add(e.step);
        break;
      case "step.target_missed":
        targetMissed.add(e.step);
        break;
      case "gate.approved":
      case "gate.rejected": {
        const decision = e.type === "gate.rejected" ? "rejected" : e.conditions ? "approved_with_conditions" : "approved";
        approvals.push({
          seq,
          at: e.at,
          step: e.step,
          stepTitle: stepTitle(e.step),
          role: e.role,
          decision,
          by: e.actor,
          byName: nameOf(e.actor),
          authentication: e.authentication ?? null,
          authenticatedBy: describeAuthentication(e.authentication),
          comment: text(e.comment),
          conditions: text(e.conditions),
          item: e.item ?? null,
        });
        if (decision === "approved_with_conditions")
          deviation(
            seq,
            e,
            "approved_with_conditions",
            e.step,
            `${e.role} approved "${stepTitle(e.step)}" with conditions: ${e.conditions}`,
          );
        if (decision === "rejected") deviation(seq, e, "rejected", e.step, `${e.role} rejected "${stepTitle(e.step)}": ${e.comment ?? ""}`);
        break;
      }
      case "gate.withdrawn":
        approvals.push({
          seq,
          at: e.at,
          step: e.step,
          stepTitle: stepTitle(e.step),
          role: e.role,
          decision: "withdrawn",
          by: e.actor,
          byName: nameOf(e.actor),
          authentication: null,
          authenticatedBy: describeAuthentication(undefined),
          comment: null,
          conditions: null,
          item: e.item ?? null,
        });
        deviation(seq, e, "withdrawn", e.step, `${e.role} withdrew its sign-off of "${stepTitle(e.step)}"`);
        break;
      case "step.skipped":
        deviation(seq, e, "skipped", e.step, `"${stepTitle(e.step)}" was skipped`);
        break;
      case "deadline.extended":
        deviation(seq, e, "extended", e.step, `the deadline of "${stepTitle(e.step)}" was extended to ${e.dueAt}`);
        break;
      case "step.reopened":
        deviation(seq, e, "reopened", e.step, `"${stepTitle(e.step)}" was reopened${e.comment ? `: ${e.comment}` : ""}`);
        break;
      case "step.activated":
        // A rejected sign-off sending the flow back is the procedure working; a person opening a step out of turn is an override.
        if (e.returnedBy === undefined) deviation(seq, e, "overridden", e.step, `"${stepTitle(e.step)}" was opened out of turn`);
        break;
      case "project.on_hold":
        deviation(seq, e, "held", null, "the project was put on hold");
        break;
      case "project.resumed":
        deviation(seq, e, "resumed", null, `the project resumed; its dates moved by ${Math.round(e.shiftMs / 3_600_000)} h`);
        break;
      case "project.cancelled":
        deviation(seq, e, "cancelled", null, "the project was cancelled");
        break;
      case "project.reopened":
        deviation(seq, e, "project_reopened", null, "the project was reopened");
        break;
      case "role.assigned":
        if (e.previous !== undefined)
          deviation(seq, e, "reassigned", null, `${e.role} was reassigned from ${nameOf(e.previous)} to ${nameOf(e.person)}`);
        break;
      case "incident.opened":
        deviation(seq, e, "incident", e.incident.step ?? null, `a condition failed at run time: ${e.incident.error}`);
        break;
      case "incident.resolved":
        deviation(seq, e, "incident", null, `incident ${e.id} was retried and resolved`);
        break;
      case "change.requested":
        deviation(
          seq,
          e,
          "change_requested",
          null,
          `change requested (${e.kind}): ${e.delayDays} day(s) of delay, ${e.billable ? "billable" : "not billable"}, ${e.inScope ? "in scope" : "out of scope"}`,
        );
        break;
      case "project.migrated":
        migratedFrom.push({ ...playbookBefore, at: e.at });
        playbookBefore = e.playbook;
        deviation(seq, e, "migrated", null, `the project moved to ${e.playbook.id} version ${e.playbook.version}`);
        break;
      case "audit.redacted":
        redacted++;
        deviation(seq, e, "redacted", null, `personal data erased from event ${e.seq} (${e.paths.map((p) => p.join(".")).join(", ")})`);
        break;
      default:
        break;
    }
  }

  const steps: StepEvidence[] = model.order.map(({ step, phase }) => {
    const s = state.steps[step.id];
    const done = completions.get(step.id);
    const status = s?.status ?? "not_started";
    const completedAt = s?.completedAt ?? (status === "done" ? done?.at : undefined);
    return {
      id: step.id,
      title: filled(step.title),
      phase: filled(phase.title),
      owner: step.owner,
      status,
      openedAt: s?.openedAt ?? null,
      completedAt: completedAt ?? null,
      completedBy: status === "done" ? (done?.actor ?? null) : null,
      completedByName: status === "done" && done ? nameOf(done.actor) : null,
      dueAt: s?.dueAt ?? null,
      originalDueAt: s?.originalDueAt ?? null,
      targetAt: s?.targetAt ?? null,
      sla: slaOf(status, s?.dueAt, completedAt, overdue.has(step.id), input.generatedAt),
      targetMissed: targetMissed.has(step.id) || s?.targetMissedAt !== undefined,
      branch: s?.branch ?? null,
    };
  });
  const byStep = new Map(steps.map((s) => [s.id, s]));

  const checks: CheckEvidence[] = model.playbook.compliance.flatMap((addendum) =>
    addendum.checks.map((check): CheckEvidence => {
      const named = check.at.map((id) => byStep.get(id)).filter((s): s is StepEvidence => s !== undefined);
      const applying = named.filter((s) => s.status !== "not_applicable");
      const missing = applying.filter((s) => s.status !== "done").map((s) => s.id);
      const status =
        named.length > 0 && applying.length === 0
          ? "not_applicable"
          : applying.length > 0 && missing.length === 0
            ? "evidenced"
            : "missing";
      return {
        addendum: addendum.id,
        framework: addendum.framework,
        id: check.id,
        text: check.text,
        appliesWhen: addendum.applies_when ?? null,
        status,
        missing: check.at.length === 0 ? ["(the check names no step where it is collected)"] : missing,
        evidence: applying
          .filter((s) => s.status === "done" && s.completedAt !== null)
          .map((s) => ({
            step: s.id,
            completedAt: s.completedAt as Instant,
            completedBy: s.completedBy ?? "unknown",
            completedByName: s.completedByName ?? s.completedBy ?? "unknown",
            forms: forms.get(s.id) ?? [],
            attachments: input.attachments.filter((a) => a.step === s.id).map((a) => ({ fileName: a.fileName, sha256: a.sha256 })),
          })),
      };
    }),
  );

  const document = model.playbook.document;
  const last = input.events.at(-1);
  return {
    format: EVIDENCE_FORMAT,
    generatedAt: input.generatedAt,
    project: {
      id: state.id,
      client: { ...state.client },
      status: state.status,
      startedAt: state.startedAt,
      goLiveAt: state.goLiveAt ?? null,
      completedAt: state.completedAt ?? null,
      version: state.version,
    },
    procedure: {
      playbook: { ...state.playbook },
      contentHash: input.contentHash,
      document: {
        id: document.id,
        title: document.title,
        version: document.version,
        status: document.status,
        owner: document.owner,
        classification: document.classification,
        effective: String(document.effective),
        review: String(document.review),
        revisions: document.revisions.map((r) => ({ version: r.version, date: String(r.date), changes: r.changes })),
        approvals: document.approvals.map((a) => ({
          role: a.role,
          name: a.name ?? null,
          title: a.title ?? null,
          date: a.date === undefined ? null : String(a.date),
        })),
      },
      migratedFrom,
    },
    steps,
    approvals,
    deviations,
    sla: {
      met: steps.filter((s) => s.sla === "met").length,
      missed: steps.filter((s) => s.sla === "missed").length,
      open: steps.filter((s) => s.sla === "open").length,
      openOverdue: steps.filter((s) => s.sla === "open_overdue").length,
      targetsMissed: steps.filter((s) => s.targetMissed).length,
    },
    checks,
    chain: {
      events: input.events.length,
      redacted,
      head: { seq: last?.seq ?? 0, hash: last?.hash ?? "" },
      checkpoint: { ...input.checkpoint },
      files: { events: EVIDENCE_FILES.events, checkpoint: EVIDENCE_FILES.checkpoint, inclusion: EVIDENCE_FILES.inclusion },
    },
    rendering: { summary: input.rendering, note: input.renderingNote ?? null },
  };
}

/** events.jsonl: one event per line, as stored. */
export function eventsJsonl(events: readonly RawEvent[]): string {
  return events
    .map((e) =>
      JSON.stringify({
        project_id: e.project_id,
        seq: e.seq,
        type: e.type,
        at: e.at,
        actor: e.actor,
        payload: e.payload,
        payload_hash: e.payload_hash,
        prev_hash: e.prev_hash,
        hash: e.hash,
      }),
    )
    .map((line) => `${line}\n`)
    .join("");
}

export interface EvidenceCheck {
  readonly name: "events" | "chain" | "checkpoint" | "inclusion" | "summary";
  readonly ok: boolean;
  readonly message: string;
  readonly problems: readonly string[];
}

function utf8(files: ReadonlyMap<string, Uint8Array>, path: string): string | undefined {
  const bytes = files.get(path);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8");
}

function parseEvents(text: string): { events: RawEvent[]; problems: string[] } {
  const events: RawEvent[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line === "") return;
    try {
      const e = JSON.parse(line) as RawEvent;
      if (typeof e.seq !== "number" || typeof e.hash !== "string" || typeof e.payload !== "object" || e.payload === null)
        throw new Error("not an event");
      events.push(e);
    } catch (error) {
      problems.push(`line ${i + 1} of ${EVIDENCE_FILES.events} is not an event: ${(error as Error).message}`);
    }
  });
  return { events, problems };
}

/**
 * The evidence-specific checks of a package whose manifest verified: the events form an intact hash
 * chain (erasures accepted as `onboard audit verify` accepts them), the checkpoint is signed by
 * `key`, every event is in the checkpoint's tree (its inclusion proof), and the summary states the
 * same head, count and checkpoint. Pure: the files and the key are all it reads.
 */
export function verifyEvidenceFiles(subject: string, files: ReadonlyMap<string, Uint8Array>, key: VerifierKey): EvidenceCheck[] {
  const checks: EvidenceCheck[] = [];
  const check = (name: EvidenceCheck["name"], problems: string[], ok: string) =>
    checks.push({ name, ok: problems.length === 0, message: problems.length === 0 ? ok : (problems[0] as string), problems });

  const eventsText = utf8(files, EVIDENCE_FILES.events);
  const parsed = eventsText === undefined ? { events: [], problems: [`no ${EVIDENCE_FILES.events}`] } : parseEvents(eventsText);
  const { events } = parsed;
  const others = events.filter((e) => e.project_id !== subject);
  if (others.length > 0) parsed.problems.push(`${others.length} event(s) are not of project ${subject}`);
  check("events", parsed.problems, `${events.length} events of project ${subject}`);

  let summary: EvidenceSummary | undefined;
  const summaryProblems: string[] = [];
  try {
    summary = JSON.parse(utf8(files, EVIDENCE_FILES.summaryJson) ?? "") as EvidenceSummary;
  } catch {
    summaryProblems.push(`${EVIDENCE_FILES.summaryJson} is missing or not JSON`);
  }

  // The checkpoint and the inclusion of every event in it.
  const note = utf8(files, EVIDENCE_FILES.checkpoint);
  let root: Buffer | undefined;
  let treeSize = 0;
  const checkpointProblems: string[] = [];
  if (note === undefined) checkpointProblems.push(`no ${EVIDENCE_FILES.checkpoint}`);
  else {
    try {
      const opened = openCheckpoint(note, key);
      treeSize = opened.checkpoint.treeSize;
      if (opened.signed) root = opened.checkpoint.rootHash;
      else checkpointProblems.push(`the checkpoint is not signed by this key: ${opened.why}`);
    } catch (error) {
      checkpointProblems.push(`the checkpoint cannot be read: ${(error as Error).message}`);
    }
  }
  check("checkpoint", checkpointProblems, `the checkpoint of ${treeSize} events is signed by ${key.name ?? "the key"}`);

  const inclusionProblems: string[] = [];
  const included = new Set<number>();
  let inclusion: InclusionFile | undefined;
  try {
    inclusion = JSON.parse(utf8(files, EVIDENCE_FILES.inclusion) ?? "") as InclusionFile;
  } catch {
    inclusionProblems.push(`${EVIDENCE_FILES.inclusion} is missing or not JSON`);
  }
  if (inclusion && root) {
    if (inclusion.treeSize !== treeSize)
      inclusionProblems.push(`the proofs are for a tree of ${inclusion.treeSize} events, the checkpoint's has ${treeSize}`);
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const leaf of inclusion.leaves ?? []) {
      const event = bySeq.get(leaf.seq);
      if (!event) {
        inclusionProblems.push(`a proof names event ${leaf.seq}, which is not in the package`);
        continue;
      }
      let valid = false;
      try {
        valid =
          leaf.eventHash === event.hash &&
          verifyInclusion(
            eventLeafHash(subject, event.seq, event.hash),
            leaf.leafIndex,
            treeSize,
            leaf.proof.map((h) => Buffer.from(h, "hex")),
            root,
          );
      } catch {
        valid = false;
      }
      if (valid) included.add(event.seq);
      else inclusionProblems.push(`event ${event.seq} is not in the checkpoint's tree as its hash says (its inclusion proof fails)`);
    }
    const proven = new Set((inclusion.leaves ?? []).map((leaf) => leaf.seq));
    for (const e of events) if (!proven.has(e.seq)) inclusionProblems.push(`event ${e.seq} has no inclusion proof`);
  } else if (!root) inclusionProblems.push("the inclusion proofs cannot be checked without a checkpoint signed by the key");
  check("inclusion", inclusionProblems, `all ${included.size} events are in the signed checkpoint's tree`);

  // The chain: events form it from seq 1 to the head the summary states (signed in the manifest).
  const head = summary?.chain?.head?.seq ?? events.at(-1)?.seq ?? 0;
  let covered = 0;
  while (included.has(covered + 1)) covered++;
  try {
    const audit = verifyProjectEvents(subject, head, events as unknown as EventRow[], { covered, key });
    check(
      "chain",
      audit.problems.map((p) => `seq ${p.seq} ${p.kind}: ${p.message}`),
      `the hash chain of ${audit.events} events is intact${audit.redacted > 0 ? ` (${audit.redacted} erased as recorded in the chain)` : ""}`,
    );
  } catch (error) {
    // An event whose fields cannot be read (a time that is no time) is a broken chain, not a crash.
    check("chain", [`the events cannot be checked: ${(error as Error).message}`], "");
  }

  if (summary) {
    const last = events.at(-1);
    if (summary.project?.id !== subject)
      summaryProblems.push(`the summary is about project ${summary.project?.id}, the package about ${subject}`);
    if (summary.chain?.events !== events.length)
      summaryProblems.push(`the summary counts ${summary.chain?.events} events, the package holds ${events.length}`);
    if (!last || summary.chain?.head?.hash !== last.hash) summaryProblems.push("the summary's head hash is not the last event's");
    if (root && summary.chain?.checkpoint?.rootHash !== root.toString("base64"))
      summaryProblems.push("the summary names another checkpoint root");
  }
  check("summary", summaryProblems, "the summary states the package's head, event count and checkpoint");
  return checks;
}
