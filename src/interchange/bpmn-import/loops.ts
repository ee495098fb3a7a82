// Rework loops ("not accepted → revise → back to the start"): a task that a decision's branch leads
// to and whose only way on goes back becomes an on-demand step that returns there (next:). Other
// loops that do not start at a decision are said, not guessed.
import type { ImportContext } from "./context.ts";
import { oneLine } from "./owners.ts";

/** The rework steps: node id → the node id of the step they return to. */
export function reworkLoops(ctx: ImportContext): Map<string, string> {
  const { graph } = ctx;
  const loops = new Map<string, string>();
  for (const edge of graph.backEdges) {
    const from = graph.nodes.get(edge.from);
    if (from?.kind === "decision") continue; // a decision's branch says where it goes back to
    const target = ctx.stepsAhead(edge.to)[0];
    const preds = ctx.predsOf(edge.from);
    const onlyBack = (graph.outgoing.get(edge.from) ?? []).every((e) => graph.backEdges.has(e));
    if (from?.kind === "task" && target && preds.length === 1 && graph.nodes.get(preds[0] ?? "")?.kind === "decision" && onlyBack)
      loops.set(edge.from, target);
    else
      ctx.find(
        from?.element,
        "warning",
        `the flow goes back from "${oneLine(from?.element.name) || edge.from}" to "${oneLine(graph.nodes.get(edge.to)?.element.name) || edge.to}"; that loop is not translated: write it as a decision branch to an on_demand step with next:`,
      );
  }
  return loops;
}
