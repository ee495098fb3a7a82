// From the document model to a draft playbook: phases from headings, steps from numbered headings
// or numbered items, owners from "Owner:"/"Responsible:" lines and RACI tables, deadlines from
// "within N business days" and "Day N", decisions from IF/THEN, checklists, KPI tables and the
// document control table. Whatever is guessed or not understood becomes a finding.
import type { SopDocument, Table } from "./document.ts";
import { type DraftPhase, Findings, Roles } from "./draft-parts.ts";
import { type Definition, findRoleRows, readDefinitions, readDocumentControl, readPurpose, readRaci, readScope } from "./front-matter.ts";
import { labelled } from "./phrases.ts";
import { blocksOf, readProcedure } from "./procedure.ts";
import { bareTitle, descendants, sectionRole, sectionTree } from "./sections.ts";

export interface Extracted {
  readonly title: string;
  readonly control: ReturnType<typeof readDocumentControl>;
  readonly purpose?: string;
  readonly scope: string[];
  readonly definitions: Definition[];
  readonly phases: DraftPhase[];
  readonly roles: Roles;
  readonly kpiTables: Table[];
  readonly findings: Findings;
}

export function extract(document: SopDocument): Extracted {
  const findings = new Findings(document.unit);
  const roles = new Roles();
  const tree = sectionTree(document.blocks);
  // One H1 at the top is the document's title; its sub-sections are the document's sections
  // (An H1 that opens the document and has sections of its own is the title too, when later H1s
  // follow, as the renderer's "Supporting Materials".)
  const h1s = tree.children.filter((s) => s.heading?.level === 1);
  const first = tree.children[0];
  const opens = first?.heading?.level === 1 && tree.blocks.length === 0 && first.children.length > 0 ? first : undefined;
  const titled = h1s.length === 1 && h1s[0] ? h1s[0] : opens;
  const top = titled ? [...titled.children, ...tree.children.filter((s) => s !== titled)] : tree.children;
  const title = titled?.heading?.text ?? document.title ?? "";
  const all = [tree, ...descendants(tree)];

  const control = readDocumentControl(all, findings);
  for (const section of all) {
    if (section.heading && sectionRole(section) === "roles") {
      for (const row of findRoleRows(section)) {
        const id = roles.ensure(row.title, row.line, row.side);
        const role = [...roles.byTitle.values()].find((r) => r.id === id);
        if (role && row.responsibility) role.responsibilities.push(row.responsibility);
      }
    }
  }

  const phases: DraftPhase[] = readProcedure(top, roles, findings);

  const overview = all.find((s) => /^(overview|introduction|summary)$/i.test(bareTitle(s.heading?.text ?? "")));
  const purposeSection = all.find((s) => s.heading && sectionRole(s) === "purpose") ?? overview;
  if (purposeSection && purposeSection === overview && overview.heading)
    findings.add(
      overview.heading.line,
      "info",
      `the purpose is taken from the section "${overview.heading.text}"; check it says why the procedure exists`,
      "purpose",
    );
  const scopeSection = all.find((s) => s.heading && sectionRole(s) === "scope");
  const raciTables = all.filter((s) => s.heading && (sectionRole(s) === "raci" || sectionRole(s) === "roles")).flatMap((s) => blocksOf(s));
  readRaci(raciTables, phases, roles, findings);
  const kpiSections = all.filter((s) => s.heading && sectionRole(s) === "kpis");
  const kpiTables = kpiSections.flatMap((s) => s.blocks).filter((b): b is Table => b.kind === "table");
  // KPIs written as sub-headings with a "Goal: 14 days" line read as a table of their own.
  const goals = kpiSections
    .flatMap((s) => s.children)
    .flatMap((child): string[][] => {
      for (const block of child.blocks) {
        if (block.kind !== "paragraph") continue;
        const goal = labelled(block.text)?.find((p) => p.label === "goal" || p.label === "target");
        if (goal && child.heading) return [[child.heading.text, goal.value]];
      }
      return [];
    });
  // Sections the draft has no place for are named, so their content is not lost unnoticed.
  for (const section of top) {
    const readInside = [...descendants(section)].some((d) => !["other", "procedure", "contents"].includes(sectionRole(d)));
    if (section.heading && sectionRole(section) === "other" && section !== overview && !readInside)
      findings.add(
        section.heading.line,
        "info",
        `the section "${section.heading.text}" is not read into the draft; copy what it says where it belongs`,
      );
  }
  if (goals.length > 0) kpiTables.push({ kind: "table", rows: [["KPI", "Target"], ...goals], line: kpiSections[0]?.heading?.line ?? 1 });
  return {
    title,
    control,
    ...(purposeSection ? { purpose: readPurpose(purposeSection) } : {}),
    scope: scopeSection ? readScope(scopeSection) : [],
    definitions: all.filter((s) => s.heading && sectionRole(s) === "definitions").flatMap(readDefinitions),
    phases,
    roles,
    kpiTables,
    findings,
  };
}
