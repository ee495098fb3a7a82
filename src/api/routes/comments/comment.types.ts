import { z } from "zod";
import { Instant } from "../common.types.ts";

export const Comment = z
  .object({
    id: z.string(),
    stepId: z.string().nullable(),
    author: z.string(),
    fromClient: z.boolean(),
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
