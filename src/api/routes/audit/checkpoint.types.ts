import { z } from "zod";
import { Instant } from "../common.types.ts";

export const AuditCheckpoint = z
  .object({
    origin: z.string().describe("The log's name: the same on every checkpoint of this log."),
    treeSize: z.number().int().describe("How many events (leaves) the checkpoint covers: positions 0 to treeSize-1."),
    rootHash: z.string().describe("The RFC 9162 Merkle tree head over those leaves, base64."),
    note: z
      .string()
      .describe(
        "The checkpoint as published: a C2SP tlog-checkpoint in a signed note (Ed25519). Verify it with onboard audit verify --against.",
      ),
    vkey: z.string().describe("The verifier key of the signer (C2SP vkey). Verifiers should get it from the operator, not from here."),
    createdAt: Instant,
  })
  .meta({ id: "AuditCheckpoint", description: "A signed tree head of the global audit log." });

export const WrittenCheckpoint = AuditCheckpoint.extend({
  appended: z.number().int().describe("Events this request added to the log."),
  written: z.boolean().describe("False when nothing was new: the latest checkpoint is returned as it is."),
}).meta({ id: "WrittenCheckpoint" });

export function checkpointView(
  checkpoint: { origin: string; treeSize: number; rootHash: Buffer; note: string; createdAt: string },
  vkey: string,
) {
  return {
    origin: checkpoint.origin,
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash.toString("base64"),
    note: checkpoint.note,
    vkey,
    createdAt: checkpoint.createdAt,
  };
}
