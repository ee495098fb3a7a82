import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { parse as parseYaml } from "yaml";
import { lintLoaded } from "../../lint/lint.ts";
import { formatDiagnostic } from "../../playbook/diagnostics.ts";
import { loadPlaybook } from "../../playbook/load.ts";
import { KPI_FREQUENCIES, KPI_METRICS, type Kpi } from "../../playbook/schema.ts";
import { PLAYBOOKS_DIR } from "../../render/built-in.ts";
import { FRAMEWORKS, type Framework, type NewPlaybookAnswers, newPlaybook, snakeCase } from "../../render/new-playbook.ts";
import { type Command, type Io, UsageError } from "../args.ts";

const TEMPLATES = ["sop-cs-001", "ops-sop-020", "onb-001", "customer-onboarding-gdpr", "ops-client-onboarding-template"];

const USAGE = `Usage: onboard sop new [options]

Drafts a new playbook from one of the built-in playbooks, asking for what it needs: the process
name, the roles' titles, the phases (rename, re-window, drop, add), the compliance it must meet
(SOC 2, HIPAA, GDPR) and the KPIs. Every question has a default: press Enter to keep it. With
--yes (or without a terminal) nothing is asked and the flags and defaults are used. The playbook
is linted before it is written; one with errors is not written.

Options:
  -t, --template ID      ${TEMPLATES.join(", ")} (default sop-cs-001)
  -n, --name TEXT        process name, the SOP's title
      --id TEXT          document id (default SOP-<NAME>)
      --owner TEXT       document owner (the process owner's function)
      --effective DATE   effective date YYYY-MM-DD (default today; review a year later)
      --role ID=TITLE    rename a template role (repeatable), e.g. --role csm="Onboarding Lead"
      --phase N=SPEC     change template phase N (1-based): "Title@Window", "Title", "@Window" or "drop" (repeatable)
      --add-phase SPEC   add a phase "Title@Window@owner_role" after the template's (repeatable)
      --compliance LIST  frameworks to meet: ${FRAMEWORKS.join(", ")} or none, comma separated (default: the template's)
      --kpi SPEC         "metric target[ frequency]", e.g. "time_to_go_live <= 45 days" (repeatable; replaces the template's)
  -o, --output FILE      where to write (default <id>.yaml)
  -y, --yes              ask nothing
  -h, --help             show this help

Exit codes: 0 written, 1 the draft does not lint clean, 2 usage error.`;

const METRICS: readonly Kpi["metric"][] = KPI_METRICS;
const FREQUENCIES: readonly Kpi["frequency"][] = KPI_FREQUENCIES;

function list(value: string | boolean | undefined | string[]): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === "string" ? [value] : [];
}

function parseKpi(spec: string): NonNullable<NewPlaybookAnswers["kpis"]>[number] {
  const match = /^([a-z_]+)\s+(.+?)(?:\s+(per_project|per_interaction|daily|weekly|monthly|quarterly|annually))?$/.exec(spec.trim());
  const metric = match?.[1] as Kpi["metric"] | undefined;
  if (!match || !metric || !METRICS.includes(metric)) {
    throw new UsageError(`--kpi "${spec}": write "metric target [frequency]" with a metric among ${METRICS.join(", ")}`);
  }
  const frequency = match[3] as Kpi["frequency"] | undefined;
  return { metric, target: match[2] ?? "", ...(frequency && FREQUENCIES.includes(frequency) ? { frequency } : {}) };
}

function parsePhase(spec: string): { title?: string; window?: string } | "drop" {
  if (spec.trim().toLowerCase() === "drop") return "drop";
  const [title, window] = spec.split("@").map((s) => s.trim());
  return { ...(title ? { title } : {}), ...(window ? { window } : {}) };
}

