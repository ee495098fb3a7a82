import { z } from "zod";
import { Instant } from "../common.types.ts";

export const Attachment = z
  .object({
    id: z.string(),
    stepId: z.string().nullable(),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    visibility: z.enum(["internal", "client"]),
    uploadedBy: z.object({ kind: z.enum(["user", "contact"]), id: z.string() }),
    createdAt: Instant,
  })
  .meta({ id: "Attachment" });

export const UploadQuery = z.object({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((v) => !/[/\\]/.test(v) && ![...v].some((c) => (c.codePointAt(0) ?? 0) < 0x20), {
      error: "must be a file name without slashes or control characters",
    }),
  stepId: z.string().min(1).max(200).optional(),
  visibility: z.enum(["internal", "client"]).default("internal"),
});

export const AttachmentParams = z.object({ id: z.string().min(1).max(128) });

export const ProjectAttachmentParams = z.object({ id: z.string().min(1).max(128), attachment: z.string().min(1).max(128) });
