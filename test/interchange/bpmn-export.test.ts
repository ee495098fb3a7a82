// The BPMN export of every built-in playbook: valid BPMN with a complete diagram (read back by
// bpmn-moddle), and executed by bpmn-engine along every decision outcome, reaching the same steps
// in the same order as Onboard's engine.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { BpmnModdle, type ModdleElement } from "bpmn-moddle";
import { passingValue } from "../../src/engine/simulate.ts";
import { exportBpmn } from "../../src/interchange/bpmn-export/index.ts";
import { ExpressionChecker } from "../../src/playbook/expressions.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { prosePlainText } from "../../src/playbook/prose.ts";
import { defaultFacts, literalsOf, type PathResult, runScenario, type Scenario } from "../support/bpmn-paths.ts";
import { builtIn } from "../support/built-in.ts";

const NAMES = readdirSync(new URL("../../playbooks/", import.meta.url))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.replace(/\.yaml$/, ""));

type Bounds = { x: number; y: number; width: number; height: number };
const list = (value: unknown) => (Array.isArray(value) ? (value as ModdleElement[]) : []);
const inside = (b: Bounds, p: { x: number; y: number }) => p.x >= b.x && p.x <= b.x + b.width && p.y >= b.y && p.y <= b.y + b.height;
const within = (outer: Bounds, inner: Bounds) =>
  inside(outer, inner) && inside(outer, { x: inner.x + inner.width, y: inner.y + inner.height });

/** Every flow node of a container, sub-processes' insides included. */
function flowNodes(container: ModdleElement): ModdleElement[] {
  return list(container.flowElements).flatMap((e) =>
    e.$type === "bpmn:SequenceFlow" ? [] : [e, ...(e.$type === "bpmn:SubProcess" ? flowNodes(e) : [])],
  );
}
function sequenceFlows(container: ModdleElement): ModdleElement[] {
  return list(container.flowElements).flatMap((e) =>
    e.$type === "bpmn:SequenceFlow" ? [e] : e.$type === "bpmn:SubProcess" ? sequenceFlows(e) : [],
  );
}

const exports = new Map<string, Promise<{ model: PlaybookModel; xml: string }>>();
function exported(name: string) {
  let pending = exports.get(name);
  if (!pending) {
    pending = (async () => {
      const { loaded } = await builtIn(name);
      const { model } = await import("../../src/playbook/model.ts").then((m) => ({ model: m.buildModel(loaded()) }));
      return { model, xml: (await exportBpmn(model)).xml };
    })();
    exports.set(name, pending);
  }
  return pending;
}

