// "Repeat steps 1 to 5 for each relevant party" (issue 22, item 5): a procedure carried out per
// item, each party with its own answers (a per-party form submitted twice kept only the last
// party's values before).
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";

const csm = person("csm");
const ae = person("ae");
const START = "2026-03-06T15:00:00.000Z";

const PARTY_CHECKS = {
  id: "party_checks",
  title: "Checks on a relevant party",
  forms: { identity: { title: "Identity", fields: { passport: { label: "Passport number", type: "string", required: true } } } },
  steps: [
    { id: "identify", title: "Identify the party", owner: "csm", form: "identity", expected_result: "Identified." },
    { id: "screen", title: "Screen the party", owner: "csm", checklist: ["Sanctions list checked"], expected_result: "Screened." },
  ],
};

const TEXT = edited([
  ...KYC_EDITS.filter(([path]) => !(path[0] === "phases" && path[3] === 4) && !(path[0] === "forms" && path[1] === "owner_check")),
  [["procedures"], [PARTY_CHECKS]],
  [["phases", 0, "steps", 4], { id: "per_owner", call: "party_checks", repeat: { for_each: "forms.kyc.owners", label: "item.name" } }],
]);

test("each step of a procedure called per owner repeats for each owner, with that owner's own answers", () => {
  const run = new Run(modelOf(TEXT), START);
  run.send({ type: "complete_step", step: "handoff" }, ae, START);
  run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, person("client_primary", "contact"), START);
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, START);
  const owners = [
    { name: "Ada Lovelace", date_of_birth: "1815-12-10", country: "GB" },
    { name: "Grace Hopper", date_of_birth: "1906-12-09", country: "US" },
  ];
  run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "low", owners } }, csm, START);
  run.send({ type: "complete_step", step: "collect_kyc" }, csm, START);
  const identify = run.state.steps["per_owner.identify"];
  assert.equal(identify?.status, "open");
  assert.deepEqual(identify?.itemLabels, { "1": "Ada Lovelace", "2": "Grace Hopper" });
  run.send({ type: "submit_form", step: "per_owner.identify", item: "1", values: { passport: "GB123" } }, csm, START);
  run.send({ type: "submit_form", step: "per_owner.identify", item: "2", values: { passport: "US456" } }, csm, START);
  const work = run.state.steps["per_owner.identify"]?.itemWork;
  assert.equal(work?.["1"]?.values?.passport, "GB123", "the first owner's answer is kept");
  assert.equal(work?.["2"]?.values?.passport, "US456");
  run.send({ type: "complete_step", step: "per_owner.identify", item: "1" }, csm, START);
  run.send({ type: "complete_step", step: "per_owner.identify", item: "2" }, csm, START);
  const screen = run.state.steps["per_owner.screen"];
  assert.equal(screen?.status, "open");
  assert.deepEqual(Object.keys(screen?.items ?? {}), ["1", "2"]);
  for (const item of ["1", "2"]) {
    run.send({ type: "tick_checklist", step: "per_owner.screen", item: "1", checked: true, for: item }, csm, START);
    run.send({ type: "complete_step", step: "per_owner.screen", item }, csm, START);
  }
  assert.equal(run.state.steps["per_owner.screen"]?.status, "done");
});

test("the SOP says the procedure is carried out for each owner", () => {
  const md = writeMarkdown(buildSop(modelOf(TEXT)));
  assert.match(md, /\*\*Carried out for each:\*\* beneficial owner named in step 6\.3 \(Collect KYC data\), by full name/);
  assert.match(md, /Carry out Section 6\.\d+ \(Checks on a relevant party\) for each of them, each with its own record; then continue/);
});

test("a procedure whose own step repeats cannot also be called per item", () => {
  const nested = edited([[["procedures", 0, "steps", 1, "repeat"], { for_each: "forms.kyc.owners" }]], TEXT);
  const loaded = loadPlaybook("p.yaml", nested);
  assert.ok(
    loaded.diagnostics.some((d) => d.rule === "procedure/nested-repeat"),
    JSON.stringify(loaded.diagnostics.map((d) => d.message)),
  );
});
