import { z } from "zod";

export const MigrationPlan = z
  .object({
    from: z.object({ id: z.string(), version: z.string() }),
    to: z.object({ id: z.string(), version: z.string() }),
    added: z.array(z.object({ step: z.string(), status: z.string() })),
    removed: z.array(z.object({ step: z.string(), status: z.string() })),
    changed: z.array(z.object({ step: z.string(), changes: z.array(z.string()) })),
    blockers: z.array(z.string()).describe("Why the project cannot move now; empty when it can."),
  })
  .meta({ id: "MigrationPlan" });

export const MigrationQuery = z.object({ to: z.string().min(1).max(64).describe("The playbook version to move to.") });
export const MigrateBody = z.object({
  to: z.string().min(1).max(64),
  reason: z.string().trim().min(1, { error: "say why" }).max(4000),
});
