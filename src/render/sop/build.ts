// The SOP as one format-neutral document, built from a loaded playbook and an edition. Pure:
// the same playbook and edition always give the same document, whatever the format.
import type { PlaybookModel } from "../../playbook/model.ts";
import type { Block, SopDocument } from "../document.ts";
import { appendixBlocks, conditionBlocks, rolloutBlocks, templateBlocks } from "./appendices.ts";
import { BuildContext } from "./context.ts";
import {
  approvalSection,
  automationSection,
  complianceSection,
  deliverablesSection,
  exceptionSection,
  kpiSection,
  personalDataSection,
  qualitySection,
  referencesSection,
  retentionSection,
  revisionSection,
  riskSection,
  systemsSection,
  trainingSection,
} from "./controls.ts";
import { type Edition, genericEdition } from "./edition.ts";
import { frontSections, letterhead, titleBlocks } from "./front.ts";
import { jobAidBlocks } from "./job-aid.ts";
import { procedureSection } from "./procedure.ts";
import { processMapBlocks } from "./process-map.ts";
import { raciBlocks } from "./raci.ts";

export function buildSop(model: PlaybookModel, edition: Edition = genericEdition(model.playbook)): SopDocument {
  const ctx = new BuildContext(model, edition);
  const d = model.playbook.document;
  const blocks: Block[] = [
    ...titleBlocks(ctx),
    ...frontSections(ctx),
    ...procedureSection(ctx),
    ...deliverablesSection(ctx),
    ...trainingSection(ctx),
    ...qualitySection(ctx),
    ...complianceSection(ctx),
    ...retentionSection(ctx),
    ...personalDataSection(ctx),
    ...exceptionSection(ctx),
    ...automationSection(ctx),
    ...riskSection(ctx),
    ...kpiSection(ctx),
    ...systemsSection(ctx),
    ...referencesSection(ctx),
    ...revisionSection(ctx),
    ...approvalSection(ctx),
    { kind: "page-break" },
    { kind: "heading", level: 1, id: "supporting-materials", text: [{ kind: "text", text: "Supporting Materials" }] },
    ...raciBlocks(ctx),
    ...processMapBlocks(ctx),
    ...jobAidBlocks(ctx),
    ...rolloutBlocks(ctx),
    ...appendixBlocks(ctx),
    ...templateBlocks(ctx),
    // Last: every section before it may refer to a condition by its number.
    ...conditionBlocks(ctx),
  ];
  const head = letterhead(ctx);
  for (const name of ctx.fill.missing()) {
    ctx.note(
      "warning",
      "placeholder/missing",
      `parameter “${name}” has no value: it is printed as «${name}» (give it a default, or a value under params: in the --client file)`,
    );
  }
  const client = edition.client;
  return {
    title: ctx.fill.plain(d.title),
    documentId: ctx.fill.plain(d.id),
    version: ctx.fill.plain(d.version),
    classification: d.classification,
    owner: ctx.fill.plain(d.owner),
    ...(client ? { edition: `Client edition for ${client.name}` } : {}),
    ...(head ? { letterhead: head } : {}),
    blocks,
    findings: ctx.findings,
  };
}
