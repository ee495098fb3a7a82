// A template refused when saved or previewed, as problem+json: 422 with one error per problem,
// each naming the field and, where it applies, the unknown placeholder or the refused tag and its line.
import { TemplateRefused } from "../../../notify/template-store.ts";
import { HttpProblem } from "../../problems.ts";

/** `error` as a 422 when it is a refused template; anything else unchanged. */
export function templateRefusal(error: unknown): unknown {
  if (!(error instanceof TemplateRefused)) return error;
  return new HttpProblem("invalid", error.message, {
    extensions: {
      errors: error.problems.map((p) => ({
        pointer: `/body/${p.field}`,
        detail: p.message,
        ...(p.placeholder ? { placeholder: p.placeholder } : {}),
        ...(p.tag ? { tag: p.tag, line: p.line } : {}),
      })),
    },
  });
}