describe("BPMN export of the built-in playbooks", () => {
  for (const name of NAMES) {
    test(`${name}: bpmn-moddle reads it back without a warning; every node and flow is drawn inside its lane`, async () => {
      const { model, xml } = await exported(name);
      const { rootElement, warnings } = await new BpmnModdle().fromXML(xml);
      assert.deepEqual(
        warnings.map((w) => w.message),
        [],
      );
      const shapes = new Map<string, Bounds>();
      const edges = new Map<string, { x: number; y: number }[]>();
      for (const diagram of list(rootElement.diagrams)) {
        for (const el of list((diagram.plane as ModdleElement).planeElement)) {
          const ref = (el.bpmnElement as ModdleElement | undefined)?.id ?? "";
          if (el.$type === "bpmndi:BPMNShape") shapes.set(ref, el.bounds as Bounds);
          else edges.set(ref, list(el.waypoint) as unknown as { x: number; y: number }[]);
        }
      }
      // No two shapes of a diagram overlap, but a boundary event on its host.
      for (const diagram of list(rootElement.diagrams)) {
        const drawn = list((diagram.plane as ModdleElement).planeElement).filter(
          (e) =>
            e.$type === "bpmndi:BPMNShape" && !["bpmn:Participant", "bpmn:Lane"].includes(String((e.bpmnElement as ModdleElement).$type)),
        );
        drawn.forEach((a, i) => {
          for (const b of drawn.slice(i + 1)) {
            const [x, y] = [a.bounds as Bounds, b.bounds as Bounds];
            const [ea, eb] = [a.bpmnElement as ModdleElement, b.bpmnElement as ModdleElement];
            if (ea.attachedToRef === eb || eb.attachedToRef === ea) continue;
            const overlap = x.x < y.x + y.width && y.x < x.x + x.width && x.y < y.y + y.height && y.y < x.y + x.height;
            assert.ok(!overlap, `${ea.id} and ${eb.id} do not overlap`);
          }
        });
      }
      const processes = list(rootElement.rootElements).filter((e) => e.$type === "bpmn:Process");
      assert.equal(processes.filter((p) => p.isExecutable === true).length, 1, "the playbook's own process is the executable one");
      for (const process of processes) {
        const lanes = list(list(process.laneSets)[0]?.lanes);
        const laneBounds = lanes.map((l) => shapes.get(l.id ?? "") as Bounds);
        assert.ok(laneBounds.every(Boolean), `${process.id}: every lane is drawn`);
        for (const node of flowNodes(process)) assert.ok(shapes.has(node.id ?? ""), `${node.id} has a shape`);
        for (const flow of sequenceFlows(process)) assert.ok((edges.get(flow.id ?? "")?.length ?? 0) >= 2, `${flow.id} has an edge`);
        // Top-level nodes lie inside the lane that lists them; their flows run inside the lanes.
        for (const lane of lanes) {
          const bounds = shapes.get(lane.id ?? "") as Bounds;
          for (const node of list(lane.flowNodeRef)) {
            const shape = shapes.get(node.id ?? "") as Bounds;
            if (node.$type !== "bpmn:BoundaryEvent" && !String(node.id).startsWith("Overdue_") && !String(node.id).match(/^(Hold|End)_/))
              assert.ok(within(bounds, shape), `${node.id} lies inside lane ${lane.name}`);
            else
              assert.ok(
                laneBounds.some((b) => inside(b, shape)),
                `${node.id} lies inside the lanes`,
              );
          }
        }
        for (const flow of list(process.flowElements).filter((e) => e.$type === "bpmn:SequenceFlow"))
          for (const point of edges.get(flow.id ?? "") ?? [])
            assert.ok(
              laneBounds.some((b) => inside(b, point)),
              `${flow.id} runs inside the lanes (${point.x},${point.y})`,
            );
        // Each user task of the playbook's process sits in its owner's lane, its step's words in its documentation.
        for (const lane of lanes) {
          for (const node of list(lane.flowNodeRef).filter((n) => n.$type === "bpmn:UserTask")) {
            const step = model.steps.get(
              String(node.id)
                .replace(/^Step_/, "")
                .replace(/-/g, "."),
            )?.step;
            if (!step) continue;
            assert.equal(lane.name, model.playbook.roles[step.owner]?.title, `${step.id} is in its owner's lane`);
          }
        }
      }
      // Lanes are roles that own steps: each lane's role owns a step, each top-level task's owner has a lane (checked above).
      const owners = new Set(model.order.map((e) => model.playbook.roles[e.step.owner]?.title));
      for (const process of processes)
        for (const lane of list(list(process.laneSets)[0]?.lanes)) assert.ok(owners.has(String(lane.name)), `${lane.name} owns steps`);
      // Every step's text is in its task's documentation.
      const tasks = new Map(
        processes
          .flatMap((p) => flowNodes(p))
          .filter((n) => n.$type === "bpmn:UserTask")
          .map((n) => [String(n.id), n]),
      );
      for (const { step } of model.order) {
        const task = tasks.get(`Step_${step.id.replace(/[^A-Za-z0-9_]/g, "-")}`);
        if (!task) {
          assert.ok(step.on_demand, `${step.id} is exported (only on-demand steps no flow opens live in automations)`);
          continue;
        }
        const text = list(task.documentation)
          .map((d) => String(d.text))
          .join("\n");
        for (const words of [step.description, step.expected_result, ...step.instructions].filter((t): t is string => !!t))
          assert.ok(text.includes(prosePlainText(words)), `${step.id}'s documentation holds "${words.slice(0, 40)}"`);
        if (step.due) assert.ok(text.includes(step.due.text), `${step.id}'s documentation states its deadline`);
      }
      // A criterion reading a form answer reads an unanswered one as zero, as Onboard does.
      if (name === "sop-cs-001") assert.match(xml, /\["scenarios_failed"\] \?\? 0\) &gt; 0/);
    });
  }
});

/**
 * Scenarios that vary, one at a time, each fact and first form answer the steps' own conditions
 * read (`when:`, a repeat's list, a call's condition), so both ways round each such gateway run.
 */
