// The playbook of the whole-journey test (issue 14, "Done means"): no built-in playbook has a
// checklist with items the client's roles own or a form the client fills, so the organisation
// publishes this one (in the Playbooks page, as an admin would). It has one step of each kind the
// journey needs: a task (reopened once), an email that sends a survey, a decision, a checklist with
// the client's items and the team's, a client form with an email field, a client sign-off and a
// go-live milestone; two internal roles (the CSM and an implementation specialist, reassigned).
export const JOURNEY_PLAYBOOK = `onboard: 1
id: journey_onboarding
document:
  id: SOP-JRN-001
  title: Brightwave Onboarding SOP
  version: "1.0"
  owner: VP Customer Success
  effective: 2026-01-05
  review: 2027-01-05
  revisions: [{ version: "1.0", date: 2026-01-05, changes: Initial release }]
purpose: Bring every new customer from signed contract to go-live.
scope: { applies_to: [All new customers] }
facts:
  user_count: { type: int, label: Licensed users }
roles:
  csm:
    title: Customer Success Manager
    side: internal
    assignment: { strategies: [least_loaded] }
  implementation_specialist:
    title: Implementation Specialist
    side: internal
  client_primary: { title: Primary contact, side: client }
  client_technical: { title: Technical contact, side: client }
forms:
  company_details:
    title: Company details
    fields:
      billing_email: { label: Billing email, type: email, required: true }
      user_count: { label: Number of users, type: int, required: true }
templates:
  EMAIL-JRN-001:
    title: Welcome email
    kind: email
    subject: "Welcome, {{client.name}}"
    body: |-
      Dear {{contact.first_name}},

      I am {{roles.csm.name}}, your Customer Success Manager. I will guide {{client.name}} to go-live.

      Kind regards,
      {{roles.csm.name}}
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
  - id: kickoff
    title: Kickoff
    client_title: Getting started
    window: Days 1-5
    steps:
      - id: kickoff_call
        title: Hold the kickoff call
        expected_result: Goals and the plan are agreed with the client.
        owner: csm
        visible_to_client: true
        due: 2 business days
      - id: welcome_email
        title: Send the welcome email
        expected_result: The client knows their CSM and the next steps.
        kind: email
        template: EMAIL-JRN-001
        owner: csm
        raci: { responsible: [csm], accountable: csm, informed: [client_primary, client_technical] }
        after: [kickoff_call]
        due: 3 business days
        survey: nps_survey
      - id: setup_scope
        title: Choose the setup scope
        expected_result: The setup path is chosen.
        owner: implementation_specialist
        after: [kickoff_call]
        due: 4 business days
        decision:
          question: Does the client need a custom setup?
          branches:
            - label: Custom setup
              when: facts.user_count > 500
              next: continue
            - label: Standard setup
              otherwise: true
              next: continue
  - id: setup
    title: Setup
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
        expected_result: The client works in the product.
        kind: milestone
        owner: csm
        after: [prepare_access, company_details, plan_signoff, setup_scope]
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
