// Playbooks and bodies the API tests share, derived from the minimal fixture.
import { edited, lineOf, MINIMAL } from "../../support/fixtures.ts";

export { lineOf, MINIMAL };

/** Version 1.2 of the minimal playbook: a step added, one removed, one deadline changed. */
export const MINIMAL_1_2 = edited([
  [["document", "version"], "1.2"],
  [["document", "revisions", 2], { version: "1.2", date: "2026-02-01", changes: "Welcome pack; no migration step" }],
  [["phases", 1, "steps", 0], undefined],
  [["phases", 0, "steps", 1, "due"], "5 business days"],
  [
    ["phases", 0, "steps", 2],
    { id: "welcome_pack", title: "Send the welcome pack", owner: "csm", due: "2 business days", expected_result: "The client has it." },
  ],
]);

/** The minimal playbook with the kickoff call's owner misspelt ("cms"). */
export const MISSPELT = MINIMAL.replace('version: "1.1"', 'version: "1.9"').replace(
  '        owner: csm\n        due: "{{number_of_days}}',
  '        owner: cms\n        due: "{{number_of_days}}',
);

export const MINIMAL_REF = { id: "minimal", version: "1.1" } as const;
export const FACTS = { user_count: 25, data_migration: false } as const;
