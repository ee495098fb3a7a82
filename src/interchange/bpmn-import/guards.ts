// The condition under which each step is reached: the branches of the decisions on the way to it,
// merged where ways come together (a step every branch of a gateway leads to needs none of them).
import type { ImportContext } from "./context.ts";
import type { Edge } from "./graph.ts";

/** One piece of a step's condition: the branch of a decision that leads to it. */
export interface Literal {
  readonly key: string;
  readonly gateway?: string;
  readonly cel: string;
}

function merge(ctx: ImportContext, paths: readonly (readonly Literal[])[]): Literal[] {
  if (paths.length === 0 || paths.some((p) => p.length === 0)) return [];
  const first = paths[0] ?? [];
  let common = 0;
  while (common < first.length && paths.every((p) => p[common]?.key === first[common]?.key)) common++;
  const prefix = first.slice(0, common);
  const tails = paths.map((p) => p.slice(common));
  if (tails.every((t) => t.length === 0)) return prefix;
  // Every branch of one gateway comes back together here: the way no longer depends on it.
  const gateway = tails[0]?.[0]?.gateway;
  if (gateway !== undefined && tails.every((t) => t.length === 1 && t[0]?.gateway === gateway)) {
    const branches = (ctx.graph.outgoing.get(gateway) ?? []).filter((e) => !ctx.graph.backEdges.has(e)).length;
    if (new Set(tails.map((t) => t[0]?.key)).size >= branches) return prefix;
  }
  const either = [...new Set(tails.map((t) => t.map((l) => (tails.length > 1 && t.length > 1 ? `(${l.cel})` : l.cel)).join(" && ")))];
  return [
    ...prefix,
    { key: `any(${tails.map((t) => t.map((l) => l.key).join("&")).join("|")})`, cel: either.map((c) => `(${c})`).join(" || ") },
  ];
}

/** A function from a node to the CEL condition that reaches it (undefined: always reached). */
export function guards(ctx: ImportContext, literals: ReadonlyMap<Edge, Literal>): (id: string) => string | undefined {
  const cache = new Map<string, Literal[]>();
  const guardOf = (id: string): Literal[] => {
    const cached = cache.get(id);
    if (cached) return cached;
    cache.set(id, []);
    const paths = ctx
      .forward(id)
      .filter((e) => ctx.graph.nodes.get(e.from)?.kind !== "boundary")
      .map((edge) => {
        const base = guardOf(edge.from);
        const literal = literals.get(edge);
        return literal ? [...base, literal] : base;
      });
    const result = merge(ctx, paths);
    cache.set(id, result);
    return result;
  };
  return (id) => {
    const guard = guardOf(id);
    if (guard.length === 0) return undefined;
    return guard.map((l) => (guard.length > 1 && /\|\||&&/.test(l.cel) ? `(${l.cel})` : l.cel)).join(" && ");
  };
}
