// Deadlines, windows and conditions in the words an SOP uses.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { parseDeadline, parseWindow } from "../../src/playbook/time-expressions.ts";
import { BuildContext } from "../../src/render/sop/context.ts";
import { genericEdition } from "../../src/render/sop/edition.ts";
import { conditionWords, deadlineWords, momentWords, windowWords, withoutLeadingNumber } from "../../src/render/sop/words.ts";
import { MINIMAL } from "../support/fixtures.ts";

const loaded = loadPlaybook("minimal.yaml", MINIMAL);
if (!loaded.model) throw new Error("the minimal fixture must load");
const ctx = new BuildContext(loaded.model, genericEdition(loaded.model.playbook));

function deadline(text: string) {
  const parsed = parseDeadline(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe("deadlines in words", () => {
  const cases: [string, string][] = [
    ["4 business hours", "within 4 business hours of assignment"],
    ["2 business days after start", "within 2 business days of the start"],
    ["24h after handoff", "within 24 hours of completing 6.1 (Sales hands over to Acme customer success)"],
    ["3 days before kickoff_call.started", "3 days before the start of 6.2 (Kickoff call)"],
    ["1 day before kickoff_call", "1 day before the completion of 6.2 (Kickoff call) (its deadline, until it is done)"],
    ["Day 60", "by Day 60"],
    ["Day 90 after go_live", "by Day 90 after go-live"],
    ["5 days after go_live", "within 5 days after go-live"],
    ["{{number_of_days}} business days", "within {{number_of_days}} business days of assignment"],
  ];
  for (const [input, words] of cases) {
    test(`"${input}"`, () => assert.equal(deadlineWords(deadline(input), ctx), words));
  }
  test("a moment, for openings and surveys", () => {
    assert.equal(momentWords(deadline("Day 30 after go_live"), ctx), "Day 30 after go-live");
    assert.equal(momentWords(deadline("1 business day after completion"), ctx), "1 business day after completion of the onboarding");
  });
});

describe("windows and conditions", () => {
  test("phase windows", () => {
    const w = (text: string) => {
      const parsed = parseWindow(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return windowWords(parsed.value, ctx);
    };
    assert.equal(w("Days 11-45"), "Days 11–45");
    assert.equal(w("Week 6"), "Week 6");
    assert.equal(w("Day 70+"), "Day 70 onwards");
    assert.equal(w("Days 0-90 after go_live"), "Days 0–90 after go-live");
  });
  test("conditions said with the facts' labels, or not at all", () => {
    const p = loaded.model?.playbook;
    if (!p) throw new Error("no playbook");
    assert.equal(conditionWords("facts.data_migration", p), "Data migration in scope");
    assert.equal(
      conditionWords("facts.user_count > 100 && !facts.data_migration", p),
      "Number of users > 100 and not Data migration in scope",
    );
    assert.equal(conditionWords('facts.user_count > 1 || event.kind == "delay"', p), "Number of users > 1 or event kind = “delay”");
    assert.equal(conditionWords("facts.list.exists(x, x > 2)", p), undefined);
    assert.equal(
      conditionWords("has(facts.user_count) && facts.user_count > 100", p),
      "Number of users is known and Number of users > 100",
    );
  });
  test("an author's own numbering is not printed twice", () => {
    assert.equal(withoutLeadingNumber("1.2. Handoff Meeting"), "Handoff Meeting");
    assert.equal(withoutLeadingNumber("Phase 1: Pre-Onboarding & Sales Handoff"), "Pre-Onboarding & Sales Handoff");
    assert.equal(withoutLeadingNumber("Appendix A: Onboarding checklist"), "Onboarding checklist");
    assert.equal(withoutLeadingNumber("2026 roadmap review"), "2026 roadmap review");
  });
});
