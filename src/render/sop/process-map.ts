// The process map as a flowchart (one cluster per phase, decision diamonds with their branch
// labels, loops drawn back to where they return), a page per phase where the whole map would print
// too small to read, and the swimlane view by role (a role-by-phase table, which prints legibly in
// every format where a lane diagram of thirty steps does not).
import { kindWords } from "../../playbook/procedure-kind.ts";
import type { Step } from "../../playbook/schema.ts";
import type { Block, Inline, Rich } from "../document.ts";
import { diagramBlock, plain, strong, text } from "../document.ts";
import type { ClassStyle, FlowCluster, Flowchart, FlowEdge, FlowNode, NodeShape } from "../flowchart/chart.ts";
import { layoutFlowchart } from "../flowchart/layout.ts";
import { estimatedMeasure } from "../flowchart/measure.ts";
import type { BuildContext } from "./context.ts";
import { phaseTitle, successors } from "./procedure.ts";
import { capitalize, triggerWords, windowWords } from "./words.ts";

// Expanded steps of a call have dotted ids ("edd.gather"): not a character a node id may hold.
const node = (stepId: string) => `s_${stepId.replace(/\./g, "__")}`;
const diamond = (stepId: string) => `d_${stepId.replace(/\./g, "__")}`;

function shapeOf(step: Step): NodeShape {
  if (step.kind === "milestone" || step.go_live) return "stadium";
  if (step.kind === "meeting") return "rounded";
  if (step.gate) return "subroutine";
  return "box";
}

/** A step's dependencies as printed: steps this edition leaves out are passed through. */
function shownDeps(ctx: BuildContext, after: readonly string[], seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const id of after) {
    if (seen.has(id)) continue;
    seen.add(id);
    const entry = ctx.model.steps.get(id);
    if (!entry) continue;
    if (ctx.includes(entry.step)) out.push(id);
    else out.push(...shownDeps(ctx, entry.after, seen));
  }
  return [...new Set(out)];
}

/** A label cut at `max` characters (code points, so emoji and CJK are never split), with an ellipsis. */
export function shortLabel(value: string, max = 48): string {
  const chars = [...value];
  return chars.length <= max
    ? value
    : `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`;
}

/** A branch's label on its arrow: without a leading "if", whole up to a sentence's length, else cut at a word. */
export function branchLabel(value: string): string {
  const label = value.replace(/^if\s+/i, "");
  const words = label.split(/\s+/);
  let out = "";
  for (const word of words) {
    if ([...`${out} ${word}`].length > BRANCH_LABEL_MAX) return out ? `${out}…` : `${[...word].slice(0, BRANCH_LABEL_MAX - 1).join("")}…`;
    out = out ? `${out} ${word}` : word;
  }
  return out;
}
const BRANCH_LABEL_MAX = 90;

/** The main-line step written before this one (skipping side branches and steps left out). */
function previousShown(ctx: BuildContext, stepId: string): string | undefined {
  const order = ctx.entries();
  const index = order.findIndex((e) => e.step.id === stepId);
  for (let i = index - 1; i >= 0; i--) {
    const e = order[i];
    if (e && !e.step.on_demand) return e.step.id;
  }
  return undefined;
}

const CLASSES: Readonly<Record<string, ClassStyle>> = {
  terminal: { fill: "#1f3a5f", stroke: "#1f3a5f", color: "#ffffff" },
  decision: { fill: "#fdf6e3", stroke: "#b7791f", color: "#3d2c00" },
  gate: { fill: "#eef5ee", stroke: "#2f6f3e", color: "#0f2e17" },
  sidebranch: { fill: "#ffffff", stroke: "#7a8699", dash: "4 3" },
  conditional: { fill: "#f4f6fa", stroke: "#5a6b85", dash: "2 2" },
  connector: { fill: "#ffffff", stroke: "#9aa5b5", color: "#3d4756" },
};

/** Tighter spacing than Mermaid's default, so that a phase column fits a page. */
const SPACING = { node: 22, rank: 30, padding: 6 };

function stepLines(ctx: BuildContext, step: Step, earlier: readonly string[]): string[] {
  const title = `${ctx.number(step.id)} ${ctx.stepTitle(step.id)}`;
  const conditional = ctx.conditional(step) ? " (if applicable)" : "";
  const after = earlier.length > 0 ? [`(after ${earlier.map((id) => ctx.number(id)).join(", ")})`] : [];
  return [title + conditional, ...after];
}

