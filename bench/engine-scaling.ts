// Cost per command of the pure engine against playbook size (issue #18: linear, 1,000 steps within
// 5x of 30). Each size: a project driven start to finish, every step completed in order.
import { type Actor, execute, startProject } from "../src/engine/index.ts";
import { loadPlaybook } from "../src/playbook/load.ts";
import type { PlaybookModel } from "../src/playbook/model.ts";

export function stepsPlaybook(count: number): PlaybookModel {
  const perPhase = 10;
  const phases: string[] = [];
  for (let p = 0; p < Math.ceil(count / perPhase); p++) {
    const steps = Array.from({ length: Math.min(perPhase, count - p * perPhase) }, (_, j) => {
      const i = p * perPhase + j + 1;
      return `      - { id: step_${i}, title: Step ${i}, owner: csm, due: 2 business days, expected_result: Done. }`;
    }).join("\n");
    phases.push(`  - id: phase_${p + 1}\n    title: Phase ${p + 1}\n    steps:\n${steps}`);
  }
  const text = `onboard: 1
id: bench_scaling
document: { id: BENCH-N, title: Scaling, version: "1.0", owner: Bench, effective: 2026-01-01, review: 2027-01-01, revisions: [{ version: "1.0", date: 2026-01-01, changes: Initial }] }
purpose: Benchmark.
scope: { applies_to: [Benchmarks] }
roles:
  csm: { title: CSM, side: internal }
phases:
${phases.join("\n")}
rules:
  - { id: late, title: Late, category: escalation, on: step.overdue, actions: [{ notify: { to: [csm], message: late } }] }
kpis:
  - { id: ttgl, title: Time to go-live, metric: time_to_go_live, target: "< 45 days", frequency: per_project }
`;
  const loaded = loadPlaybook("bench.yaml", text);
  if (!loaded.model) throw new Error(JSON.stringify(loaded.diagnostics.slice(0, 3)));
  return loaded.model;
}

/** Microseconds per command (mean over whole projects) for a playbook of `count` steps. */
export function microsecondsPerCommand(count: number, budgetMs: number): number {
  const model = stepsPlaybook(count);
  const csm: Actor = { id: "csm-1", kind: "user", roles: ["csm"] };
  const client = { id: "c", name: "Bench", timeZone: "America/New_York", country: "US" };
  const t0 = Date.parse("2026-03-02T15:00:00.000Z");
  const times = Array.from({ length: count + 1 }, (_, i) => new Date(t0 + i * 600_000).toISOString());
  const commands = Array.from({ length: count }, (_, i) => ({ type: "complete_step" as const, step: `step_${i + 1}` }));
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs || done === 0) {
    const out = startProject(model, { projectId: `p${done}`, client, facts: {} }, times[0] ?? "");
    let state = out.state;
    for (let i = 0; i < count; i++) state = execute(out.ctx, state, commands[i] ?? { type: "tick" }, csm, times[i + 1] ?? "").state;
    if (state.status !== "closed") throw new Error(`project ended ${state.status}`);
    done += count;
  }
  return ((performance.now() - started) * 1000) / done;
}

export function main(budget: number): void {
  microsecondsPerCommand(30, budget / 2); // warm-up: the first size would otherwise pay for compilation
  const rows = [30, 100, 300, 1000].map((n) => ({ steps: n, usPerCommand: Number(microsecondsPerCommand(n, budget).toFixed(1)) }));
  const base = rows[0]?.usPerCommand ?? 1;
  for (const r of rows)
    console.log(
      `${String(r.steps).padStart(5)} steps: ${r.usPerCommand} us/command (${(r.usPerCommand / base).toFixed(1)}x of 30; target <= 5x)`,
    );
  console.log(JSON.stringify({ engineScaling: rows }));
}
