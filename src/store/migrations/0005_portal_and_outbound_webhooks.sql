-- The client portal (issue #4 item 4), conversation on projects, settings, and outbound webhooks
-- (item 6).

-- A client's people. `roles` are the client-side playbook roles they hold by default on their
-- company's projects (a project's own assignments add to them).
CREATE TABLE contacts (
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients (id),
  name text NOT NULL,
  email text NOT NULL,
  title text,
  roles jsonb NOT NULL DEFAULT '[]',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX contacts_client_email ON contacts (client_id, lower(email));
CREATE INDEX contacts_email ON contacts (lower(email));

-- Magic links: only the SHA-256 of the token is kept; a link is used once, and only before it expires.
CREATE TABLE magic_links (
  token_hash text PRIMARY KEY,
  contact_id text NOT NULL REFERENCES contacts (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX magic_links_contact ON magic_links (contact_id, created_at DESC);

-- A contact's portal session: reaches only its own client's projects.
CREATE TABLE contact_sessions (
  token_hash text PRIMARY KEY,
  contact_id text NOT NULL REFERENCES contacts (id),
  client_id text NOT NULL REFERENCES clients (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX contact_sessions_contact ON contact_sessions (contact_id);

-- Comments on a project or one of its steps. `internal` ones never reach the portal.
CREATE TABLE comments (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id),
  step_id text,
  author_kind text NOT NULL CHECK (author_kind IN ('user', 'contact')),
  author_id text NOT NULL,
  author_name text NOT NULL,
  body text NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('internal', 'client')),
  created_at timestamptz NOT NULL
);
CREATE INDEX comments_project ON comments (project_id, created_at, id);

-- Files attached to a project (kept in the database: one backup holds everything).
CREATE TABLE attachments (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id),
  step_id text,
  file_name text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL CHECK (size >= 0),
  sha256 text NOT NULL,
  content bytea NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('internal', 'client')),
  uploaded_by_kind text NOT NULL CHECK (uploaded_by_kind IN ('user', 'contact')),
  uploaded_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX attachments_project ON attachments (project_id, created_at, id);

-- Instance settings an admin changes at run time (the portal's branding).
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL
);

-- Outbound webhooks: who wants which of our events, signed per Standard Webhooks with `secret`.
CREATE TABLE webhook_subscriptions (
  id text PRIMARY KEY,
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  event_types jsonb NOT NULL,
  secret text NOT NULL,
  -- Loopback, private and link-local targets are refused unless an admin allowed them here.
  allow_private_network boolean NOT NULL DEFAULT false,
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One message per (event, subscription), written in the transaction that recorded the event.
CREATE TABLE webhook_messages (
  id text PRIMARY KEY,
  subscription_id text NOT NULL REFERENCES webhook_subscriptions (id),
  project_id text NOT NULL,
  event_seq integer NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz,
  UNIQUE (subscription_id, project_id, event_seq)
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_subscription ON webhook_messages (subscription_id, created_at DESC);

-- Every delivery attempt, for the delivery log.
CREATE TABLE webhook_attempts (
  id text PRIMARY KEY,
  message_id text NOT NULL REFERENCES webhook_messages (id),
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  status integer,
  error text,
  duration_ms integer NOT NULL
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, attempt);
