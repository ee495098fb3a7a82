-- Access and change control for auditors (issue #17; SOC 2 CC6.1 and CC8.1):
--  * access_changes: every change of who may do what, written in the transaction that makes it;
--  * four-eyes publishing: an uploaded playbook version may have to wait for a second person's
--    approval (playbook_submissions), whose decision is recorded (playbook_reviews); the setting's
--    own history is kept (four_eyes_changes), so a report can say whether it was on at the time.
-- All four are append-only like the audit trail (0012): the log of a control must not be editable
-- by those it controls.

CREATE TABLE access_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  -- Who made the change: an account id, or "system" (the first admin at start), "sso" (an account
  -- made or linked by a single sign-on).
  actor text NOT NULL,
  -- Whose access changed. No foreign key: the log outlives what it describes.
  subject_user text NOT NULL,
  change text NOT NULL CHECK (change IN (
    'account_created', 'service_account_created', 'roles_changed', 'deactivated', 'reactivated',
    'password_changed', 'password_reset', 'totp_enrolled', 'totp_reset', 'totp_requirement_changed',
    'recovery_codes_renewed', 'sso_identity_linked', 'api_token_created', 'api_token_revoked')),
  -- The access roles before and after (account_created: after only; roles_changed: both).
  roles_before jsonb,
  roles_after jsonb,
  -- What else says what changed: a token's id, name and scope; an identity's issuer ...; never a secret.
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX access_changes_at ON access_changes (at, id);
CREATE INDEX access_changes_subject ON access_changes (subject_user, at, id);

-- Whether publishing a playbook version needs a second person's approval: the latest row holds.
CREATE TABLE four_eyes_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  required boolean NOT NULL
);

-- An uploaded version waiting for approval. It is not in playbook_versions until approved, so
-- nothing that runs playbooks (projects, CRM intake, migrations) can pick it.
CREATE TABLE playbook_submissions (
  id text PRIMARY KEY,
  playbook_id text NOT NULL,
  version text NOT NULL,
  source text NOT NULL,
  content_hash text NOT NULL,
  file text,
  submitted_by text NOT NULL,
  submitted_at timestamptz NOT NULL
);
CREATE INDEX playbook_submissions_version ON playbook_submissions (playbook_id, version);

-- The decision on a submission: one, by someone other than its uploader.
CREATE TABLE playbook_reviews (
  submission_id text PRIMARY KEY REFERENCES playbook_submissions (id),
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  reviewer text NOT NULL,
  at timestamptz NOT NULL,
  comment text
);

CREATE TRIGGER access_changes_append_only BEFORE UPDATE OR DELETE ON access_changes FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER access_changes_no_truncate BEFORE TRUNCATE ON access_changes FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER four_eyes_changes_append_only BEFORE UPDATE OR DELETE ON four_eyes_changes FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER four_eyes_changes_no_truncate BEFORE TRUNCATE ON four_eyes_changes FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER playbook_submissions_append_only BEFORE UPDATE OR DELETE ON playbook_submissions FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER playbook_submissions_no_truncate BEFORE TRUNCATE ON playbook_submissions FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER playbook_reviews_append_only BEFORE UPDATE OR DELETE ON playbook_reviews FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER playbook_reviews_no_truncate BEFORE TRUNCATE ON playbook_reviews FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
