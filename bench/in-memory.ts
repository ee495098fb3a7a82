// Benchmark (a): projects of a 30-step playbook driven from start to completion per second by
// the pure engine, side by side with bpmn-engine running an equivalent 30-user-task BPMN process
// in the same process. Both measured for the same wall time, one after the other.
import { EventEmitter, once } from "node:events";
import { Engine } from "bpmn-engine";
import { type Actor, execute, startProject } from "../src/engine/index.ts";
import { loadPlaybook } from "../src/playbook/load.ts";
import type { PlaybookModel } from "../src/playbook/model.ts";

const STEPS = 30;

export function thirtyStepPlaybook(): PlaybookModel {
  const steps = Array.from(
    { length: STEPS },
    (_, i) => `      - { id: step_${i + 1}, title: Step ${i + 1}, owner: csm, due: 2 business days, expected_result: Done. }`,
  ).join("\n");
  const text = `onboard: 1
id: bench_thirty
document: { id: BENCH-30, title: Thirty steps, version: "1.0", owner: Bench, effective: 2026-01-01, review: 2027-01-01, revisions: [{ version: "1.0", date: 2026-01-01, changes: Initial }] }
purpose: Benchmark.
scope: { applies_to: [Benchmarks] }
roles:
  csm: { title: CSM, side: internal }
phases:
  - id: all
    title: All
    window: Days 0-200
    steps:
${steps}
rules:
  - { id: late, title: Late, category: escalation, on: step.overdue, actions: [{ notify: { to: [csm], message: late } }] }
kpis:
  - { id: ttgl, title: Time to go-live, metric: time_to_go_live, target: "< 45 days", frequency: per_project }
`;
  const loaded = loadPlaybook("bench.yaml", text);
  if (!loaded.model) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.model;
}

function bpmnSource(): string {
  const tasks = Array.from({ length: STEPS }, (_, i) => `<userTask id="task${i + 1}" />`).join("");
  const flows = [`<sequenceFlow id="f0" sourceRef="start" targetRef="task1" />`];
  for (let i = 1; i < STEPS; i++) flows.push(`<sequenceFlow id="f${i}" sourceRef="task${i}" targetRef="task${i + 1}" />`);
  flows.push(`<sequenceFlow id="f${STEPS}" sourceRef="task${STEPS}" targetRef="end" />`);
  return `<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p" isExecutable="true"><startEvent id="start" />${tasks}<endEvent id="end" />${flows.join("")}</process></definitions>`;
}

export async function bpmnRate(seconds: number): Promise<{ instances: number; perSecond: number }> {
  const source = bpmnSource();
  const until = performance.now() + seconds * 1000;
  let instances = 0;
  const started = performance.now();
  while (performance.now() < until) {
    const engine = new Engine({ name: `bench-${instances}`, source });
    const listener = new EventEmitter();
    let signalled = 0;
    listener.on("wait", (api: { signal: () => void }) => {
      signalled++;
      api.signal();
    });
    const ended = once(engine, "end");
    await engine.execute({ listener });
    await ended;
    if (signalled !== STEPS) throw new Error(`bpmn-engine signalled ${signalled} tasks`);
    instances++;
  }
  return { instances, perSecond: instances / ((performance.now() - started) / 1000) };
}

export function engineRate(seconds: number): { projects: number; perSecond: number } {
  const model = thirtyStepPlaybook();
  const csm: Actor = { id: "csm-1", kind: "user", roles: ["csm"] };
  const client = { id: "c", name: "Bench", timeZone: "America/New_York", country: "US" };
  const until = performance.now() + seconds * 1000;
  let projects = 0;
  const started = performance.now();
  // The inputs (times, commands) are made once: the loop measures the engine, not string building.
  const t0 = Date.parse("2026-03-02T15:00:00.000Z");
  const times = Array.from({ length: STEPS + 1 }, (_, i) => new Date(t0 + i * 3_600_000).toISOString());
  const commands = Array.from({ length: STEPS }, (_, i) => ({ type: "complete_step" as const, step: `step_${i + 1}` }));
  while (performance.now() < until) {
    const out = startProject(model, { projectId: `p${projects}`, client, facts: {} }, times[0] ?? "");
    let state = out.state;
    for (let i = 0; i < STEPS; i++) {
      state = execute(out.ctx, state, commands[i] ?? { type: "tick" }, csm, times[i + 1] ?? "").state;
    }
    if (state.status !== "closed") throw new Error(`project ended ${state.status}`);
    projects++;
  }
  return { projects, perSecond: projects / ((performance.now() - started) / 1000) };
}
