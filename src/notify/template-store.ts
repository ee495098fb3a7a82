// User-authored templates: a saved version of a playbook template (same id) takes precedence over
// the playbook's text. Saving checks the Liquid syntax and every placeholder against each playbook
// that declares the template, so a template that would fail for a client is refused when written.
import type { Playbook } from "../playbook/schema.ts";
import { AppError } from "../store/index.ts";
import { listPlaybookVersions, loadPlaybookVersion, type PlaybookCache } from "../store/playbooks.ts";
import { fromDb } from "../store/time.ts";
import { type NotifyDb, storeView } from "./tables.ts";
import { checkTemplate, type MessageTemplate, type PlaceholderProblem } from "./templates.ts";

export interface TemplateView extends MessageTemplate {
  readonly title: string;
  /** The playbooks (latest published versions) that declare this template id. */
  readonly playbooks: readonly string[];
  /** Where the subject and body come from. */
  readonly source: "playbook" | "override";
  readonly updatedBy: string | undefined;
  readonly updatedAt: string | undefined;
}

export interface Override {
  readonly id: string;
  readonly kind: string;
  readonly subject: string | undefined;
  readonly body: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** The latest published version of every playbook. */
export async function latestPlaybooks(db: NotifyDb, cache: PlaybookCache): Promise<Playbook[]> {
  const latest = new Map<string, { id: string; version: string }>();
  for (const ref of await listPlaybookVersions(storeView(db))) latest.set(ref.id, ref);
  const out: Playbook[] = [];
  for (const ref of latest.values()) out.push((await loadPlaybookVersion(storeView(db), cache, ref)).model.playbook);
  return out;
}

export async function getOverride(db: NotifyDb, id: string): Promise<Override | undefined> {
  const row = await db.selectFrom("message_templates").selectAll().where("id", "=", id).executeTakeFirst();
  return row
    ? {
        id: row.id,
        kind: row.kind,
        subject: row.subject ?? undefined,
        body: row.body,
        updatedBy: row.updated_by,
        updatedAt: fromDb(row.updated_at),
      }
    : undefined;
}

/** The template a project's mail uses: the saved override, else the playbook's. */
export async function effectiveTemplate(
  db: NotifyDb,
  playbook: Playbook,
  id: string,
): Promise<(MessageTemplate & { title: string }) | undefined> {
  const declared = playbook.templates[id];
  const override = await getOverride(db, id);
  if (override) return { id, kind: override.kind, subject: override.subject, body: override.body, title: declared?.title ?? id };
  if (!declared) return undefined;
  return { id, kind: declared.kind, subject: declared.subject, body: declared.body ?? "", title: declared.title };
}

export async function listTemplates(db: NotifyDb, playbooks: readonly Playbook[]): Promise<TemplateView[]> {
  const byId = new Map<string, TemplateView>();
  for (const playbook of playbooks) {
    for (const [id, t] of Object.entries(playbook.templates)) {
      const known = byId.get(id);
      if (known) byId.set(id, { ...known, playbooks: [...known.playbooks, playbook.id] });
      else
        byId.set(id, {
          id,
          kind: t.kind,
          title: t.title,
          subject: t.subject,
          body: t.body ?? "",
          playbooks: [playbook.id],
          source: "playbook",
          updatedBy: undefined,
          updatedAt: undefined,
        });
    }
  }
  const overrides = await db.selectFrom("message_templates").selectAll().execute();
  for (const row of overrides) {
    const known = byId.get(row.id);
    byId.set(row.id, {
      id: row.id,
      kind: row.kind,
      title: known?.title ?? row.id,
      subject: row.subject ?? undefined,
      body: row.body,
      playbooks: known?.playbooks ?? [],
      source: "override",
      updatedBy: row.updated_by,
      updatedAt: fromDb(row.updated_at),
    });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export class TemplateRefused extends AppError {
  override readonly name = "TemplateRefused";
  readonly problems: readonly PlaceholderProblem[];

  constructor(id: string, problems: readonly PlaceholderProblem[]) {
    const first = problems[0];
    super("invalid", first ? first.message : `template ${id} is refused`, {
      field: first?.field ?? "body",
      ...(first?.placeholder ? { placeholder: first.placeholder } : {}),
    });
    this.problems = problems;
  }
}

/**
 * Save an override after checking it against every playbook declaring the template id; refused
 * (TemplateRefused, naming the field and placeholder) when it would not render for one of them.
 */
export async function saveOverride(
  db: NotifyDb,
  playbooks: readonly Playbook[],
  template: { readonly id: string; readonly kind?: string | undefined; readonly subject?: string | undefined; readonly body: string },
  by: string,
  now: string,
): Promise<Override> {
  const declaring = playbooks.filter((p) => p.templates[template.id] !== undefined);
  if (declaring.length === 0)
    throw new AppError("not_found", `no published playbook declares a template "${template.id}"`, { templateId: template.id });
  const problems = declaring.flatMap((p) => checkTemplate(template, p));
  if (problems.length > 0) throw new TemplateRefused(template.id, problems);
  const kind = template.kind ?? declaring[0]?.templates[template.id]?.kind ?? "email";
  const values = { kind, subject: template.subject ?? null, body: template.body, updated_by: by, updated_at: now };
  await db
    .insertInto("message_templates")
    .values({ id: template.id, ...values })
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
  return { id: template.id, kind, subject: template.subject, body: template.body, updatedBy: by, updatedAt: now };
}