function parseCompliance(value: string): Framework[] {
  const items = value
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase().replace(/[\s-]/g, ""))
    .filter(Boolean);
  if (items.length === 1 && items[0] === "none") return [];
  for (const item of items)
    if (!(FRAMEWORKS as readonly string[]).includes(item))
      throw new UsageError(`--compliance: "${item}" is not one of ${FRAMEWORKS.join(", ")}, none`);
  return items as Framework[];
}

interface Asker {
  ask(question: string, fallback: string): Promise<string>;
  close(): void;
}

function asker(io: Io, interactive: boolean): Asker {
  if (!interactive) return { ask: async (_q, fallback) => fallback, close: () => {} };
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return {
    ask: async (question, fallback) => {
      const answer = (await rl.question(`${question}${fallback ? ` [${fallback}]` : ""}: `)).trim();
      return answer === "" ? fallback : answer;
    },
    close: () => {
      rl.close();
      io.err("");
    },
  };
}

export const sopNewCommand: Command = {
  name: "sop",
  summary: "draft a new playbook (sop new) from a built-in one",
  usage: USAGE,
  options: {
    template: { type: "string", short: "t" },
    name: { type: "string", short: "n" },
    id: { type: "string" },
    owner: { type: "string" },
    effective: { type: "string" },
    role: { type: "string", multiple: true },
    phase: { type: "string", multiple: true },
    "add-phase": { type: "string", multiple: true },
    compliance: { type: "string" },
    kpi: { type: "string", multiple: true },
    output: { type: "string", short: "o" },
    yes: { type: "boolean", short: "y" },
  },
  async run(values, positionals, io) {
    if (positionals[0] !== "new" || positionals.length > 1) throw new UsageError(`the sop command has one subcommand: new\n\n${USAGE}`);
    const v = values as Record<string, string | boolean | string[] | undefined>;
    const interactive = v.yes !== true && process.stdin.isTTY === true;
    const q = asker(io, interactive);
    try {
      const templateName = (
        await q.ask(`Template (${TEMPLATES.join(", ")})`, typeof v.template === "string" ? v.template : "sop-cs-001")
      ).replace(/\.ya?ml$/, "");
      if (!TEMPLATES.includes(templateName)) throw new UsageError(`--template must be one of ${TEMPLATES.join(", ")}`);
      const text = await readFile(join(PLAYBOOKS_DIR, `${templateName}.yaml`), "utf8");
      const loaded = loadPlaybook(`${templateName}.yaml`, text);
      if (!loaded.model) throw new Error(`the built-in template ${templateName} does not load`);
      const template = parseYaml(text) as Record<string, unknown>;
      const p = loaded.model.playbook;

      const name = await q.ask("Process name (the SOP's title)", typeof v.name === "string" ? v.name : p.document.title);
      const documentId = await q.ask(
        "Document id",
        typeof v.id === "string" ? v.id : `SOP-${snakeCase(name).toUpperCase().replace(/_/g, "-").slice(0, 24)}`,
      );
      const owner = await q.ask("Document owner", typeof v.owner === "string" ? v.owner : p.document.owner);
      const effective = await q.ask(
        "Effective date",
        typeof v.effective === "string" ? v.effective : new Date().toISOString().slice(0, 10),
      );
      if (!/^\d{4}-\d{2}-\d{2}$/.test(effective)) throw new UsageError(`the effective date is written YYYY-MM-DD, not "${effective}"`);

      const roleTitles: Record<string, string> = {};
      for (const spec of list(v.role)) {
        const [id, ...title] = spec.split("=");
        if (!id || title.length === 0) throw new UsageError(`--role "${spec}": write id=Title`);
        roleTitles[id.trim()] = title.join("=").trim();
      }
      if (interactive) {
        io.err("Roles and teams (Enter keeps the title):");
        for (const [id, role] of Object.entries(p.roles)) {
          const title = await q.ask(`  ${id} (${role.side})`, roleTitles[id] ?? role.title);
          if (title !== role.title) roleTitles[id] = title;
        }
      }

      const phases: NonNullable<NewPlaybookAnswers["phases"]>[number][] = p.phases.map(() => undefined);
      for (const spec of list(v.phase)) {
        const [n, ...rest] = spec.split("=");
        const index = Number(n) - 1;
        if (!Number.isInteger(index) || index < 0 || index >= p.phases.length)
          throw new UsageError(`--phase "${spec}": N is 1 to ${p.phases.length}`);
        phases[index] = parsePhase(rest.join("="));
      }
      if (interactive) {
        io.err('Phases (Enter keeps it; write "Title@Window" to change it or "drop" to leave it out):');
        for (const [i, phase] of p.phases.entries()) {
          const answer = await q.ask(`  ${i + 1}. ${phase.title} @ ${phase.window?.text ?? ""}`, "");
          if (answer !== "") phases[i] = parsePhase(answer);
        }
      }
      const extraPhases = list(v["add-phase"]).map((spec) => {
        const [title, window, role] = spec.split("@").map((s) => s.trim());
        if (!title || !window || !role) throw new UsageError(`--add-phase "${spec}": write "Title@Window@owner_role"`);
        return { title, window, owner: role };
      });
      if (interactive) {
        for (;;) {
          const answer = await q.ask("Add a phase after them (Title@Window@owner_role; Enter for none)", "");
          if (answer === "") break;
          const [title, window, role] = answer.split("@").map((s) => s.trim());
          if (title && window && role) extraPhases.push({ title, window, owner: role });
          else io.err('  write "Title@Window@owner_role", e.g. "Hypercare@Days 61-90@customer_success_manager"');
        }
      }

      const templateFrameworks = p.compliance
        .map((a) => a.framework)
        .filter((f): f is Framework => (FRAMEWORKS as readonly string[]).includes(f));
      let compliance: Framework[] | undefined;
      while (compliance === undefined) {
        const answer = await q.ask(
          `Compliance to meet (${FRAMEWORKS.join(", ")}, none)`,
          typeof v.compliance === "string" ? v.compliance : templateFrameworks.join(",") || "none",
        );
        try {
          compliance = parseCompliance(answer);
        } catch (error) {
          if (!interactive) throw error;
          io.err(`  ${error instanceof Error ? error.message : String(error)}`);
        }
      }

      const kpis = list(v.kpi).map(parseKpi);
      if (interactive) {
        io.err(`KPIs: ${p.kpis.map((k) => `${k.metric} ${k.target ?? "(no target)"}`).join("; ")}`);
        for (;;) {
          const answer = await q.ask('  Replace with (e.g. "time_to_go_live <= 45 days"; Enter when done)', "");
          if (answer === "") break;
          try {
            kpis.push(parseKpi(answer));
          } catch (error) {
            io.err(`  ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
      const answers: NewPlaybookAnswers = {
        name,
        documentId,
        owner,
        effective,
        roleTitles,
        phases,
        extraPhases,
        compliance,
        ...(kpis.length > 0 ? { kpis } : {}),
      };
      let yaml: string;
      try {
        yaml = newPlaybook(template, loaded.model, answers);
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      const output = await q.ask("Write to", typeof v.output === "string" ? v.output : `${snakeCase(name)}.yaml`);
      const report = lintLoaded(loadPlaybook(output, yaml));
      const problems = report.diagnostics.filter((d) => d.severity !== "info");
      if (problems.some((d) => d.severity === "error")) {
        for (const d of problems) io.err(formatDiagnostic(d));
        io.err(
          "the draft does not lint clean, so it was not written: change the answers above (a phase window that no longer fits its deadlines, for example)",
        );
        return 1;
      }
      await writeFile(output, yaml);
      for (const d of problems) io.err(formatDiagnostic(d));
      io.out(
        `wrote ${output}: ${p.phases.length} template phases, ${report.diagnostics.filter((d) => d.severity === "warning").length} warnings, 0 errors`,
      );
      return 0;
    } finally {
      q.close();
    }
  },
};
