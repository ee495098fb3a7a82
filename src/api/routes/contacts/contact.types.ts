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
    active: z.boolean(),
    createdAt: Instant,
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

export const ClientContactParams = z.object({ id: z.string().min(1).max(128) });
