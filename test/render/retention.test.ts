// Record retention a procedure prescribes (issue 22, item 11): declared once, printed in the SOP,
// and turned into a disposal date from the end of the business relationship.
import assert from "node:assert/strict";
import { test } from "node:test";
import { disposalDate, parseRetentionPeriod } from "../../src/playbook/retention.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

test("a retention rule is printed in the SOP's Records and Retention section", () => {
  const source = edited([
    [
      ["retention"],
      [
        {
          keep: "7 years",
          after: "relationship_end",
          records: ["Identification documents", "Due-diligence records"],
          basis: "AML record keeping (Directive (EU) 2015/849, Art. 40)",
        },
        { keep: "18 months", after: "project_closed", at_end: "review" },
      ],
    ],
  ]);
  const md = writeMarkdown(buildSop(modelOf(source)));
  assert.match(md, /## \d+\. Records and Retention/);
  assert.match(
    md,
    /\| Identification documents; Due-diligence records \| 7 years after the business relationship with the client ends \| Personal data erased; the non-personal history is kept \| AML record keeping/,
  );
  assert.match(md, /\| All records of the onboarding \| 18 months after the project is closed \| Reviewed for disposal \| — \|/);
});

test("a period that is not one is refused with the fix", () => {
  assert.throws(
    () => modelOf(edited([[["retention"], [{ keep: "forever", after: "relationship_end" }]]])),
    /not a retention period[\s\S]*7 years/,
  );
});

test("the disposal date counts calendar years from the relationship's end; none while it lasts", () => {
  const period = parseRetentionPeriod("7 years");
  assert.ok(period.ok);
  assert.equal(disposalDate(period.value, "2026-03-31"), "2033-03-31");
  assert.equal(disposalDate(period.value, "2028-02-29"), "2035-02-28");
  assert.equal(disposalDate(period.value, undefined), undefined);
  const months = parseRetentionPeriod("18 months");
  assert.ok(months.ok && disposalDate(months.value, "2026-08-31T10:00:00Z") === "2028-02-29");
});
