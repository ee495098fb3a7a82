// Authoring: `sop new` drafts that lint clean from every built-in template with every choice of
// compliance, and `diff` between two versions with its revision-history entry; both also through
// the real `onboard` command in a child process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { lintLoaded } from "../../src/lint/lint.ts";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { diffPlaybooks, diffText, revisionChanges, revisionEntryYaml } from "../../src/render/diff.ts";
import { FRAMEWORKS, type Framework, newPlaybook } from "../../src/render/new-playbook.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";
import { builtInPlaybooks } from "./support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const playbooks = await builtInPlaybooks();

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "onboard.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function model(text: string) {
  const loaded = loadPlaybook("playbook.yaml", text);
  if (!loaded.model) throw new Error(loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join("\n"));
  return loaded.model;
}

describe("sop new", () => {
  const choices: Framework[][] = [[], ["soc2"], ["hipaa"], ["gdpr"], [...FRAMEWORKS]];
  // `sop new` offers the five seed playbooks as templates (src/cli/commands/sop-new.ts), not the
  // three real procedures, which are faithful encodings without the deadlines a template carries.
  const templates = playbooks.filter((p) => !["fin-proc-001.yaml", "gitlab-tam-onboarding.yaml", "op-proc-007.yaml"].includes(p.file));
  for (const { file, model: m } of templates) {
    test(`from ${file}: every compliance choice lints without errors, and without warnings of its own`, () => {
      const template = parse(readFileSync(join(ROOT, "playbooks", file), "utf8")) as Record<string, unknown>;
      const templateWarnings = lintLoaded(loadPlaybook(file, readFileSync(join(ROOT, "playbooks", file), "utf8"))).diagnostics.filter(
        (d) => d.severity === "warning",
      ).length;
      for (const compliance of choices) {
        const yaml = newPlaybook(template, m, { name: "Partner Onboarding", effective: "2026-06-01", compliance });
        const loaded = loadPlaybook("new.yaml", yaml);
        const findings = lintLoaded(loaded).diagnostics;
        assert.deepEqual(
          findings.filter((d) => d.severity === "error").map((d) => `${d.line}: ${d.message}`),
          [],
          `${file} with ${compliance.join(",") || "none"}`,
        );
        assert.ok(findings.filter((d) => d.severity === "warning").length <= templateWarnings, `${file}: no new warnings`);
        const p = loaded.playbook;
        assert.ok(p);
        assert.equal(p.document.title, "Partner Onboarding");
        assert.equal(p.document.status, "draft");
        assert.deepEqual(
          [...new Set(p.compliance.map((c) => c.framework).filter((f) => (FRAMEWORKS as readonly string[]).includes(f)))].sort(),
          [...compliance].sort(),
        );
      }
    });
  }

  test("renames roles and phases, drops and adds phases, sets KPIs", () => {
    const sop = playbooks.find((p) => p.file === "sop-cs-001.yaml");
    assert.ok(sop);
    const template = parse(readFileSync(join(ROOT, "playbooks", "sop-cs-001.yaml"), "utf8")) as Record<string, unknown>;
    const yaml = newPlaybook(template, sop.model, {
      name: "Enterprise Onboarding",
      effective: "2026-06-01",
      roleTitles: { customer_success_manager: "Onboarding Lead" },
      phases: [undefined, { title: "Kickoff" }, undefined, undefined, undefined, "drop"],
      extraPhases: [{ title: "Hypercare", window: "Days 71-90", owner: "customer_success_manager" }],
      compliance: ["soc2", "hipaa"],
      kpis: [{ metric: "time_to_go_live", target: "<= 45 days" }],
    });
    const loaded = loadPlaybook("new.yaml", yaml);
    assert.deepEqual(
      lintLoaded(loaded).diagnostics.filter((d) => d.severity !== "info"),
      [],
    );
    const p = loaded.playbook;
    assert.ok(p);
    assert.equal(p.roles.customer_success_manager?.title, "Onboarding Lead");
    assert.deepEqual(
      p.phases.map((x) => x.title),
      ["Handoff and Assignment", "Kickoff", "Implementation", "Training and Enablement", "Go-Live and Transition", "Hypercare"],
    );
    assert.deepEqual(
      p.kpis.map((k) => `${k.metric} ${k.target}`),
      ["time_to_go_live <= 45 days"],
    );
    assert.ok(p.compliance.some((c) => c.framework === "hipaa") && p.facts.hipaa_required);
  });

  test("the command writes a draft that lints clean, without asking when told not to", () => {
    const out = join(mkdtempSync(join(tmpdir(), "onboard-new-")), "partner.yaml");
    const made = onboard(
      "sop",
      "new",
      "--yes",
      "--template",
      "ops-sop-020",
      "--name",
      "Partner Onboarding",
      "--compliance",
      "gdpr",
      "--kpi",
      "nps > 50 quarterly",
      "-o",
      out,
    );
    assert.equal(made.code, 0, made.err);
    assert.match(made.out, /wrote .*partner\.yaml: .* 0 errors/);
    const lint = onboard("lint", out);
    assert.equal(lint.code, 0, lint.out);
    assert.match(lint.out, /0 errors, 0 warnings/);
    const bad = onboard("sop", "new", "--yes", "--compliance", "sox", "-o", out);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /"sox" is not one of soc2, hipaa, gdpr, none/);
  });
});

