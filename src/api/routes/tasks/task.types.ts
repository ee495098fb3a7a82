import { z } from "zod";
import { PageQuery, pageOf } from "../../pagination.ts";
import { Instant } from "../common.types.ts";

export const Task = z
  .object({
    id: z.string(),
    kind: z.enum(["step", "task"]).describe("An open step of a playbook, or a task the engine created (cadence, rule)."),
    projectId: z.string(),
    projectVersion: z.number().int().describe('The project\'s version when read: send it as If-Match ("7") to act on it.'),
    clientId: z.string(),
    clientName: z.string(),
    stepId: z.string().nullable(),
    taskId: z.string().nullable(),
    title: z.string(),
    status: z.enum(["open", "in_progress"]),
    roles: z.array(z.string()).describe("Your playbook roles on the project that make it yours."),
    dueAt: Instant.nullable(),
    overdue: z.boolean(),
    signOff: z.array(z.string()).describe("A gate's approver roles of yours whose sign-off is still missing (empty: none)."),
  })
  .meta({ id: "Task" });

const Bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ListTasksQuery = z.object({
  status: z.enum(["open", "in_progress"]).optional(),
  role: z.string().min(1).max(200).optional().describe("Only tasks you hold through this playbook role."),
  dueBefore: Instant.optional().describe("Only tasks due before this instant."),
  overdue: Bool.optional().describe("true: only overdue; false: only on time."),
  projectId: z.string().min(1).max(200).optional(),
  ...PageQuery,
});

export const TaskPage = pageOf(Task);
