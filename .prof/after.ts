import { openDatabase } from "../src/store/database.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { refreshRollups, rolledUp } from "../src/mining/rollups.ts";
import { mineCapacity, mineInsights } from "../src/mining/mine.ts";
const url = process.env.DB as string;
const database = await openDatabase({ kind: "postgres", url });
const service = new ProjectService(database);
const playbook = "customer_onboarding_gdpr";
const now = new Date().toISOString();
const what = process.argv[2];
if (what === "after") {
  const active = await database.db.selectFrom("projects").select(["id", "state"]).where("playbook_id", "=", playbook).where("status", "=", "active").offset(Number(process.argv[3] ?? 100)).limit(40).execute();
  for (const p of active) {
    const state = p.state as { steps: Record<string, { id: string; status: string }> };
    const open = Object.values(state.steps).find((s) => s.status === "open");
    if (!open) continue;
    await service.runCommand(p.id, { command: { type: "start_step", step: open.id }, actor: { id: "bench", kind: "user", roles: [], manager: true }, now });
  }
  const t = performance.now();
  const n = await refreshRollups(database.db, playbook, now);
  console.log("refresh", n, Math.round(performance.now() - t));
} else {
  for (let i = 0; i < 8; i++) {
    let t = performance.now();
    if (what === "whole") await mineInsights(database.db, { playbook }, now);
    if (what === "rolled") await rolledUp(database.db, { playbook }, now, 20);
    if (what === "period") await mineInsights(database.db, { playbook, from: new Date(Date.now() - 100 * 86400000).toISOString(), to: new Date(Date.now() - 10 * 86400000).toISOString() }, now);
    if (what === "capacity") await mineCapacity(database.db, now, 8);
    console.log(what, Math.round(performance.now() - t));
  }
}
await database.close();
