// Templates are code a user may write, so they run in a sandboxed LiquidJS: no file system
// (include, render and layout are refused when a template is checked, and their tags are replaced
// by one that refuses to parse, so the engine never looks for a file), own properties only, strict
// variables (a missing placeholder is an error, never an empty hole in a client's email), strict
// filters, and limits on template size, render time, memory and output. The HTML part escapes
// every value; the text part does not. The server renders in worker threads (render-pool.ts), so
// a template that runs to its limit stalls nobody else.
import { Liquid, Tag, type TagToken, type Template, Tokenizer, TokenKind, type TopLevelToken } from "liquidjs";
import { FILE_TAGS, type FileTag, fileTagMessage, fileTagsIn } from "../playbook/liquid-tags.ts";
import type { Playbook } from "../playbook/schema.ts";
import { AppError } from "../store/errors.ts";
import { isKnownPlaceholder } from "./variables.ts";

export interface MessageTemplate {
  readonly id: string;
  readonly kind: string;
  readonly subject?: string | undefined;
  readonly body: string;
}

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Limits: a template's size, the time one message (subject, text and HTML) may take to render by
 * default, the memory each part may allocate (LiquidJS's count of characters and items), and the
 * size of each rendered part.
 */
export const LIMITS = { templateChars: 64_000, renderMs: 1_000, memory: 4_000_000, outputChars: 512_000 } as const;

/** Stands in for include, render and layout: parsing one is an error naming the tag (with its line, from LiquidJS). */
class RefusedFileTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`{% ${token.name} %} is not allowed: templates cannot include, render or lay out other templates`);
  }
  render(): void {}
}

function engine(escapeOutput: boolean): Liquid {
  const liquid = new Liquid({
    // In-memory templates only: with `templates` set, LiquidJS never touches the file system.
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictVariables: true,
    strictFilters: true,
    jsTruthy: false,
    cache: false,
    parseLimit: LIMITS.templateChars,
    renderLimit: LIMITS.renderMs,
    memoryLimit: LIMITS.memory,
    ...(escapeOutput ? { outputEscape: "escape" as const } : {}),
  });
  for (const tag of FILE_TAGS) liquid.registerTag(tag, RefusedFileTag);
  return liquid;
}

const TEXT = engine(false);
const HTML = engine(true);

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The template with its literal text HTML-escaped and its Liquid markup untouched. */
function htmlSource(source: string): string {
  const tokens = new Tokenizer(source).readTopLevelTokens();
  return tokens.map((t) => (t.kind === TokenKind.HTML ? escapeHtml(t.getText()) : t.getText())).join("");
}

/** Plain text as simple HTML: blank lines separate paragraphs, line breaks stay. Input is escaped. */
function paragraphs(escaped: string): string {
  return escaped
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
}

export class TemplateError extends AppError {
  override readonly name = "TemplateError";
}

function parse(liquid: Liquid, source: string, field: string, templateId: string): Template[] {
  if (source.length > LIMITS.templateChars)
    throw new TemplateError("invalid", `template ${templateId}: ${field} is longer than ${LIMITS.templateChars} characters`, { field });
  try {
    return liquid.parse(source);
  } catch (error) {
    throw new TemplateError(
      "invalid",
      `template ${templateId}: ${field} is not valid Liquid: ${(error as Error).message}`,
      { field },
      { cause: error },
    );
  }
}

/** The error of a template that ran past its time: the same words whether LiquidJS or the pool stopped it. */
export function tooSlow(templateId: string, field: string, renderMs: number): TemplateError {
  return new TemplateError(
    "invalid",
    `template ${templateId}: the ${field} took too long to render (the limit is ${renderMs} ms): look for loops over large ranges`,
    { field, limit: "time" },
  );
}

/**
 * Render with what is left of the message's time budget (`deadline`, a performance.now() instant).
 * Synchronous: every caller is a worker thread or a test, and the async renderer only adds a
 * promise per node.
 */
function render(
  liquid: Liquid,
  templates: Template[],
  scope: object,
  field: string,
  templateId: string,
  deadline: number,
  renderMs: number,
): string {
  let out: string;
  try {
    out = String(liquid.renderSync(templates, scope, { renderLimit: Math.max(1, deadline - performance.now()) }));
  } catch (error) {
    const message = (error as Error).message;
    if (/template render limit exceeded/.test(message)) throw tooSlow(templateId, field, renderMs);
    if (/memory alloc limit exceeded/.test(message))
      throw new TemplateError(
        "invalid",
        `template ${templateId}: the ${field} builds values too large to render (ranges, joins or repeated text): ${message}`,
        { field, limit: "memory" },
        { cause: error },
      );
    const undefinedVariable = /undefined variable: ([^,]+)/.exec(message)?.[1];
    throw new TemplateError(
      "invalid",
      undefinedVariable
        ? `template ${templateId}: ${field} uses {{${undefinedVariable}}}, which this project has no value for`
        : `template ${templateId}: ${field} cannot be rendered: ${message}`,
      { field, ...(undefinedVariable ? { placeholder: undefinedVariable } : {}) },
      { cause: error },
    );
  }
  if (out.length > LIMITS.outputChars)
    throw new TemplateError("invalid", `template ${templateId}: ${field} renders to more than ${LIMITS.outputChars} characters`, { field });
  return out;
}

