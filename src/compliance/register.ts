// The register of personal data Onboard holds (GDPR Art. 30): its own records (contacts, sign-ins,
// comments, files, mail, notifications, survey answers, the team's accounts) and, per playbook, the
// form fields the playbook marks personal. Pure: the API reads the published playbooks and hands
// them in; the same rows feed GET /gdpr/register, the admins' page and the exports' checklist.
import { personalDataRegister, type RegisteredField } from "../playbook/personal-data.ts";
import type { Playbook } from "../playbook/schema.ts";

export type DataSubject = "contact" | "team_member";

/** One kind of record Onboard itself keeps, whatever the playbook. */
export interface OwnRecord {
  /** Stable id: the exports name their sections after it. */
  readonly id: string;
  readonly title: string;
  readonly subject: DataSubject;
  /** The personal data in it. */
  readonly fields: readonly string[];
  readonly category: string;
  readonly purpose: string;
  readonly legalBasis: string;
  /** The tables that hold it. */
  readonly storedIn: readonly string[];
  readonly retention: string;
  /** The section of GET /contacts/{id}/export that carries it (null: not a contact's data). */
  readonly contactExportSection: string | null;
}

const CONTRACT = "Art. 6(1)(b) GDPR: performance of the contract with the client";
const LEGITIMATE = "Art. 6(1)(f) GDPR: legitimate interest in running and securing the onboarding";
const UNTIL_ERASED =
  "As long as the client's records are kept: the playbook's retention rules, counted from the relationship's end; erased on request (Art. 17) unless a rule requires keeping them";

export const ONBOARD_RECORDS: readonly OwnRecord[] = [
  {
    id: "contact",
    title: "Client contacts",
    subject: "contact",
    fields: ["name", "email", "title (job role)", "portal roles", "active", "created, deactivated and removed times"],
    category: "Identification and contact details",
    purpose: "Reach the client's people during onboarding and let them sign in to the portal",
    legalBasis: CONTRACT,
    storedIn: ["contacts"],
    retention: UNTIL_ERASED,
    contactExportSection: "contact",
  },
  {
    id: "sign_in",
    title: "Portal sign-ins",
    subject: "contact",
    fields: ["sign-in links asked for (times, not the secrets)", "portal sessions (start and expiry)"],
    category: "Authentication records",
    purpose: "Let contacts sign in without a password and show when they did",
    legalBasis: LEGITIMATE,
    storedIn: ["magic_links", "contact_sessions"],
    retention: "Links expire after 15 minutes and sessions after their lifetime; the rows are removed when access is revoked",
    contactExportSection: "signIns",
  },
  {
    id: "comment",
    title: "Comments",
    subject: "contact",
    fields: ["author name", "text", "time", "visibility"],
    category: "Communication content",
    purpose: "The conversation between the team and the client about the onboarding",
    legalBasis: CONTRACT,
    storedIn: ["comments"],
    retention: UNTIL_ERASED,
    contactExportSection: "comments",
  },
  {
    id: "file",
    title: "Files uploaded",
    subject: "contact",
    fields: ["file name", "content type", "size", "checksum", "the file's content", "uploader and time"],
    category: "Documents provided by the client",
    purpose: "Documents the onboarding needs from the client",
    legalBasis: CONTRACT,
    storedIn: ["attachments", "file_chunks", "the file store (FILES_DIR)"],
    retention: UNTIL_ERASED,
    contactExportSection: "files",
  },
  {
    id: "mail",
    title: "Mail sent",
    subject: "contact",
    fields: ["recipient name and address", "subject", "body (sign-in and survey links redacted)", "time"],
    category: "Communication content",
    purpose: "A record of what Onboard told the client's people, and when",
    legalBasis: LEGITIMATE,
    storedIn: ["mail_messages", "outbox (until sent)", "the mail folder (MAIL_DIR, .eml files) when no SMTP server is set"],
    retention: UNTIL_ERASED,
    contactExportSection: "mail",
  },
  {
    id: "notification",
    title: "In-app notifications",
    subject: "contact",
    fields: ["message", "time", "read time"],
    category: "Communication content",
    purpose: "Tell a person in the app what needs their attention",
    legalBasis: LEGITIMATE,
    storedIn: ["notifications"],
    retention: UNTIL_ERASED,
    contactExportSection: "notifications",
  },
  {
    id: "survey_answer",
    title: "Survey answers",
    subject: "contact",
    fields: ["score", "comment", "answers", "time"],
    category: "Opinions and feedback",
    purpose: "Measure the client's satisfaction with the onboarding (the playbook's KPIs)",
    legalBasis: LEGITIMATE,
    storedIn: ["survey_answers", "survey_links"],
    retention: UNTIL_ERASED,
    contactExportSection: "surveyAnswers",
  },
  {
    id: "form_answer",
    title: "Form answers",
    subject: "contact",
    fields: ["the answers a contact submitted", "the personal answers about them (the playbook's personal fields, below)"],
    category: "As the playbook's forms say (see each playbook's fields)",
    purpose: "As each playbook's fields say",
    legalBasis: CONTRACT,
    storedIn: ["events (form.submitted)", "projects (state)", "outbound webhook payloads (webhook_messages)"],
    retention: "As each playbook's retention rules say",
    contactExportSection: "formAnswers",
  },
  {
    id: "data_request",
    title: "Data subjects' requests",
    subject: "contact",
    fields: ["whose data", "kind (access, erasure)", "when received and due", "how it came", "notes", "status and outcome"],
    category: "Records of the exercise of data-protection rights",
    purpose: "Answer each request within its deadline and show that it was answered (accountability)",
    legalBasis: "Art. 6(1)(c) GDPR: the legal obligation to answer (Art. 12) and to show compliance (Art. 5(2))",
    storedIn: ["data_requests", "erasures (ids and counts only)"],
    retention: "Kept as the accountability record of the request; notes naming the person are erased with them",
    contactExportSection: "dataRequests",
  },
  {
    id: "team_account",
    title: "The team's accounts",
    subject: "team_member",
    fields: ["name", "email", "access roles", "sign-in identities", "sessions", "API tokens (hashes)", "second factor"],
    category: "Identification and authentication records of employees",
    purpose: "Let the team sign in, and attribute every action in the audit trail to a person",
    legalBasis: "Art. 6(1)(b) and (f) GDPR: the employment contract; accountability of changes",
    storedIn: ["users", "people", "sessions", "api_tokens", "user_totp", "oidc_identities"],
    retention: "While the account exists; the audit trail keeps the person's id for the records' retention",
    contactExportSection: null,
  },
];

/** A published playbook's part of the register. */
export interface PlaybookRegister {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly fields: readonly RegisteredField[];
}

export interface PersonalDataRegister {
  readonly records: readonly OwnRecord[];
  readonly playbooks: readonly PlaybookRegister[];
}

export interface PublishedPlaybook {
  readonly id: string;
  readonly version: string;
  readonly playbook: Pick<Playbook, "forms" | "retention" | "document">;
}

/** The whole register: Onboard's own records, and every given playbook's personal fields (those with none are listed empty). */
export function personalDataRegisterOf(playbooks: readonly PublishedPlaybook[]): PersonalDataRegister {
  return {
    records: ONBOARD_RECORDS,
    playbooks: playbooks.map((p) => ({
      id: p.id,
      version: p.version,
      title: p.playbook.document.title,
      fields: personalDataRegister(p.playbook),
    })),
  };
}
