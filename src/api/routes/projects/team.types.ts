import { z } from "zod";
import { Instant } from "../common.types.ts";

export const TeamCandidate = z
  .object({
    id: z.string(),
    name: z.string(),
    canFill: z.boolean().describe("The directory says this person fills the role (their playbook roles include it)."),
    openProjects: z.number().int().describe("Active projects on which this person holds a role."),
    openSteps: z.number().int().describe("Open and in-progress steps those roles own, across those projects."),
    capacity: z.number().int().nullable(),
  })
  .meta({ id: "TeamCandidate" });

export const TeamRole = z
  .object({
    role: z.string(),
    title: z.string(),
    assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
    candidates: z.array(TeamCandidate).describe("Everyone who may be assigned: those who fill the role first, least loaded first."),
  })
  .meta({ id: "TeamRole" });

export const Transfer = z
  .object({
    seq: z.number().int(),
    at: Instant,
    role: z.string(),
    roleTitle: z.string(),
    from: z.object({ id: z.string(), name: z.string() }).nullable(),
    to: z.object({ id: z.string(), name: z.string() }),
    by: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: "OwnershipTransfer" });

export const ProjectTeam = z
  .object({
    projectId: z.string(),
    version: z.number().int().describe("The project's version: send it as If-Match to assign."),
    roles: z.array(TeamRole).describe("The playbook's internal roles, and its system roles (held by service accounts)."),
    transfers: z.array(Transfer).describe("Every assignment in the audit trail, newest first."),
  })
  .meta({ id: "ProjectTeam" });

export const TeamRoleParams = z.object({ id: z.string().min(1).max(200), role: z.string().min(1).max(100) });
export const AssignBody = z.object({ person: z.string().min(1).max(128).describe("The account (person) to hold the role.") });
export const AssignHeaders = z.object({
  "if-match": z.string().optional().describe('The project\'s version from your last read, quoted: "7". Required.'),
});
