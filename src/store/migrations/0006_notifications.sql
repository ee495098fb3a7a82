-- Notifications (issue #7): the mail Onboard sends, template overrides, in-app notifications,
-- survey links answered, and which events have raised a chat alert. Mail to client roles goes to
-- the portal's contacts (migration 0005).

-- Every message Onboard sends. Without SMTP this table is the mail outbox the app shows; with SMTP
-- it is the record of what was handed to the server. The key is the outbox delivery key the mail
-- came from (also its Message-ID), so a retried delivery never stores or sends a second copy.
CREATE TABLE mail_messages (
  id text PRIMARY KEY,
  key text NOT NULL UNIQUE,
  project_id text,
  from_address text NOT NULL,
  -- [{ "name": ..., "address": ... }]
  recipients jsonb NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text,
  -- [{ "filename": ..., "contentType": ..., "content": base64 }]
  attachments jsonb NOT NULL DEFAULT '[]',
  transport text NOT NULL CHECK (transport IN ('outbox', 'smtp')),
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX mail_messages_created ON mail_messages (created_at DESC, id);
CREATE INDEX mail_messages_project ON mail_messages (project_id, created_at DESC) WHERE project_id IS NOT NULL;

-- A user-authored version of a playbook template (same id): it takes precedence over the playbook's.
CREATE TABLE message_templates (
  id text PRIMARY KEY,
  kind text NOT NULL,
  subject text,
  body text NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL
);

-- In-app notifications (notify effects with channel in_app), one per person.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  key text NOT NULL,
  project_id text,
  person_id text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  UNIQUE (key, person_id)
);
CREATE INDEX notifications_person ON notifications (person_id, created_at DESC);

-- A survey link sent to a contact: what its signed token is bound to (the token carries the id and
-- an HMAC over these columns, see notify/survey-links.ts).
CREATE TABLE survey_links (
  id text PRIMARY KEY,
  project_id text NOT NULL,
  survey text NOT NULL,
  contact_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX survey_links_project ON survey_links (project_id);

-- A survey link that was answered: keyed by the link, so a link takes one answer.
CREATE TABLE survey_answers (
  token_id text PRIMARY KEY REFERENCES survey_links (id),
  project_id text NOT NULL,
  survey text NOT NULL,
  contact_id text NOT NULL,
  score double precision NOT NULL,
  comment text,
  answers jsonb NOT NULL DEFAULT '{}',
  answered_at timestamptz NOT NULL
);
CREATE INDEX survey_answers_project ON survey_answers (project_id);

-- Events (SLA breaches, low survey scores) already turned into a chat alert in the outbox.
CREATE TABLE chat_alerts (
  project_id text NOT NULL,
  seq integer NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, seq)
);
