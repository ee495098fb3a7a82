// Sub-procedures with return (issue 15 item 5): a named block of steps carried out from several
// places, expanded at load into ordinary steps that return to each caller; shared between
// playbooks through a versioned include that publishing freezes into the playbook.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { bundleIncludes } from "../../src/playbook/include.ts";
import { loadPlaybook, loadPlaybookFile } from "../../src/playbook/load.ts";
import { readPlaybook } from "../../src/web/lib/playbook.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited, errors, lineOf, lint, load } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const csm = person("csm");
const at = (day: number) => new Date(Date.parse(START) + day * 86_400_000).toISOString();
const SHARED = readFileSync(new URL("../fixtures/procedures/kyc_procedures.yaml", import.meta.url), "utf8");

const step = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Step ${id}`,
  owner: "csm",
  expected_result: `${id} done.`,
  ...extra,
});

const EDD = {
  id: "enhanced_due_diligence",
  title: "Enhanced due diligence",
  section: "4.3",
  forms: {
    edd: {
      title: "EDD findings",
      fields: {
        source_of_funds: { label: "Source of funds", type: "string", required: true },
        verified: { label: "Source of funds verified", type: "bool" },
      },
    },
  },
  steps: [
    step("gather", { title: "Collect source of funds evidence", form: "edd" }),
    { id: "screen", call: "screening" },
    step("assess", {
      title: "Assess the EDD findings",
      decision: {
        question: "Is the source of funds verified?",
        branches: [
          { label: "Approved", when: "forms.edd.verified", next: "continue" },
          { label: "More information", otherwise: true, next: "request_more" },
        ],
      },
    }),
    step("request_more", { title: "Ask the customer for more evidence", form: "edd", on_demand: true, next: "assess" }),
  ],
};
const SCREENING = { id: "screening", title: "Screening", steps: [step("run_screening", { title: "Screen against sanctions lists" })] };

/** Two paths carry out enhanced due diligence; the final decision reads both calls' outcomes. */
const BOTH_APPROVED = 'calls.edd_high_risk.outcome == "Approved" && calls.edd_pep.outcome == "Approved"';
function kyc(procedures: unknown[] = [EDD, SCREENING], extra: [(string | number)[], unknown][] = [], activateWhen = BOTH_APPROVED): string {
  return edited([
    [["procedures"], procedures],
    [
      ["phases"],
      [
        {
          id: "review",
          title: "Review",
          window: "Days 1-30",
          steps: [
            step("intake"),
            { id: "edd_high_risk", call: "enhanced_due_diligence", title: "EDD for a high risk rating" },
            step("review_a"),
            { id: "edd_pep", call: "enhanced_due_diligence", title: "EDD for a politically exposed person" },
          ],
        },
        {
          id: "decision",
          title: "Decision",
          window: "Days 31-40",
          steps: [
            step("final", {
              decision: {
                question: "Did both EDD reviews approve?",
                branches: [
                  {
                    label: "Activate",
                    when: activateWhen,
                    next: "continue",
                  },
                  { label: "Reject", otherwise: true, next: "end" },
                ],
              },
            }),
            step("activate", { completes_project: true }),
          ],
        },
      ],
    ],
    ...extra,
  ]);
}

describe("procedures expand into ordinary steps", () => {
  test("each call gets its own steps, wired from its caller and back to what follows it", () => {
    const model = modelOf(kyc());
    const ids = model.order.map((e) => e.step.id);
    assert.deepEqual(ids, [
      "intake",
      "edd_high_risk.gather",
      "edd_high_risk.screen.run_screening",
      "edd_high_risk.assess",
      "edd_high_risk.request_more",
      "review_a",
      "edd_pep.gather",
      "edd_pep.screen.run_screening",
      "edd_pep.assess",
      "edd_pep.request_more",
      "final",
      "activate",
    ]);
    const after = (id: string) => model.steps.get(id)?.after;
    assert.deepEqual(after("edd_high_risk.gather"), ["intake"]);
    assert.deepEqual(after("edd_high_risk.screen.run_screening"), ["edd_high_risk.gather"]);
    assert.deepEqual(after("edd_high_risk.assess"), ["edd_high_risk.screen.run_screening"]);
    assert.deepEqual(after("review_a"), ["edd_high_risk.assess"]);
    assert.deepEqual(after("edd_pep.gather"), ["review_a"]);
    // Across a phase boundary too: the next phase's first step waits for the call's last step.
    assert.deepEqual(after("final"), ["edd_pep.assess"]);
    // A branch back to a block step stays inside that call.
    const branches = model.steps.get("edd_pep.assess")?.step.decision?.branches;
    assert.equal(branches?.[1]?.next, "edd_pep.request_more");
    assert.equal(model.steps.get("edd_pep.request_more")?.step.next, "edd_pep.assess");
    // Forms are per call, and the block's conditions read the call's own form.
    assert.equal(model.steps.get("edd_pep.gather")?.step.form, "edd_pep__edd");
    assert.equal(branches?.[0]?.when, "forms.edd_pep__edd.verified");
    assert.ok(model.playbook.forms.edd_high_risk__edd);
    // Titles say which call a step belongs to.
    assert.equal(model.steps.get("edd_pep.gather")?.step.title, "EDD for a politically exposed person: Collect source of funds evidence");
    const calls = model.playbook.calls.map((c) => [c.id, c.key, c.parent ?? "", c.outcome ?? ""]);
    assert.deepEqual(calls, [
      ["edd_high_risk.screen", "edd_high_risk__screen", "edd_high_risk", ""],
      ["edd_high_risk", "edd_high_risk", "", "edd_high_risk.assess"],
      ["edd_pep.screen", "edd_pep__screen", "edd_pep", ""],
      ["edd_pep", "edd_pep", "", "edd_pep.assess"],
    ]);
  });

  test("a call's condition applies to every step of its block", () => {
    const text = kyc(undefined, [[["phases", 0, "steps", 1, "when"], "facts.user_count > 100"]]);
    const model = modelOf(text);
    assert.equal(model.steps.get("edd_high_risk.gather")?.step.when, "facts.user_count > 100");
    assert.equal(model.steps.get("edd_pep.gather")?.step.when, undefined);
  });

  test("a playbook without procedures loads exactly as before", () => {
    const plain = modelOf(edited([]));
    assert.deepEqual(plain.playbook.calls, []);
    assert.deepEqual(
      plain.order.map((e) => e.path),
      plain.order.map((_, i) => ["phases", i < 2 ? 0 : 1, "steps", i < 2 ? i : i - 2]),
    );
  });

  test("a problem inside a block is reported where the block's step is written", () => {
    const broken = { ...SCREENING, steps: [step("run_screening", { owner: "cms" })] };
    const text = kyc([EDD, broken]);
    const found = errors(load(text).diagnostics);
    assert.ok(found.length > 0);
    assert.ok(found.every((d) => d.rule === "ref/unknown-role"));
    assert.ok(found.every((d) => d.line === lineOf(text, "owner: cms")));
  });
});

describe("calls that cannot be carried out are refused", () => {
  test("a call to an unknown procedure names the known ones", () => {
    const text = kyc(undefined, [[["phases", 0, "steps", 1, "call"], "enhanced_due_dilligence"]]);
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.rule, "procedure/unknown");
    assert.equal(error?.line, lineOf(text, "enhanced_due_dilligence"));
    assert.match(error?.fix ?? "", /enhanced_due_diligence/);
  });

  test("a procedure that calls itself, directly or through another, is refused", () => {
    const looping = { ...SCREENING, steps: [...SCREENING.steps, { id: "again", call: "enhanced_due_diligence" }] };
    const found = errors(load(kyc([EDD, looping])).diagnostics);
    assert.ok(found.length > 0);
    assert.ok(
      found.every((d) => d.rule === "procedure/recursive"),
      JSON.stringify(found),
    );
    assert.match(found[0]?.message ?? "", /enhanced_due_diligence → screening → enhanced_due_diligence/);
  });

  test("a block with no end (every step on demand) is refused", () => {
    const endless = { ...SCREENING, steps: [step("run_screening", { on_demand: true })] };
    const found = errors(load(kyc([EDD, endless])).diagnostics);
    assert.ok(
      found.some((d) => d.rule === "procedure/no-end"),
      JSON.stringify(found),
    );
  });

  test("a block's branch cannot leave the block", () => {
    const leaving = {
      ...EDD,
      steps: EDD.steps.map((s) =>
        s.id === "assess"
          ? step("assess", {
              decision: {
                question: "Verified?",
                branches: [
                  { label: "Yes", when: "forms.edd.verified", next: "continue" },
                  { label: "No", otherwise: true, next: "intake" },
                ],
              },
            })
          : s,
      ),
    };
    const found = errors(load(kyc([leaving, SCREENING])).diagnostics);
    assert.ok(
      found.some((d) => d.rule === "procedure/outside-ref"),
      JSON.stringify(found),
    );
  });
});

describe("a project runs through both calls", () => {
  test("each call returns to its own caller, with its own form, and the outcomes steer the final decision", () => {
    const run = new Run(modelOf(kyc()), START);
    const done = (id: string, day: number) => run.send({ type: "complete_step", step: id }, csm, at(day));
    done("intake", 1);
    assert.equal(run.state.steps["edd_high_risk.gather"]?.status, "open");
    run.send({ type: "submit_form", step: "edd_high_risk.gather", values: { source_of_funds: "Salary", verified: true } }, csm, at(2));
    done("edd_high_risk.gather", 2);
    done("edd_high_risk.screen.run_screening", 3);
    done("edd_high_risk.assess", 4);
    assert.equal(run.state.steps["edd_high_risk.assess"]?.branch, "Approved");
    // Back to the first caller's successor.
    assert.equal(run.state.steps.review_a?.status, "open");
    assert.equal(run.state.steps["edd_pep.gather"]?.status, "blocked");
    done("review_a", 5);
    // The second call has its own form: the first call's answers are not its answers.
    assert.equal(run.state.steps["edd_pep.gather"]?.status, "open");
    assert.equal(run.state.forms.edd_pep__edd, undefined);
    run.send({ type: "submit_form", step: "edd_pep.gather", values: { source_of_funds: "Inheritance", verified: false } }, csm, at(6));
    done("edd_pep.gather", 6);
    done("edd_pep.screen.run_screening", 7);
    done("edd_pep.assess", 8);
    // Not verified: the branch goes to this call's own follow-up, not the first call's.
    assert.equal(run.state.steps["edd_pep.request_more"]?.status, "open");
    assert.equal(run.state.steps["edd_high_risk.request_more"]?.status, "dormant");
    assert.equal(run.state.steps.final?.status, "blocked");
    run.send({ type: "submit_form", step: "edd_pep.request_more", values: { source_of_funds: "Inheritance", verified: true } }, csm, at(9));
    done("edd_pep.request_more", 9);
    // It returns to this call's decision, which decides again on the new answers.
    assert.equal(run.state.steps["edd_pep.assess"]?.status, "open");
    done("edd_pep.assess", 10);
    assert.equal(run.state.steps["edd_pep.assess"]?.branch, "Approved");
    assert.equal(run.state.steps.final?.status, "open");
    done("final", 11);
    assert.equal(run.state.steps.final?.branch, "Activate");
    done("activate", 12);
    assert.equal(run.state.status, "closed");
  });

  test("a call whose outcome is not approved sends the final decision the other way", () => {
    const run = new Run(modelOf(kyc(undefined, [], 'calls.edd_pep.outcome == "More information"')), START);
    for (const [i, id] of ["intake"].entries()) run.send({ type: "complete_step", step: id }, csm, at(i + 1));
    for (const call of ["edd_high_risk", "edd_pep"]) {
      if (call === "edd_pep") run.send({ type: "complete_step", step: "review_a" }, csm, at(3));
      run.send({ type: "submit_form", step: `${call}.gather`, values: { source_of_funds: "Salary", verified: true } }, csm, at(4));
      for (const s of ["gather", "screen.run_screening", "assess"]) run.send({ type: "complete_step", step: `${call}.${s}` }, csm, at(4));
    }
    run.send({ type: "complete_step", step: "final" }, csm, at(5));
    assert.equal(run.state.steps.final?.branch, "Reject");
  });
});

describe("procedures shared between playbooks", () => {
  const files = new Map([["kyc_procedures", SHARED]]);
  const including = () =>
    kyc(
      [EDD],
      [
        [["include"], ["kyc_procedures@1.0"]],
        [["roles", "analyst"], { title: "KYC Analyst", side: "internal" }],
      ],
    ).replace("call: screening", "call: sanctions_screening");

  test("an included procedure is called like one of the playbook's own", () => {
    const result = loadPlaybook("kyc.yaml", including(), { procedures: files });
    assert.deepEqual(errors(result.diagnostics), []);
    assert.ok(result.model?.steps.has("edd_pep.screen.run_screening"));
    assert.equal(result.playbook?.procedures.find((p) => p.id === "sanctions_screening")?.included_from, "kyc_procedures@1.0");
  });

  test("an include of another version, or of a missing file, is refused at the include", () => {
    const text = including().replace("kyc_procedures@1.0", "kyc_procedures@2.0");
    const [wrong] = errors(loadPlaybook("kyc.yaml", text, { procedures: files }).diagnostics);
    assert.equal(wrong?.rule, "include/unresolved");
    assert.match(wrong?.message ?? "", /version 1\.0, not 2\.0/);
    assert.equal(wrong?.line, lineOf(text, "kyc_procedures@2.0"));
    const [missing] = errors(loadPlaybook("kyc.yaml", including(), { procedures: new Map() }).diagnostics);
    assert.equal(missing?.rule, "include/unresolved");
  });

  test("publishing freezes the included procedures into a self-contained source", () => {
    const frozen = bundleIncludes(including(), files);
    assert.doesNotMatch(frozen, /^include:/m);
    assert.match(frozen, /included_from: kyc_procedures@1.0/);
    // Loads without the procedures file, into the same steps, even after the shared file changes.
    const alone = loadPlaybook("kyc.yaml", frozen);
    assert.deepEqual(errors(alone.diagnostics), []);
    const withFile = loadPlaybook("kyc.yaml", including(), { procedures: files });
    assert.deepEqual(
      alone.model?.order.map((e) => e.step),
      withFile.model?.order.map((e) => e.step),
    );
    assert.equal(bundleIncludes(frozen, new Map()), frozen);
  });
});

describe("lint", () => {
  test("a playbook calling procedures lints clean", () => {
    assert.deepEqual(errors(lint(kyc())), []);
  });
});

describe("the app reads a call's steps as the server expands them", () => {
  test("same step ids, forms per call, each step under its top-level call", () => {
    const text = kyc();
    const detail = readPlaybook(text);
    assert.deepEqual(
      [...detail.steps.keys()],
      modelOf(text).order.map((e) => e.step.id),
    );
    assert.equal(detail.steps.get("edd_pep.gather")?.form?.id, "edd_pep__edd");
    assert.equal(detail.steps.get("edd_pep.gather")?.form?.title, "EDD findings");
    assert.deepEqual(detail.calls.get("edd_pep.screen.run_screening"), {
      id: "edd_pep",
      title: "EDD for a politically exposed person",
      procedure: "Enhanced due diligence",
    });
    assert.equal(detail.calls.get("review_a"), undefined);
  });
});

describe("a call's outcome in conditions", () => {
  test("comparing it with a label its deciding step does not have is refused, with the labels", () => {
    const found = errors(lint(kyc(undefined, [], 'calls.edd_pep.outcome == "Aproved"')));
    assert.equal(found[0]?.rule, "expr/option", JSON.stringify(found));
    assert.match(found[0]?.fix ?? "", /Approved/);
  });

  test("an unknown call is a did-you-mean", () => {
    const found = errors(load(kyc(undefined, [], 'calls.edd_pepp.outcome == "Approved"')).diagnostics);
    assert.match(found[0]?.message ?? "", /did you mean calls\.edd_pep/);
  });
});

describe("property: any arrangement of calls runs in order and completes", () => {
  test("steps, calls and nested calls in any order: each call's steps run after what precedes it, before what follows it", () => {
    const items = fc.array(fc.constantFrom("step", "call_a", "call_b"), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 3 }), (kinds, n) => {
        const a = { id: "a", title: "A", steps: Array.from({ length: n }, (_, i) => step(`a${i}`)) };
        const b = { id: "b", title: "B", steps: [step("b0"), { id: "inner", call: "a" }, step("b1")] };
        const steps = [
          ...kinds.map((kind, i) => (kind === "step" ? step(`s${i}`) : { id: `c${i}`, call: kind === "call_a" ? "a" : "b" })),
          step("finish", { completes_project: true }),
        ];
        const text = edited([
          [["procedures"], [a, b]],
          [["phases"], [{ id: "work", title: "Work", window: "Days 1-60", steps }]],
        ]);
        const model = modelOf(text);
        const run = new Run(model, START);
        for (let day = 1; day < 200 && run.state.status === "active"; day++) {
          const open = model.order.find((e) => run.state.steps[e.step.id]?.status === "open");
          if (!open) break;
          run.send({ type: "complete_step", step: open.step.id }, csm, at(day / 4));
        }
        assert.equal(run.state.status, "closed");
        const completed = run.events.flatMap((e) => (e.type === "step.completed" ? [e.step] : []));
        // One chain: steps complete exactly in the order they are written, calls expanded in place.
        assert.deepEqual(
          completed,
          model.order.map((e) => e.step.id),
        );
      }),
      { numRuns: 40 },
    );
  });
});

describe("a call that applies only for some answers", () => {
  const START_AT = "2026-03-02T09:00:00.000Z";
  const fixtureModel = async () => {
    const loaded = await loadPlaybookFile(new URL("../fixtures/kyc-edd.yaml", import.meta.url));
    assert.ok(loaded.model, JSON.stringify(errors(loaded.diagnostics)));
    return loaded.model;
  };
  const analyst = person("analyst");

  test("runs when the answer says so, and its steps are left out (the flow passing through) when not", async () => {
    for (const [rating, runs] of [
      ["high", true],
      ["low", false],
    ] as const) {
      const run = new Run(await fixtureModel(), START_AT);
      run.send({ type: "submit_form", step: "intake", values: { risk_rating: rating } }, analyst, START_AT);
      run.send({ type: "complete_step", step: "intake" }, analyst, START_AT);
      const gather = run.state.steps["edd_high_risk.gather"]?.status;
      assert.equal(gather, runs ? "open" : "not_applicable", rating);
      assert.equal(run.state.steps.pep_check?.status, runs ? "blocked" : "open", rating);
    }
  });
});

describe("a sign-off inside a procedure", () => {
  test("each call's gate is its own: the block's condition reads this call's sign-off", () => {
    const signing = {
      id: "sign_off",
      title: "Sign-off",
      steps: [
        step("sign", { gate: { approvers: ["client_primary"], sign_off: "The plan" }, visible_to_client: true }),
        step("check", {
          decision: {
            question: "Was the plan approved?",
            branches: [
              { label: "Approved", when: 'gates.sign.outcome == "approved"', next: "continue" },
              { label: "Rejected", otherwise: true, next: "end" },
            ],
          },
        }),
      ],
    };
    const text = edited([
      [["procedures"], [signing]],
      [
        ["phases"],
        [
          {
            id: "work",
            title: "Work",
            window: "Days 1-30",
            steps: [{ id: "first", call: "sign_off" }, { id: "second", call: "sign_off" }, step("finish")],
          },
        ],
      ],
    ]);
    const model = modelOf(text);
    assert.equal(model.steps.get("second.check")?.step.decision?.branches[0]?.when, 'gates.second__sign.outcome == "approved"');
    const run = new Run(model, START);
    const client = person("client_primary", "contact");
    run.send({ type: "approve", step: "first.sign", role: "client_primary" }, client, at(1));
    if (run.state.steps["first.sign"]?.status !== "done") run.send({ type: "complete_step", step: "first.sign" }, csm, at(1));
    run.send({ type: "complete_step", step: "first.check" }, csm, at(2));
    assert.equal(run.state.steps["first.check"]?.branch, "Approved");
    assert.equal(run.state.steps["second.sign"]?.status, "open");
  });
});
