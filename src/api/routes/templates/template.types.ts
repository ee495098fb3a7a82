import { z } from "zod";
import type { TemplateView } from "../../../notify/template-store.ts";
import { Instant } from "../common.types.ts";

export const TemplateId = z.string().regex(/^[A-Za-z][A-Za-z0-9_.{}-]{0,199}$/, { error: "a template id such as EMAIL-CS-001" });

export const MessageTemplate = z
  .object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    subject: z.string().nullable(),
    body: z.string(),
    playbooks: z.array(z.string()).describe("The playbooks (latest versions) that declare this template."),
    source: z.enum(["playbook", "override"]).describe("override: a saved version replaces the playbook's text."),
    updatedBy: z.string().nullable(),
    updatedAt: Instant.nullable(),
  })
  .meta({ id: "MessageTemplate" });

export const TemplateList = z.object({ items: z.array(MessageTemplate) });
export const TemplateParams = z.object({ id: TemplateId });

export const PutTemplateBody = z.object({
  kind: z.enum(["email", "document", "form", "project", "report", "meeting", "checklist", "survey"]).optional(),
  subject: z.string().min(1).max(1000).optional().describe("Liquid; {{placeholders}} as in the playbook language."),
  body: z.string().min(1).max(64_000).describe("Liquid; {{placeholders}} as in the playbook language."),
});

export const PreviewBody = z.object({
  projectId: z.string().min(1).max(200).describe("The project whose data fills the placeholders."),
  contactId: z.string().min(1).max(200).optional().describe("The recipient (contact.*); default: the first client contact."),
  subject: z.string().min(1).max(1000).optional().describe("An unsaved subject to preview instead of the saved one."),
  body: z.string().min(1).max(64_000).optional().describe("An unsaved body to preview instead of the saved one."),
});

export const Preview = z.object({ subject: z.string(), text: z.string(), html: z.string() }).meta({ id: "TemplatePreview" });

export function templateView(t: TemplateView): z.infer<typeof MessageTemplate> {
  return {
    id: t.id,
    kind: t.kind,
    title: t.title,
    subject: t.subject ?? null,
    body: t.body,
    playbooks: [...t.playbooks],
    source: t.source,
    updatedBy: t.updatedBy ?? null,
    updatedAt: t.updatedAt ?? null,
  };
}
