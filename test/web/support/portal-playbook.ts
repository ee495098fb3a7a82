// The playbook of the portal journey test: an SOP whose internal name must not reach the client,
// a team email and an internal step the client must not see, a checklist with items the client's
// roles own and items the team ticks, a client form with an email, a number and a date, a client
// sign-off, and an NPS survey sent when the welcome email goes out.
export const PORTAL_PLAYBOOK = `onboard: 1
id: portal_journey
document:
  id: SOP-PJ-001
  title: Customer Onboarding SOP
  version: "1.0"
  owner: VP Customer Success
  effective: 2026-01-05
  review: 2027-01-05
  revisions: [{ version: "1.0", date: 2026-01-05, changes: Initial release }]
purpose: Bring every new customer from signed contract to go-live.
scope: { applies_to: [All new customers] }
roles:
  csm:
    title: Customer Success Manager
    side: internal
    assignment: { strategies: [least_loaded] }
  client_primary: { title: Primary contact, side: client }
forms:
  company_details:
    title: Company details
    fields:
      billing_email: { label: Billing email, type: email, required: true }
      user_count: { label: Number of users, type: int, required: true }
      preferred_go_live: { label: Preferred go-live date, type: date }
surveys:
  nps_survey:
    title: How are we doing?
    kind: nps
    to: [client_primary]
    send: 1 day after welcome_email
    questions:
      - id: nps_score
        text: "How likely are you to recommend us to a friend or colleague?"
        type: nps
      - id: feedback
        text: What should we do differently?
        type: text
        required: false
phases:
  - id: internal_prep
    title: Internal preparation
    window: Days 1-2
    steps:
      - id: crm_record
        title: Create the CRM record and restrict access
        expected_result: Done as the SOP says.
        owner: csm
        due: 24 hours after start
      - id: welcome_email
        title: Send the welcome communication
        expected_result: Done as the SOP says.
        kind: email
        owner: csm
        visible_to_client: true
        due: Day 2
        survey: nps_survey
  - id: setup
    title: Setup (phase 2)
    client_title: Getting you set up
    window: Days 3-20
    steps:
      - id: prepare_access
        title: Provisioning checklist (CHK-ONB-001)
        expected_result: Done as the SOP says.
        client_title: Get your team ready
        owner: csm
        after: [welcome_email]
        visible_to_client: true
        due: 10 business days
        checklist:
          - { text: Share the list of users, owner: client_primary }
          - { text: Name an IT contact for single sign-on, owner: client_primary }
          - Workspace created
      - id: company_details
        title: Collect customer information (form CDC-01)
        expected_result: Done as the SOP says.
        client_title: Tell us about your company
        owner: client_primary
        after: [welcome_email]
        form: company_details
        due: 5 business days
      - id: plan_signoff
        title: Success plan sign-off
        client_title: Approve your onboarding plan
        owner: csm
        after: [welcome_email]
        visible_to_client: true
        due: 7 business days
        gate: { approvers: [client_primary], sign_off: The onboarding plan }
      - id: go_live
        title: Go live
        expected_result: Done as the SOP says.
        kind: milestone
        owner: csm
        after: [prepare_access, company_details, plan_signoff]
        go_live: true
        visible_to_client: true
        due: Day 20
rules:
  - id: overdue
    title: Escalate late steps
    category: escalation
    on: step.overdue
    actions:
      - { notify: { to: [csm], message: "{{client.name}}: a step is late" } }
kpis:
  - { id: ttgl, title: Time to go-live, metric: time_to_go_live, target: "< 30 days", frequency: per_project }
`;