/**
 * The process map: phases side by side, left to right; the steps of a phase top to bottom. An
 * arrow never crosses a phase's border (Mermaid keeps a subgraph's own direction only then, and
 * a phase column reads as a list): an arrow that leaves a phase ends at a connector naming its
 * target ("→ 6.22"), a step that also waits for steps of earlier phases says so in its box
 * ("after 6.16, 6.18"), and the phases are chained.
 */
export function processMapChart(ctx: BuildContext): Flowchart {
  const clusters: FlowCluster[] = [];
  const phaseOf = new Map(ctx.entries().map((e) => [e.step.id, e.phase.id]));
  // Each phase's nodes and edges, made up front: an arrow from a step of another phase (a detour
  // whose steps are a shared section, entered from several phases) is drawn in that step's phase.
  const parts = new Map(ctx.playbook.phases.map((p) => [p.id, { nodes: [] as FlowNode[], edges: [] as FlowEdge[], connectors: 0 }]));
  // A call is one box ("carry out Section 4.3"): its steps stand for the box, drawn once.
  const firstOf = new Map<string, string>();
  for (const e of ctx.entries()) {
    const call = ctx.callOf.get(e.step.id);
    if (call && !firstOf.has(call.id)) firstOf.set(call.id, e.step.id);
  }
  const repr = (id: string): string => {
    const call = ctx.callOf.get(id);
    return call ? (firstOf.get(call.id) ?? id) : id;
  };
  ctx.playbook.phases.forEach((phase, i) => {
    const entries = ctx.entries().filter((e) => e.phase === phase);
    const own = parts.get(phase.id);
    if (entries.length === 0 || !own) return;
    const { nodes, edges } = own;
    /** An arrow from `from` (a node of the phase `fromPhase`, default this one) to a step. */
    const to = (from: string, stepId: string, label: string | undefined, dashed = false, fromPhase = phase.id): void => {
      const part = parts.get(fromPhase) ?? own;
      if (phaseOf.get(stepId) === fromPhase) {
        // A shared section entered from two places is drawn once.
        if (fromPhase === phase.id || !part.edges.some((e) => e.from === from && e.to === node(stepId)))
          part.edges.push({ from, to: node(stepId), ...(label ? { label } : {}), dashed });
        return;
      }
      const target = `→ ${ctx.number(stepId)}`;
      const drawn = (e: FlowEdge) => e.from === from && part.nodes.some((n) => n.id === e.to && n.lines[0] === target);
      if (fromPhase !== phase.id && part.edges.some(drawn)) return;
      const id = `x_${fromPhase}_${++part.connectors}`;
      part.nodes.push({ id, lines: [target], shape: "stadium", className: "connector" });
      part.edges.push({ from, to: id, ...(label ? { label } : {}), dashed });
    };
    const phaseOfStep = (id: string) => phaseOf.get(id) ?? phase.id;
    // One arrow per branch that carries on, each with its whole label (wrapped by the layout):
    // labels merged onto one arrow were cut off mid-word.
    const exitsOf = (stepId: string): { from: string; label?: string }[] => {
      if (ctx.callOf.has(stepId)) return [{ from: node(repr(stepId)) }];
      const step = ctx.model.steps.get(stepId)?.step;
      if (!step?.decision) return [{ from: node(stepId) }];
      const labels = step.decision.branches
        .filter((b) => b.next === "continue" && !b.detour)
        .map((b) => branchLabel(ctx.fill.plain(b.label)));
      return labels.length > 0 ? labels.map((label) => ({ from: diamond(stepId), label })) : [{ from: diamond(stepId) }];
    };
    for (const entry of entries) {
      const { step } = entry;
      const call = ctx.callOf.get(step.id);
      if (call) {
        if (firstOf.get(call.id) !== step.id) continue;
        const members = new Set(call.steps);
        const outside = ctx.model.order.filter((e) => members.has(e.step.id)).flatMap((e) => e.after.filter((d) => !members.has(d)));
        const callDeps = [...new Set(shownDeps(ctx, outside).map(repr))];
        const before = previousShown(ctx, step.id);
        const prior = before === undefined ? undefined : repr(before);
        const earlierDeps = callDeps.filter((d) => phaseOf.get(d) !== phase.id && d !== prior);
        const lines = [
          `${ctx.number(step.id)} ${ctx.fill.plain(call.title)}`,
          `(carry out Section ${ctx.procedureLabels.get(call.procedure) ?? ""})`,
          ...(earlierDeps.length > 0 ? [`(after ${earlierDeps.map((id) => ctx.number(id)).join(", ")})`] : []),
        ];
        const className = ctx.conditional(call) ? "conditional" : undefined;
        nodes.push({ id: node(step.id), lines, shape: "subroutine", ...(className ? { className } : {}) });
        for (const dep of callDeps.filter((d) => phaseOf.get(d) === phase.id)) {
          for (const exit of exitsOf(dep)) edges.push({ from: exit.from, to: node(step.id), ...(exit.label ? { label: exit.label } : {}) });
        }
        continue;
      }
      const deps = step.on_demand ? [] : [...new Set(shownDeps(ctx, entry.after).map(repr))];
      const previous = previousShown(ctx, step.id);
      const earlier = deps.filter((d) => phaseOf.get(d) !== phase.id && d !== (previous === undefined ? undefined : repr(previous)));
      const className = step.on_demand ? "sidebranch" : ctx.conditional(step) ? "conditional" : step.gate ? "gate" : undefined;
      nodes.push({ id: node(step.id), lines: stepLines(ctx, step, earlier), shape: shapeOf(step), ...(className ? { className } : {}) });
      for (const dep of deps.filter((d) => phaseOf.get(d) === phase.id)) {
        for (const exit of exitsOf(dep)) edges.push({ from: exit.from, to: node(step.id), ...(exit.label ? { label: exit.label } : {}) });
      }
      if (step.decision) {
        nodes.push({
          id: diamond(step.id),
          lines: [shortLabel(ctx.fill.plain(step.decision.question), 40)],
          shape: "diamond",
          className: "decision",
        });
        edges.push({ from: node(step.id), to: diamond(step.id) });
        for (const branch of step.decision.branches) {
          const label = branchLabel(ctx.fill.plain(branch.label));
          if (branch.next === "continue") {
            // Successors in this phase get their arrow with their dependencies; later phases a connector.
            for (const next of ctx.entries().filter((e) => !e.step.on_demand && e.after.includes(step.id) && e.phase !== phase)) {
              to(diamond(step.id), next.step.id, label);
            }
          } else if (branch.next === "hold" || branch.next === "end") {
            const id = `${branch.next}_${step.id}`;
            nodes.push({ id, lines: [branch.next === "hold" ? "On hold" : "End"], shape: "stadium", className: "terminal" });
            edges.push({ from: diamond(step.id), to: id, label });
          } else if (ctx.numbers.has(branch.next)) to(diamond(step.id), branch.next, label);
          // A detour's steps (and a side branch that does not return) lead on to what follows the decision.
          const detour = (branch.detour ?? []).filter((id) => ctx.numbers.has(id));
          const oneWay = ctx.model.steps.get(branch.next)?.step;
          const through = oneWay?.on_demand && oneWay.next === undefined && ctx.numbers.has(branch.next) ? [branch.next] : [];
          const inDetour = (id: string) => ctx.model.steps.get(id)?.after ?? [];
          for (const id of detour) {
            if (!inDetour(id).some((d) => detour.includes(d))) to(diamond(step.id), id, label);
            for (const d of inDetour(id).filter((d) => detour.includes(d))) to(node(d), id, undefined, false, phaseOfStep(d));
          }
          for (const id of [...detour, ...through]) {
            if (detour.some((other) => inDetour(other).includes(id))) continue;
            for (const next of successors(ctx, step.id)) to(node(id), next.step.id, "then carry on", false, phaseOfStep(id));
          }
          for (const action of branch.actions) {
            const target = action.activate?.step;
            if (target && ctx.numbers.has(target)) to(diamond(step.id), target, label, true);
          }
        }
      }
      if (step.on_demand && step.next && ctx.numbers.has(step.next)) to(node(step.id), step.next, undefined);
      if (step.completes_project) {
        const id = `done_${phase.id}`;
        nodes.push({ id, lines: [`${capitalize(kindWords(ctx.playbook).noun)} complete`], shape: "stadium", className: "terminal" });
        edges.push({ from: exitsOf(step.id)[0]?.from ?? node(step.id), to: id });
      }
    }
    for (const rule of ctx.playbook.rules) {
      if (!rule.step || phaseOf.get(rule.step) !== phase.id) continue;
      for (const action of rule.actions) {
        const target = action.activate?.step;
        if (target && ctx.numbers.has(target)) to(node(rule.step), target, shortLabel(triggerWords(rule.on, undefined, ctx)), true);
      }
    }
    clusters.push({
      id: `ph_${phase.id}`,
      label: `${phaseTitle(ctx, phase, i)}${phase.window ? ` (${windowWords(phase.window, ctx)})` : ""}`,
      nodes,
      edges,
    });
  });
  const edges: FlowEdge[] = [];
  const [first] = clusters;
  if (first) edges.push({ from: "start", to: first.id });
  for (let i = 1; i < clusters.length; i++) edges.push({ from: (clusters[i - 1] as FlowCluster).id, to: (clusters[i] as FlowCluster).id });
  return {
    spacing: SPACING,
    nodes: [{ id: "start", lines: ["Start"], shape: "stadium", className: "terminal" }],
    clusters,
    edges,
    classes: CLASSES,
  };
}

