// What PostgreSQL cannot store is refused at the edge, before any handler sees it: text and jsonb
// cannot hold U+0000, jsonb refuses a lone UTF-16 surrogate ("\ud800" in a JSON string; text would
// silently store U+FFFD instead), and a value nested thousands of levels deep overflows
// JSON.stringify and jsonb's parser. Bodies must be UTF-8 (RFC 8259): bytes that are not are a
// 400 naming the first bad one, never replaced by U+FFFD. Each refusal is a 400 whose errors[]
// name the fields by JSON pointer, in the shape schema validation uses.
import { Readable } from "node:stream";
import { decodeUtf8 } from "../playbook/source.ts";
import type { Api } from "./http.ts";
import { type FieldError, fieldProblem, fieldsProblem, type HttpProblem } from "./problems.ts";

/** How deep a request value may nest; request schemas nest a few levels, free-form facts a few more. */
export const MAX_DEPTH = 64;
/** Enough fields to act on; a body with a million bad strings does not need a million errors. */
const MAX_ERRORS = 20;

/** Why `text` cannot be stored, or undefined when it can. */
export function textIssue(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain U+0000 (NUL)";
  if (!text.isWellFormed()) return "must not contain a lone UTF-16 surrogate such as \\ud800 (not a Unicode character)";
  return undefined;
}

function segment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * The fields of `value` (a parsed body, the query, the params) that cannot be stored: strings and
 * member names with NUL or lone surrogates, and values nested deeper than MAX_DEPTH. Iterative,
 * so a value nested a million deep is reported, not a stack overflow. Bytes and streams (uploads) are not text.
 */
export function illFormedFields(value: unknown, base: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: [unknown, string, number][] = [[value, base, 0]];
  while (stack.length > 0 && errors.length < MAX_ERRORS) {
    const [item, pointer, depth] = stack.pop() as [unknown, string, number];
    if (typeof item === "string") {
      const issue = textIssue(item);
      if (issue) errors.push({ pointer, detail: issue });
      continue;
    }
    if (typeof item !== "object" || item === null || ArrayBuffer.isView(item)) continue;
    if (depth >= MAX_DEPTH) {
      errors.push({ pointer, detail: `nests deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    // Pushed last first, so errors come out in the document's order.
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${pointer}/${i}`, depth + 1]);
      continue;
    }
    const entries = Object.entries(item);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      const issue = textIssue(key);
      // The member's name is the problem: point at the member, say it is its name.
      if (issue) stack.push([key, `${pointer}/${segment(key)}`, depth + 1]);
      else stack.push([child, `${pointer}/${segment(key)}`, depth + 1]);
    }
  }
  return errors.slice(0, MAX_ERRORS);
}

/** The request's text as UTF-8, or a 400 naming the first byte that is not. */
export function decodeBody(bytes: Buffer): string | HttpProblem {
  try {
    return STRICT.decode(bytes);
  } catch {
    const decoded = decodeUtf8(bytes);
    if (decoded.ok) return decoded.text;
    return fieldProblem(
      "/body",
      `is not UTF-8: byte ${decoded.byte} (0x${(bytes[decoded.byte] ?? 0).toString(16).padStart(2, "0")}, line ${decoded.line}, column ${decoded.column}) is not part of a UTF-8 character`,
    );
  }
}

const STRICT = new TextDecoder("utf-8", { fatal: true });

/** The cookies Onboard reads (its sessions, sign-in steps): a NUL there would reach a query. */
const OUR_COOKIES = /^onboard_/;

/**
 * Install the checks on `app`: params, query, headers and Onboard's cookies as the request arrives
 * (before authentication reads them), the parsed body before validation (the parsers decode
 * strictly). A route whose body must be authenticated before it is judged (signed webhooks) sets
 * `config.checksOwnBody` and calls illFormedFields itself after checking the signature.
 */
export function installWellFormedChecks(app: Api): void {
  app.addHook("onRequest", async (request) => {
    const cookies = Object.entries(request.cookies ?? {}).filter(([name]) => OUR_COOKIES.test(name));
    const errors = [
      ...illFormedFields(request.params, "/params"),
      ...illFormedFields(request.query, "/query"),
      ...illFormedFields(request.headers, "/headers"),
      ...illFormedFields(Object.fromEntries(cookies), "/cookies"),
    ];
    if (errors.length > 0) throw fieldsProblem(errors);
  });
  app.addHook("preValidation", async (request) => {
    // An upload's body is its byte stream, read (and judged) by the route itself.
    if (request.routeOptions.config.checksOwnBody || request.body instanceof Readable) return;
    const errors = illFormedFields(request.body, "/body");
    if (errors.length > 0) throw fieldsProblem(errors);
  });
}
