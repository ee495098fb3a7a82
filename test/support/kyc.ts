// The minimal playbook with a KYC form filled in the kickoff phase, a step included only for a
// high risk rating, and a step repeated for each beneficial owner the form names (issue 15 item 4).
export const KYC_EDITS: [(string | number)[], unknown][] = [
  [
    ["forms", "kyc"],
    {
      title: "Know your customer",
      fields: {
        risk_rating: { label: "Risk rating", type: "choice", options: ["low", "medium", "high"], required: true },
        owners: {
          label: "Beneficial owners",
          type: "records",
          fields: {
            name: { label: "Full name", type: "string", required: true },
            date_of_birth: { label: "Date of birth", type: "date" },
            country: { label: "Country", type: "string" },
          },
        },
      },
    },
  ],
  [["forms", "owner_check"], { title: "Owner check", fields: { passport: { label: "Passport number", type: "string", required: true } } }],
  [
    ["phases", 0, "steps", 2],
    { id: "collect_kyc", title: "Collect KYC data", owner: "csm", form: "kyc", expected_result: "KYC data recorded." },
  ],
  [
    ["phases", 0, "steps", 3],
    {
      id: "edd",
      title: "Enhanced due diligence",
      owner: "csm",
      when: 'forms.kyc.risk_rating == "high"',
      expected_result: "Enhanced due diligence done.",
    },
  ],
  [
    ["phases", 0, "steps", 4],
    {
      id: "verify_owners",
      title: "Verify beneficial owner",
      owner: "csm",
      form: "owner_check",
      checklist: [{ id: "sanctions", text: "Sanctions screening done", required: true }],
      gate: { approvers: ["csm"], sign_off: "The owner is verified" },
      repeat: { for_each: "forms.kyc.owners", label: "item.name" },
      expected_result: "Every owner verified.",
    },
  ],
];