function variations(model: PlaybookModel): Scenario[] {
  const playbook = model.playbook;
  const sources = [...model.order.flatMap((e) => [e.step.when, e.step.repeat?.for_each]), ...playbook.calls.map((c) => c.when)].filter(
    (s): s is string => s !== undefined,
  );
  const scenarios: Scenario[] = [];
  const seen = new Set<string>();
  const facts = defaultFacts(model);
  for (const source of sources) {
    for (const path of ExpressionChecker.pathsRead(source)) {
      const [root, id, field] = path.split(".");
      let values: unknown[] = [];
      if (root === "facts" && id) {
        const fact = playbook.facts[id];
        if (!fact) continue;
        if (fact.type === "bool") values = [true, false];
        else if (fact.type === "list") values = [[], [fact.values?.[0] ?? "item"]];
        else values = fact.values ? [...fact.values] : literalsOf(source);
      } else if (root === "forms" && id && field) {
        const spec = playbook.forms[id]?.fields[field];
        if (!spec) continue;
        values = spec.type === "bool" ? [true, false] : spec.options ? [...spec.options] : literalsOf(source);
      } else continue;
      // The default client already runs with its own values.
      const usual = root === "facts" ? facts[id] : passingValue(playbook.forms[id]?.fields[field ?? ""] ?? { type: "string" });
      for (const value of values) {
        const key = `${path}=${JSON.stringify(value)}`;
        if (seen.has(key) || JSON.stringify(value) === JSON.stringify(usual)) continue;
        seen.add(key);
        scenarios.push({
          name: key,
          facts: root === "facts" && id ? { [id]: value } : {},
          forms: root === "forms" && id && field ? { [`${id}@1`]: { [field]: value } } : {},
          choose: () => undefined,
        });
      }
    }
  }
  return scenarios;
}

/**
 * Every path: the default choices, each variation of the steps' conditions, then for each outcome
 * of each decision not yet taken, a run that takes it on the decision's first visit (the loops it
 * opens then carry on by the default branch), on the first scenario that reaches the decision.
 */
async function everyPath(model: PlaybookModel, xml: string) {
  const results: { scenario: Scenario; result: PathResult }[] = [];
  const taken = new Set<string>();
  const run = async (scenario: Scenario) => {
    const result = await runScenario(model, xml, scenario);
    results.push({ scenario, result });
    for (const d of result.decisions) taken.add(`${d.step}\u0000${d.branch}`);
    return result;
  };
  const bases = [{ name: "default", facts: {}, forms: {}, choose: () => undefined }, ...variations(model)];
  for (const base of bases) await run(base);
  const missed: string[] = [];
  for (const { step } of model.order) {
    for (const branch of step.decision?.branches ?? []) {
      if (taken.has(`${step.id}\u0000${branch.label}`)) continue;
      const reaching = results.filter((r) => r.result.reached.includes(step.id)).map((r) => r.scenario);
      const base = reaching.find((s) => bases.includes(s));
      if (!base) {
        missed.push(`${step.id}: no scenario reaches it`);
        continue;
      }
      await run({
        ...base,
        name: `${base.name}, ${step.id} takes "${branch.label}"`,
        choose: (id) => (id === step.id ? branch.label : undefined),
      });
      if (!taken.has(`${step.id}\u0000${branch.label}`)) missed.push(`${step.id} "${branch.label}"`);
    }
  }
  return { results, missed };
}

describe("the BPMN export runs in bpmn-engine as the playbook runs in Onboard", () => {
  for (const name of NAMES) {
    test(`${name}: along every decision outcome, the same steps open in the same order`, async () => {
      const { model, xml } = await exported(name);
      const { results, missed } = await everyPath(model, xml);
      const wrong = results.filter((r) => r.result.mismatch).map((r) => `${r.scenario.name}: ${r.result.mismatch}`);
      assert.deepEqual(wrong, []);
      assert.deepEqual(missed, [], "every outcome of every decision is taken");
    });
  }

  test("a wrong gateway condition makes the engines disagree", async () => {
    const { model, xml } = await exported("gitlab-tam-onboarding");
    // The customer-caused delay's criterion, negated: the decision now goes the other way.
    const broken = xml.replace(/next\(null, Boolean\(([^\n]*?"delay_caused_by"\][^\n]*?)\)\);/, "next(null, !Boolean($1));");
    assert.notEqual(broken, xml, "the criterion is in the export");
    const { results } = await everyPath(model, broken);
    assert.ok(
      results.some((r) => r.result.mismatch),
      "some path differs",
    );
  });
});
