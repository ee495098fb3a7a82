import { z } from "zod";

const RegisteredField = z.object({
  form: z.string(),
  formTitle: z.string(),
  field: z.string(),
  columns: z.array(z.string()).describe("For a table of people: its personal columns."),
  label: z.string(),
  type: z.string(),
  purpose: z.string(),
  retention: z.array(z.string()).describe("What the playbook's retention rules say for it; empty: the playbook sets none."),
});

export const PersonalDataRegister = z
  .object({
    records: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        subject: z.enum(["contact", "team_member"]),
        fields: z.array(z.string()),
        category: z.string(),
        purpose: z.string(),
        legalBasis: z.string(),
        storedIn: z.array(z.string()),
        retention: z.string(),
        contactExportSection: z.string().nullable().describe("The section of a contact's export that carries it (null: none)."),
      }),
    ),
    playbooks: z.array(z.object({ id: z.string(), version: z.string(), title: z.string(), fields: z.array(RegisteredField) })),
  })
  .meta({
    id: "PersonalDataRegister",
    description: "The personal data Onboard holds (GDPR Art. 30): its own records, and each published playbook's personal form fields.",
  });

export const ExportQuery = z.object({
  format: z
    .enum(["json", "csv"])
    .default("json")
    .describe("json (default, typed below) or csv (one long table: record, id, project, field, value, at)."),
});

export const SubjectParams = z.object({ id: z.string().min(1).max(200) });

const Contact = z.object({
  id: z.string(),
  clientId: z.string(),
  name: z.string(),
  email: z.string(),
  title: z.string().nullable(),
  roles: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deactivatedAt: z.string().nullable(),
  removedAt: z.string().nullable(),
});

const Answer = z.object({
  projectId: z.string(),
  form: z.string(),
  field: z.string(),
  label: z.string(),
  personal: z.boolean().describe("The playbook marks the field personal data."),
  value: z.unknown(),
  step: z.string(),
  item: z.string().nullable().describe("The repeated step's item the answers are for (null: the project's form)."),
  submittedAt: z.string(),
  submittedBy: z.string().describe("The account or contact id that submitted the form."),
});

const Comment = z.object({
  id: z.string(),
  projectId: z.string(),
  stepId: z.string().nullable(),
  author: z.string(),
  body: z.string(),
  visibility: z.string(),
  createdAt: z.string(),
  deletedAt: z.string().nullable(),
});

const File = z.object({
  id: z.string(),
  projectId: z.string(),
  stepId: z.string().nullable(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number(),
  sha256: z.string(),
  visibility: z.string(),
  uploadedBy: z.string().describe('"contact:<id>" or "user:<id>".'),
  createdAt: z.string(),
  deletedAt: z.string().nullable(),
  download: z.string().describe("The file's bytes: GET this path (admins)."),
});

const Mail = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  to: z.array(z.string()).describe("In a contact's export: only their own address."),
  subject: z.string(),
  textBody: z.string().describe("As recorded: sign-in and survey links redacted."),
  attachments: z.array(z.string()),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

const SurveyAnswer = z.object({
  id: z.string(),
  projectId: z.string(),
  survey: z.string(),
  contactId: z.string(),
  score: z.number(),
  comment: z.string().nullable(),
  answers: z.record(z.string(), z.unknown()),
  answeredAt: z.string(),
});

export const ContactExport = z
  .object({
    kind: z.literal("contact"),
    exportedAt: z.string(),
    exportedBy: z.string(),
    contact: Contact,
    client: z.object({ id: z.string(), name: z.string() }),
    signIns: z.array(
      z.object({
        kind: z.enum(["link", "session"]),
        createdAt: z.string(),
        expiresAt: z.string(),
        usedAt: z.string().nullable(),
      }),
    ),
    comments: z.array(Comment),
    files: z.array(File),
    mail: z.array(Mail),
    notifications: z.array(
      z.object({
        id: z.string(),
        projectId: z.string().nullable(),
        message: z.string(),
        createdAt: z.string(),
        readAt: z.string().nullable(),
      }),
    ),
    surveyAnswers: z.array(SurveyAnswer),
    formAnswers: z.array(Answer).describe("The answers the contact submitted, and the personal answers about them in anyone's."),
    withheldAnswers: z
      .number()
      .describe("Personal answers in the contact's own submissions about another person, left out (GDPR Art. 15(4))."),
    dataRequests: z
      .array(
        z.object({
          id: z.string(),
          kind: z.enum(["access", "erasure"]),
          receivedAt: z.string(),
          dueAt: z.string(),
          channel: z.string().nullable(),
          status: z.enum(["open", "completed", "refused"]),
          completedAt: z.string().nullable(),
        }),
      )
      .describe("The contact's own requests about their data (this one included once logged)."),
    about: z
      .object({
        records: z.array(
          z.object({
            record: z.string(),
            category: z.string(),
            purpose: z.string(),
            legalBasis: z.string(),
            retention: z.string(),
            section: z.string().describe("Where in this export the record is."),
          }),
        ),
        recipients: z.string(),
        source: z.string(),
        rights: z.string(),
      })
      .describe(
        "What GDPR Art. 15(1) says a copy comes with: purposes, categories, recipients, retention, source and the person's rights.",
      ),
  })
  .meta({ id: "ContactExport", description: "Everything Onboard holds about one client contact (GDPR Art. 15, 20)." });

export const ClientExport = z
  .object({
    kind: z.literal("client"),
    exportedAt: z.string(),
    exportedBy: z.string(),
    client: z.object({
      id: z.string(),
      name: z.string(),
      timeZone: z.string(),
      country: z.string().nullable(),
      region: z.string().nullable(),
      domain: z.string().nullable(),
      segment: z.string().nullable(),
      playbookId: z.string().nullable(),
      facts: z.record(z.string(), z.unknown()),
      relationshipEndedOn: z.string().nullable(),
      relationshipEndReason: z.string().nullable(),
      version: z.number(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
    contacts: z.array(Contact),
    projects: z.array(
      z.object({
        id: z.string(),
        playbookId: z.string(),
        playbookVersion: z.string(),
        status: z.string(),
        createdAt: z.string(),
        updatedAt: z.string(),
        dealSource: z.string().nullable(),
        dealId: z.string().nullable(),
      }),
    ),
    formAnswers: z.array(Answer),
    events: z
      .array(
        z.object({
          projectId: z.string(),
          seq: z.number(),
          type: z.string(),
          at: z.string(),
          actor: z.string(),
          step: z.string().nullable(),
        }),
      )
      .describe("What happened on each project, without the events' values."),
    comments: z.array(Comment),
    files: z.array(File),
    mail: z.array(Mail),
    surveyAnswers: z.array(SurveyAnswer),
  })
  .meta({ id: "ClientExport", description: "Everything Onboard holds about one client (GDPR Art. 15, 20)." });
