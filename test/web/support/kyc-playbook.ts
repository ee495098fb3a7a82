// The playbook of the typed-forms test: a business customer's due diligence, where the client names
// its beneficial owners (a table with typed columns), its services (several of a list), its website,
// phone and signatory, and the team records a risk rating whose "high" makes the owners' ID
// checks required. Modelled on the beneficial-ownership certification of FinCEN's CDD rule
// (31 CFR 1010.230): each owner of 25% or more, with a name, a date of birth and an ownership share.
export const KYC_PLAYBOOK = `onboard: 1
id: kyc_typed
document:
  id: SOP-KYC-010
  title: Business customer due diligence
  version: "1.0"
  owner: Head of Compliance
  effective: 2026-01-05
  review: 2027-01-05
  revisions: [{ version: "1.0", date: 2026-01-05, changes: Initial release }]
purpose: Identify a business customer and the people who own it before its account opens.
scope: { applies_to: [New business customers] }
roles:
  analyst:
    title: KYC analyst
    side: internal
    assignment: { strategies: [least_loaded] }
  client_primary: { title: Primary contact, side: client }
forms:
  ownership:
    title: Beneficial ownership
    fields:
      legal_name: { label: Legal name, type: string, required: true, max_length: 120 }
      website: { label: Website, type: url }
      phone: { label: Business phone, type: phone, required: true }
      employees: { label: Employees, type: int, min: 1, unit: people, required: true }
      services: { label: Services you will use, type: choices, options: [Payments, Payouts, Currency exchange], min_items: 1, required: true }
      owners:
        label: Beneficial owners
        type: records
        min_items: 1
        required: true
        fields:
          name: { label: Full name, type: string, required: true }
          born: { label: Date of birth, type: date, required: true }
          share: { label: Ownership, type: double, min: 25, max: 100, unit: "%", required: true }
      signatory: { label: Authorised signatory, type: person, required: true }
  risk:
    title: Risk assessment
    fields:
      rating: { label: Risk rating, type: choice, options: [low, medium, high], required: true }
      id_checks: { label: Owners' ID checks done, type: bool, required_if: 'forms.risk.rating == "high"' }
phases:
  - id: identify
    title: Identify the customer
    window: Days 1-10
    steps:
      - id: ownership
        title: Tell us who owns your business
        owner: client_primary
        form: ownership
        visible_to_client: true
        due: 5 business days
        expected_result: The customer's owners are known.
      - id: assess
        title: Assess the risk
        owner: analyst
        form: risk
        due: 2 business days
        expected_result: A risk rating is recorded.
`;