/** The swimlane view: a row (lane) per role, a column per phase, each cell the role's steps there. */
export function swimlaneTable(ctx: BuildContext): Block {
  const phases = ctx.playbook.phases;
  const roles = Object.keys(ctx.playbook.roles).filter((role) => ctx.entries().some((e) => e.step.owner === role));
  const rows = roles.map((role): Rich[] => [
    [strong(ctx.roleTitle(role))],
    ...phases.map((phase): Rich => {
      const out: Inline[] = [];
      for (const s of phase.steps.filter((x) => ctx.includes(x) && x.owner === role)) {
        if (out.length > 0) out.push({ kind: "break" });
        out.push(strong(ctx.number(s.id)), text(` ${ctx.stepTitle(s.id)}`));
      }
      return out;
    }),
  ]);
  return {
    kind: "table",
    columns: [{ title: "Role", weight: 2 }, ...phases.map((_, i) => ({ title: `Phase ${i + 1}`, weight: 3 }))],
    rows,
  };
}

/**
 * The box a map is printed in: a landscape A4 page inside its margins, at most 170 mm high (the
 * print stylesheet's limit, leaving room for the heading), in CSS pixels.
 */
const PRINTED_MAP = { width: ((297 - 24) / 25.4) * 96, height: (170 / 25.4) * 96 };

