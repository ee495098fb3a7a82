// Templates are code a user may write, so they run in a sandboxed LiquidJS: no file system (no
// include/render of files: there are no files), own properties only, strict variables (a missing
// placeholder is an error, never an empty hole in a client's email), strict filters, and limits on
// template size, render time and memory. The HTML part escapes every value; the text part does not.
import { Liquid, type Template, Tokenizer, TokenKind } from "liquidjs";
import type { Playbook } from "../playbook/schema.ts";
import { AppError } from "../store/index.ts";
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

/** Limits: a template's size, its render time and the memory it may allocate, and the output size. */
export const LIMITS = { templateChars: 64_000, renderMs: 1_000, memory: 4_000_000, outputChars: 512_000 } as const;

function engine(escapeOutput: boolean): Liquid {
  return new Liquid({
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

async function render(liquid: Liquid, templates: Template[], scope: object, field: string, templateId: string): Promise<string> {
  let out: string;
  try {
    out = String(await liquid.render(templates, scope));
  } catch (error) {
    const message = (error as Error).message;
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

/** Render a template's subject and body with `variables` (see templateVariables). */
export async function renderMessage(template: MessageTemplate, variables: Record<string, unknown>): Promise<RenderedMessage> {
  const subjectSource = (template.subject ?? template.id).replace(/\s*\n\s*/g, " ");
  const subject = await render(TEXT, parse(TEXT, subjectSource, "subject", template.id), variables, "subject", template.id);
  const text = await render(TEXT, parse(TEXT, template.body, "body", template.id), variables, "body", template.id);
  const html = await render(HTML, parse(HTML, htmlSource(template.body), "body", template.id), variables, "body", template.id);
  return { subject: subject.replace(/[\r\n]+/g, " ").trim(), text, html: paragraphs(html) };
}

export interface PlaceholderProblem {
  readonly field: "subject" | "body";
  readonly placeholder: string;
  readonly message: string;
}

/**
 * The placeholders of a user-authored template that the playbook's projects have no value for,
 * and Liquid syntax errors; empty when it can be saved.
 */
export function checkTemplate(template: Pick<MessageTemplate, "id" | "subject" | "body">, playbook: Playbook): PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  const fields: ["subject" | "body", string | undefined][] = [
    ["subject", template.subject],
    ["body", template.body],
  ];
  for (const [field, source] of fields) {
    if (source === undefined) continue;
    let parsed: Template[];
    try {
      parsed = parse(TEXT, source, field, template.id);
    } catch (error) {
      problems.push({ field, placeholder: "", message: (error as Error).message });
      continue;
    }
    for (const segments of TEXT.globalVariableSegmentsSync(parsed)) {
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