describe("diff", () => {
  const v1 = MINIMAL;
  const v2 = edited(
    [
      [["document", "version"], "1.2"],
      [["document", "effective"], "2026-03-01"],
      [["phases", 0, "steps", 1, "owner"], "ae"],
      [["phases", 0, "steps", 1, "due"], "5 business days"],
      [
        ["phases", 0, "steps", 1, "gate", "approvers"],
        ["client_primary", "csm"],
      ],
      [["phases", 1, "steps", 0], undefined],
      [["phases", 1, "steps", 2, "title"], "Go live in production"],
    ],
    MINIMAL,
  ).replace(
    "      - id: go_live\n",
    "      - id: hypercare_call\n        title: Hypercare call\n        owner: csm\n        due: Day 44\n        expected_result: Open issues reviewed.\n      - id: go_live\n",
  );

  test("lists added, removed and changed steps, owners, deadlines and gates", () => {
    const diff = diffPlaybooks(model(v1), model(v2));
    assert.deepEqual(
      diff.addedSteps.map((s) => s.id),
      ["hypercare_call"],
    );
    assert.deepEqual(
      diff.removedSteps.map((s) => s.id),
      ["migrate"],
    );
    const kickoff = diff.changedSteps.find((s) => s.id === "kickoff_call");
    assert.deepEqual(
      kickoff?.changes.map((c) => c.field),
      ["owner", "deadline", "checkpoint"],
    );
    assert.deepEqual(
      kickoff?.changes.slice(0, 2).map((c) => `${c.before} → ${c.after}`),
      ["Customer Success Manager → Account Executive", "within 3 business days of assignment → within 5 business days of assignment"],
    );
    assert.match(kickoff?.changes[2]?.after ?? "", /signed off by Client primary contact, Customer Success Manager/);
    assert.ok(diff.changedSteps.some((s) => s.id === "go_live" && s.changes.some((c) => c.field === "title")));
  });

  test("renders a revision-history entry", () => {
    const diff = diffPlaybooks(model(v1), model(v2));
    const entry = parse(revisionEntryYaml(diff, "Jane Doe")) as { version: string; date: string; author: string; changes: string }[];
    assert.equal(entry[0]?.version, "1.2");
    assert.equal(entry[0]?.date, "2026-03-01");
    assert.equal(entry[0]?.author, "Jane Doe");
    assert.match(revisionChanges(diff), /^Added 6\.\d+ Hypercare call\. Removed 6\.3 Migrate data\./);
    assert.match(
      revisionChanges(diff),
      /Kickoff call: owner Customer Success Manager → Account Executive; deadline within 3 business days/,
    );
    assert.match(diffText(diff), /Steps added \(1\)\n {2}\+ 6\.\d+ Hypercare call — Customer Success Manager, by Day 44/);
  });

  test("the command exits 1 on differences and 0 on none", () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-diff-"));
    const a = join(dir, "v1.yaml");
    const b = join(dir, "v2.yaml");
    spawnSync("cp", [join(ROOT, "test/fixtures/minimal.yaml"), a]);
    writeFileSync(b, v2);
    const changed = onboard("diff", a, b);
    assert.equal(changed.code, 1, changed.err);
    assert.match(changed.out, /Revision history entry/);
    const same = onboard("diff", a, a);
    assert.equal(same.code, 0);
    assert.match(same.out, /No differences/);
  });
});