/** Below this, a map's 16-pixel text prints smaller than 6 points: each phase then gets a page of its own. */
const LEGIBLE_SCALE = 0.5;

/** The scale the whole map prints at (estimated widths: the same decision on every machine). */
function printedScale(chart: Flowchart): number {
  const { width, height } = layoutFlowchart(chart, estimatedMeasure());
  return Math.min(1, PRINTED_MAP.width / width, PRINTED_MAP.height / height);
}

/** One page per phase, the phase's part of the map alone, for maps too big to read whole on paper. */
function phaseDetailPages(chart: Flowchart, appendix: string): Block[] {
  if (chart.clusters.length < 2 || printedScale(chart) >= LEGIBLE_SCALE) return [];
  return chart.clusters.map((cluster, i): Block => {
    const id = `process-map-${cluster.id.replace(/^ph_/, "")}`;
    return {
      kind: "page",
      id: `${id}-page`,
      fit: false,
      landscape: true,
      detail: true,
      blocks: [
        { kind: "heading", level: 3, id, number: `${appendix}${i + 1}`, text: plain(cluster.label) },
        diagramBlock(id, cluster.label, { ...chart, nodes: [], clusters: [cluster], edges: [] }),
      ],
    };
  });
}

export function processMapBlocks(ctx: BuildContext): Block[] {
  const chart = processMapChart(ctx);
  const heading = ctx.appendix("Process Map");
  const appendix = heading.kind === "heading" ? (heading.number ?? "") : "";
  return [
    {
      kind: "page",
      id: "process-map-page",
      fit: false,
      landscape: true,
      blocks: [
        heading,
        {
          kind: "paragraph",
          tone: "small",
          text: plain(
            "Phases run left to right, the steps of a phase top to bottom. Diamonds are decisions with their branch labels; dashed boxes are side branches opened only when needed, returning where their arrow points; double-edged boxes are sign-off checkpoints; “→ 6.n” continues at step 6.n.",
          ),
        },
        diagramBlock("process-map", "Process map", chart),
      ],
    },
    ...phaseDetailPages(chart, appendix),
    {
      kind: "page",
      id: "swimlane-page",
      fit: false,
      landscape: true,
      blocks: [
        ctx.appendix("Swimlane View by Role"),
        { kind: "paragraph", tone: "small", text: plain("One lane per role: the steps each role owns, phase by phase.") },
        swimlaneTable(ctx),
      ],
    },
  ];
}
