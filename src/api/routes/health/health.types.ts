import { z } from "zod";

export const Live = z.object({ status: z.literal("ok") });
export const Ready = z.object({ status: z.literal("ready"), database: z.enum(["pglite", "postgres"]) });
