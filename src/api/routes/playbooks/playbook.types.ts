import { z } from "zod";
import { PageQuery, pageOf } from "../../pagination.ts";
import { IdempotentHeaders, Instant } from "../common.types.ts";

export const PlaybookVersion = z
  .object({
    version: z.string(),
    title: z.string(),
    contentHash: z.string().describe("SHA-256 of the source."),
    publishedAt: Instant,
    origin: z.enum(["built_in", "upload"]),
    file: z.string().nullable(),
    uploadedBy: z.string().nullable(),
    commit: z.string().nullable().describe("The commit it was published from (onboard publish in CI); null when not from a repository."),
    commitAuthor: z.string().nullable().describe("That commit's author, as the CI named them."),
  })
  .meta({ id: "PlaybookVersion" });

export const Playbook = z
  .object({
    id: z.string(),
    title: z.string().describe("The latest version's title."),
    latestVersion: z.string(),
    versions: z.array(PlaybookVersion).describe("Oldest first."),
  })
  .meta({ id: "Playbook" });

export const ListPlaybooksQuery = z.object(PageQuery);
export const PlaybookPage = pageOf(Playbook);

export const Finding = z
  .object({
    rule: z.string(),
    severity: z.enum(["error", "warning", "info"]),
    message: z.string(),
    fix: z.string().optional(),
    file: z.string(),
    line: z.number().int(),
    column: z.number().int(),
  })
  .meta({ id: "Finding", description: "A loader or lint finding, located in the uploaded file." });

export const UploadPlaybookBody = z.object({
  source: z
    .string()
    .min(1)
    .max(1_000_000)
    .describe("The playbook's YAML text. The body may also be the YAML itself (Content-Type: application/yaml)."),
  file: z.string().min(1).max(200).optional().describe("A file name for the findings (default playbook.yaml)."),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/i, "a commit hash: 7 to 40 hexadecimal digits")
    .optional()
    .describe("The commit the file was published from (onboard publish sends it from CI); kept in the revision history."),
  commitAuthor: z.string().min(1).max(200).optional().describe("The commit's author (a name or a login)."),
});

export const UploadPlaybookHeaders = IdempotentHeaders;

export const UploadedPlaybook = z.object({
  id: z.string(),
  version: z.string(),
  contentHash: z.string(),
  created: z.boolean().describe("false when this exact text was already published or already awaiting approval (nothing changed)."),
  status: z
    .enum(["published", "pending"])
    .describe("pending: four-eyes is on, and the version waits for another person's approval (202); it cannot run until then."),
  submissionId: z.string().optional().describe("The version's id in the approval queue (POST /playbooks/pending/{submissionId}/approve)."),
  findings: z
    .array(Finding)
    .describe(
      "Warnings and notes (the draft profile: the SOP quality rules' findings are warnings); a playbook with errors is refused with 422.",
    ),
});

export const VersionParams = z.object({ id: z.string().min(1).max(200), version: z.string().min(1).max(200) });
export const PlaybookSource = PlaybookVersion.extend({
  id: z.string(),
  source: z.string(),
  findings: z
    .array(Finding)
    .describe("The version's lint findings in the draft profile: what the SOP quality checklist still misses, as warnings."),
});

export const DiffParams = z.object({ id: z.string().min(1).max(200) });
export const DiffQuery = z.object({ from: z.string().min(1).max(200), to: z.string().min(1).max(200) });

const StepSummary = z.object({
  id: z.string(),
  number: z.string().describe('Its number in the SOP document ("6.4").'),
  title: z.string(),
  owner: z.string(),
  deadline: z.string(),
});

export const PlaybookDiff = z
  .object({
    id: z.string(),
    from: z.string(),
    to: z.string(),
    addedSteps: z.array(StepSummary),
    removedSteps: z.array(StepSummary),
    changedSteps: z.array(
      StepSummary.extend({
        changes: z.array(z.object({ field: z.string(), before: z.string(), after: z.string() })),
      }),
    ),
    other: z.array(z.string()).describe("Phases, roles, KPIs, compliance addenda and rules, one line each."),
    revision: z.string().describe("The changes as one entry for the revision history."),
  })
  .meta({ id: "PlaybookDiff" });

export const DraftQuery = z.object({
  file: z
    .string()
    .min(1)
    .max(200)
    .regex(/\.(bpmn2?|xml|md|markdown|docx)$/i, "end in .bpmn, .xml, .md, .markdown or .docx")
    .describe("The file's name; its extension says how to read it: .bpmn/.xml (BPMN 2.0), .md/.markdown (Markdown), .docx (Word)."),
});

export const ImportNote = z
  .object({
    line: z.number().int().describe("Where in the imported file (Word: the paragraph number)."),
    element: z.string().optional().describe("The BPMN element id or the document's words it is about."),
    severity: z.enum(["warning", "info"]),
    message: z.string(),
  })
  .meta({ id: "ImportNote", description: "Something the importer guessed, or could not translate and kept as text." });

export const PlaybookDraft = z
  .object({
    format: z.enum(["bpmn", "markdown", "word"]),
    file: z.string().describe("A name for the draft's YAML file."),
    source: z.string().describe("The draft playbook (YAML), to review, complete and upload."),
    notes: z.array(ImportNote).describe("What the importer guessed or could not translate, located in the imported file."),
    findings: z.array(Finding).describe("The draft's lint findings (draft profile), located in the draft: what the document did not say."),
  })
  .meta({ id: "PlaybookDraft" });

export const ExportQuery = z.object({
  format: z
    .enum(["bpmn", "docx", "pdf", "md"])
    .describe("bpmn: BPMN 2.0 XML with its diagram; docx, pdf: the SOP in Word or PDF; md: the SOP in Markdown."),
});
