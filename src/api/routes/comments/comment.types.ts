import { z } from "zod";
import { Instant } from "../common.types.ts";

export const Comment = z
  .object({
    id: z.string(),
    stepId: z.string().nullable(),
    author: z.string(),
    fromClient: z.boolean(),
    authorId: z.string().nullable().describe("The team member who wrote it; null when a client contact did."),
    visibility: z.enum(["internal", "client"]),
    body: z.string(),
    createdAt: Instant,
  })
  .meta({ id: "Comment" });

export const CommentBody = z.object({
  body: z.string().trim().min(1).max(8000),
  stepId: z.string().min(1).max(200).optional(),
  visibility: z.enum(["internal", "client"]).default("internal").describe("client: the client sees it in the portal."),
});

export const CommentParams = z.object({ id: z.string().min(1).max(128), comment: z.string().min(1).max(128) });
export const VisibilityBody = z.object({
  visibility: z.enum(["internal", "client"]).describe("client: the client sees it in the portal; internal: the team only."),
});
