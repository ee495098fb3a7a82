// The playbook the browser tests run: small, lint clean, with what the pages show: phases with
// windows, deadlines in hours and business days, a checklist, a form with a required field, a
// client sign-off on the success plan (visible to the client), and a go-live milestone.
export const WEB_PLAYBOOK = `onboard: 1
id: web_onboarding
document:
  id: SOP-WEB-001
  title: Customer onboarding
  version: "1.0"
  owner: VP Customer Success
  effective: 2026-01-05
  review: 2027-01-05
  revisions: [{ version: "1.0", date: 2026-01-05, changes: Initial release }]
purpose: Bring every new customer from signed contract to go-live in 30 days.
scope: { applies_to: [All new customers] }
facts:
  segment: { type: string, label: Segment, values: [smb, mid_market, enterprise] }
roles:
  csm:
    title: Customer Success Manager
    side: internal
    assignment: { strategies: [least_loaded] }
  client_primary: { title: Primary contact, side: client }
forms:
  technical_setup:
    title: Technical setup
    fields:
      sso_provider: { label: SSO provider, type: string, required: true }
      user_count: { label: Users to provision, type: int, required: true }
phases:
  - id: kickoff
    title: Kickoff
    window: Days 1-10
    steps:
      - id: intro_email
        title: Send the introduction email
        owner: csm
        due: 24 hours after start
        expected_result: The client knows their CSM and the next steps.
      - id: kickoff_call
        title: Hold the kickoff call
        kind: meeting
        owner: csm
        due: 3 business days
        checklist:
          - Confirm goals and success criteria
          - Agree the weekly status slot
        expected_result: Goals and the plan are agreed.
      - id: success_plan
        title: Agree the success plan
        owner: csm
        due: 5 business days
        visible_to_client: true
        gate: { approvers: [client_primary], sign_off: The success plan }
        expected_result: Plan approved by the client.
  - id: implementation
    title: Implementation
    window: Days 11-30
    steps:
      - id: setup
        title: Configure the workspace
        owner: csm
        form: technical_setup
        due: 15 business days
        expected_result: SSO and provisioning configured.
      - id: go_live
        title: Go live
        kind: milestone
        owner: csm
        go_live: true
        due: Day 30
        expected_result: The client works in production.
rules:
  - id: overdue
    title: Escalate late steps
    category: escalation
    on: step.overdue
    actions:
      - { set_health: { status: red, reason: A step is overdue } }
      - { notify: { to: [csm], message: "{{client.name}}: a step is late" } }
kpis:
  - { id: ttgl, title: Time to go-live, metric: time_to_go_live, target: "< 30 days", frequency: per_project }
`;
