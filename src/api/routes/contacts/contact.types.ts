import { z } from "zod";
import { Instant, Slug } from "../common.types.ts";

export const Contact = z
  .object({
    id: z.string(),
    clientId: z.string(),
    name: z.string(),
    email: z.string(),
    title: z.string().nullable(),
    roles: z.array(z.string()).describe("Client-side playbook roles they hold on their company's projects."),
    active: z.boolean().describe("May sign in to the portal and receives mail for their roles."),
    version: z.number().int().describe('Send it back as If-Match ("3") to change the contact.'),
    createdAt: Instant,
    updatedAt: Instant,
    deactivatedAt: Instant.nullable().describe("When portal access was last revoked."),
    deactivatedBy: z.string().nullable().describe("Who revoked it (an account id)."),
    removedAt: Instant.nullable().describe("Removed from the client's list (kept for history)."),
  })
  .meta({ id: "Contact" });

export const CreateContactBody = z.object({
  id: Slug.optional().describe("Your id for the contact (a CRM contact id); generated when omitted."),
  name: z.string().trim().min(1).max(200),
  email: z.email({ error: "must be an email address" }).max(320),
  title: z.string().trim().min(1).max(200).optional(),
  roles: z
    .array(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: "must be a playbook role id such as client_sponsor" }))
    .max(20)
    .default([]),
});

const RoleIds = z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: "must be a playbook role id such as client_sponsor" })).max(20);

export const UpdateContactBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z
      .email({ error: "must be an email address" })
      .max(320)
      .optional()
      .describe("A new address: links sent to the old one stop working."),
    title: z.string().trim().min(1).max(200).nullable().optional(),
    roles: RoleIds.optional(),
    active: z.boolean().optional().describe("false: revoke portal access now (sessions and unused links end); true: restore it."),
  })
  .refine((b) => Object.keys(b).length > 0, { error: "change at least one field" });

export const UpdateContactHeaders = z.object({
  "if-match": z.string().optional().describe('The contact\'s version from your last read, quoted: "3". Required.'),
});

export const ClientContactParams = z.object({ id: z.string().min(1).max(128) });
export const ContactParams = z.object({ id: z.string().min(1).max(128), contactId: z.string().min(1).max(128) });
export const ListContactsQuery = z.object({
  include: z.enum(["removed"]).optional().describe("removed: list removed contacts too (they are hidden by default)."),
});

export const Invitation = z.object({
  sent: z.literal(true).describe("The link is queued for delivery through the outbox."),
  email: z.string().describe("Where it goes."),
});
