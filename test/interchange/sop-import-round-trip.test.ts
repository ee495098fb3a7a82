// Round trip: every built-in playbook rendered to Markdown and to Word by the real renderers, then
// imported back. "Same" means, compared with the loaded original:
// - steps: the titles of the SOP's numbered steps in document order, as the SOP prints them (an
//   author's own leading number, "1.2 Handoff", is not printed); a procedure call is one step
//   titled as the call; each procedure's own steps follow, after the phases, as a phase of their
//   own; cadences are not steps. From Word also the ids, which the renderer writes as bookmarks,
//   where Word's 40-character limit on bookmark names keeps them whole;
// - owners: every step's owner role has the same title (calls have no owner of their own);
// - deadlines: every step's due has the same kind, amount, unit, business-ness and direction, and
//   an anchor of the same kind (a step anchor: the same step's title; a date: the same label);
//   every phase window has the same bounds and anchor kind.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { describe, test } from "node:test";
import { importSop } from "../../src/interchange/sop-import/index.ts";
import { lintLoaded } from "../../src/lint/lint.ts";
import { loadPlaybook, loadPlaybookFile } from "../../src/playbook/load.ts";
import type { Playbook } from "../../src/playbook/schema.ts";
import { type Anchor, parseDeadline, parseWindow } from "../../src/playbook/time-expressions.ts";
import { renderPlaybook } from "../../src/render/render.ts";
import { withoutLeadingNumber } from "../../src/render/sop/words.ts";

interface Seen {
  readonly title: string;
  readonly id?: string;
  readonly owner?: string;
  readonly due?: string;
}

function anchorKey(anchor: Anchor, stepTitle: (id: string) => string, dateLabel: (anchor: Anchor) => string): string {
  switch (anchor.kind) {
    case "step":
      return `step:${withoutLeadingNumber(stepTitle(anchor.step))}:${anchor.point}`;
    case "fact":
    case "form":
      return `date:${dateLabel(anchor).toLowerCase()}`;
    default:
      return anchor.kind;
  }
}

/** The SOP's numbered steps of a playbook, as the comparison sees them. */
function stepsOf(playbook: Playbook): Seen[][] {
  const stepTitle = (id: string) => playbook.phases.flatMap((p) => p.steps).find((s) => s.id === id)?.title ?? id;
  const dateLabel = (anchor: Anchor): string => {
    if (anchor.kind === "fact") return playbook.facts[anchor.fact]?.label ?? anchor.fact;
    if (anchor.kind === "form") return playbook.forms[anchor.form]?.fields[anchor.field]?.label ?? anchor.field;
    return "";
  };
  const dueKey = (due: string | undefined): string | undefined => {
    if (due === undefined) return undefined;
    const parsed = parseDeadline(due);
    assert.ok(parsed.ok, due);
    const d = parsed.value;
    const anchor = anchorKey(d.anchor, stepTitle, dateLabel);
    if (d.kind === "day") return `day ${d.day} ${anchor}`;
    // A {{parameter}} is printed as its default.
    const amount = d.duration.amount.kind === "literal" ? d.duration.amount.value : playbook.parameters[d.duration.amount.name]?.default;
    return `${amount} ${d.duration.business ? "business " : ""}${d.duration.unit} ${d.direction} ${anchor}`;
  };
  const role = (id: string) => playbook.roles[id]?.title ?? id;
  const phases: Seen[][] = playbook.phases.map((phase) => {
    const seen: Seen[] = [];
    const callsDone = new Set<string>();
    for (const step of phase.steps) {
      const call = playbook.calls.find((c) => c.phase === phase.id && c.steps.includes(step.id));
      if (call) {
        if (!callsDone.has(call.id)) seen.push({ title: call.title, id: call.id });
        callsDone.add(call.id);
        continue;
      }
      seen.push({ title: step.title, id: step.id, owner: role(step.owner), due: dueKey(step.due?.text) });
    }
    return seen;
  });
  for (const procedure of playbook.procedures) {
    phases.push(
      procedure.steps.map((step) =>
        "call" in step ? { title: step.title ?? step.call } : { title: step.title, owner: role(step.owner), due: dueKey(step.due?.text) },
      ),
    );
  }
  return phases;
}

function windowsOf(playbook: Playbook): (string | undefined)[] {
  return playbook.phases.map((phase) => {
    if (!phase.window) return undefined;
    const w = parseWindow(phase.window.text);
    assert.ok(w.ok);
    return `${w.value.from.unit} ${w.value.from.n}-${w.value.to?.n ?? "+"} ${w.value.anchor.kind}`;
  });
}

const names = (await readdir(new URL("../../playbooks/", import.meta.url))).filter((n) => n.endsWith(".yaml")).sort();

describe("a built-in playbook rendered and imported back", () => {
  for (const name of names) {
    for (const format of ["md", "docx"] as const) {
      test(`${name} through ${format === "md" ? "Markdown" : "Word"}`, async () => {
        const loaded = await loadPlaybookFile(new URL(`../../playbooks/${name}`, import.meta.url));
        assert.ok(loaded.model && loaded.playbook);
        const rendered = await renderPlaybook(loaded.model, format);
        const bytes = typeof rendered.output === "string" ? new TextEncoder().encode(rendered.output) : rendered.output;
        const draft = await importSop(name.replace(".yaml", `.${format}`), bytes, { today: "2026-12-07" });
        const back = loadPlaybook("draft.yaml", draft.yaml);
        assert.ok(back.playbook, back.diagnostics.map((d) => `${d.line}: ${d.message}`).join("\n"));
        const errors = lintLoaded(back, { profile: "draft" }).diagnostics.filter((d) => d.severity === "error");
        assert.deepEqual(
          errors.map((d) => `${d.rule}: ${d.message}`),
          [],
        );

        const original = stepsOf(loaded.playbook);
        const imported = stepsOf(back.playbook);
        const titles = (phases: Seen[][]) => phases.map((p) => p.map((s) => withoutLeadingNumber(s.title)));
        assert.deepEqual(titles(imported), titles(original), "the same steps in the same order");
        const flat = (phases: Seen[][]) => phases.flat();
        for (const [i, want] of flat(original).entries()) {
          const got = flat(imported)[i];
          assert.ok(got);
          if (format === "docx" && want.owner !== undefined && want.id !== undefined && want.id.length <= 32)
            assert.equal(got.id, want.id, `the id of "${want.title}"`);
          if (want.owner !== undefined) assert.equal(got.owner, want.owner, `the owner of "${want.title}"`);
          assert.equal(got.due, want.due, `the deadline of "${want.title}"`);
        }
        assert.deepEqual(
          windowsOf(back.playbook),
          windowsOf(loaded.playbook).concat(loaded.playbook.procedures.map(() => undefined)),
          "the same phase windows",
        );
      });
    }
  }
});
