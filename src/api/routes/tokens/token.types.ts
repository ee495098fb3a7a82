import { z } from "zod";
import { PageQuery, pageOf } from "../../pagination.ts";
import { IdempotentHeaders, Instant } from "../common.types.ts";

export const Token = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(["read", "write"]),
    createdAt: Instant,
    expiresAt: Instant.nullable(),
    lastUsedAt: Instant.nullable(),
    revokedAt: Instant.nullable(),
  })
  .meta({ id: "ApiToken" });

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(100).describe("What the token is for (a script, an integration)."),
  scope: z.enum(["read", "write"]).describe("read: only GET endpoints; write: everything your account may do."),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe("Omit for a token that does not expire."),
});

export const CreateTokenHeaders = IdempotentHeaders;

export const CreatedToken = Token.extend({
  token: z
    .string()
    .optional()
    .describe("The secret, shown only in the response that created it (a replayed Idempotency-Key omits it: it is never stored)."),
});

export const ListTokensQuery = z.object(PageQuery);
export const TokenPage = pageOf(Token);
export const TokenParams = z.object({ id: z.string().min(1).max(64) });