/**
 * Render a template's subject and body with `variables` (see templateVariables), in this thread:
 * the three parts share one time budget (`renderMs`, default LIMITS.renderMs). The server calls it
 * through a TemplateRenderer (render-pool.ts) instead.
 */
export async function renderMessage(
  template: MessageTemplate,
  variables: Record<string, unknown>,
  options: { readonly renderMs?: number } = {},
): Promise<RenderedMessage> {
  const renderMs = options.renderMs ?? LIMITS.renderMs;
  const deadline = performance.now() + renderMs;
  const id = template.id;
  const subjectSource = (template.subject ?? id).replace(/\s*\n\s*/g, " ");
  const subject = render(TEXT, parse(TEXT, subjectSource, "subject", id), variables, "subject", id, deadline, renderMs);
  const text = render(TEXT, parse(TEXT, template.body, "body", id), variables, "body", id, deadline, renderMs);
  const html = render(HTML, parse(HTML, htmlSource(template.body), "body", id), variables, "body", id, deadline, renderMs);
  return { subject: subject.replace(/[\r\n]+/g, " ").trim(), text, html: paragraphs(html) };
}

/** Renders messages: in worker threads on the server (render-pool.ts), in this thread in tests and tools. */
export interface TemplateRenderer {
  /**
   * `whenBusy: "refuse"` (a person waiting on a draft's preview): fail at once when every thread is
   * busy and the queue is full. Default "wait": queue behind the others (the outbox's mail, which
   * must not fail for being many).
   */
  render(
    template: MessageTemplate,
    variables: Record<string, unknown>,
    options?: { readonly whenBusy?: "wait" | "refuse" },
  ): Promise<RenderedMessage>;
  /** Stop its threads; renders asked for afterwards fail. */
  close(): Promise<void>;
}

/** In this thread, with the default limits. */
export const IN_THREAD: TemplateRenderer = { render: (template, variables) => renderMessage(template, variables), close: async () => {} };

export interface PlaceholderProblem {
  readonly field: "subject" | "body";
  /** The unknown placeholder; "" for other problems (syntax, a refused tag). */
  readonly placeholder: string;
  readonly message: string;
  /** A refused tag (include, render, layout) and the line of the field it is on. */
  readonly tag?: FileTag;
  readonly line?: number;
}

/**
 * The placeholders of a user-authored template that the playbook's projects have no value for,
 * include/render/layout tags (with their line), and Liquid syntax errors; empty when it can be saved.
 */
export function checkTemplate(template: Pick<MessageTemplate, "id" | "subject" | "body">, playbook: Playbook): PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  const fields: ["subject" | "body", string | undefined][] = [
    ["subject", template.subject],
    ["body", template.body],
  ];
  for (const [field, source] of fields) {
    if (source === undefined) continue;
    const refused = fileTagsIn(source);
    if (refused.length > 0) {
      for (const use of refused)
        problems.push({ field, placeholder: "", message: fileTagMessage(use, `the ${field}`), tag: use.tag, line: use.line });
      continue;
    }
    let parsed: Template[];
    try {
      parsed = parse(TEXT, source, field, template.id);
    } catch (error) {
      problems.push({ field, placeholder: "", message: (error as Error).message });
      continue;
    }
    let variables: ReturnType<Liquid["globalVariableSegmentsSync"]>;
    try {
      variables = TEXT.globalVariableSegmentsSync(parsed);
    } catch (error) {
      problems.push({
        field,
        placeholder: "",
        message: `template ${template.id}: ${field} cannot be checked: ${(error as Error).message}`,
      });
      continue;
    }
    for (const segments of variables) {
      const path = segments.map(String);
      if (!isKnownPlaceholder(path, playbook))
        problems.push({
          field,
          placeholder: path.join("."),
          message: `unknown placeholder {{${path.join(".")}}} in ${field}: use a parameter of the playbook or client.*, project.*, contact.*, meeting.*, roles.<role>.name|email|phone, facts.<fact>`,
        });
    }
  }
  return problems;
}
