-- The first schema of the store. One dialect: PostgreSQL (PGlite is PostgreSQL compiled to WASM).
-- Instants are timestamptz; documents (project state, event payloads, effects) are jsonb.

-- Each playbook version's source text, so a project keeps running on the version it started on.
CREATE TABLE playbook_versions (
  playbook_id text NOT NULL,
  version text NOT NULL,
  source text NOT NULL,
  content_hash text NOT NULL,
  published_at timestamptz NOT NULL,
  PRIMARY KEY (playbook_id, version)
);

CREATE TABLE clients (
  id text PRIMARY KEY,
  name text NOT NULL,
  time_zone text NOT NULL,
  country text,
  region text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- A project's current state is a projection of its events, stored beside them in the same
-- transaction. `version` is the number of events: the optimistic-concurrency token.
CREATE TABLE projects (
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients (id),
  playbook_id text NOT NULL,
  playbook_version text NOT NULL,
  state jsonb NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('active', 'on_hold', 'cancelled', 'closed')),
  next_wake_at timestamptz,
  -- The CRM deal that started it: a redelivered "won" webhook must not start a second project.
  deal_source text,
  deal_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (playbook_id, playbook_version) REFERENCES playbook_versions (playbook_id, version),
  UNIQUE (deal_source, deal_id)
);
-- What the scheduler asks: active projects whose next timer is due, soonest first.
CREATE INDEX projects_due ON projects (next_wake_at) WHERE status = 'active' AND next_wake_at IS NOT NULL;
CREATE INDEX projects_client ON projects (client_id);

-- The audit trail: append-only, hash-chained per project. payload is the event without type, at
-- and actor; it enters the chain through payload_hash so personal data can be redacted later.
CREATE TABLE events (
  project_id text NOT NULL REFERENCES projects (id),
  seq integer NOT NULL CHECK (seq >= 1),
  type text NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  payload jsonb NOT NULL,
  payload_hash text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  recorded_at timestamptz NOT NULL,
  -- A GDPR erasure: the payload was rewritten on purpose, by whom and why.
  redacted_at timestamptz,
  redaction jsonb,
  PRIMARY KEY (project_id, seq)
);

-- The assignment directory.
CREATE TABLE people (
  id text PRIMARY KEY,
  name text NOT NULL,
  roles jsonb NOT NULL DEFAULT '[]',
  attributes jsonb NOT NULL DEFAULT '{}',
  capacity integer CHECK (capacity IS NULL OR capacity >= 0),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Who holds which role on which project (kept in step with the state's assignments), so the load
-- of each person is a query, not a scan of every project's state.
CREATE TABLE project_roles (
  project_id text NOT NULL REFERENCES projects (id),
  role text NOT NULL,
  person_id text NOT NULL,
  assigned_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, role)
);
CREATE INDEX project_roles_person ON project_roles (person_id);

-- Effects to deliver, written in the same transaction as the events that caused them.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  -- Stable per effect (project, version, index): receivers deduplicate at-least-once deliveries on it.
  delivery_key text NOT NULL UNIQUE,
  project_id text REFERENCES projects (id),
  kind text NOT NULL,
  effect jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- Every delivery attempt, successful or not.
CREATE TABLE deliveries (
  outbox_id uuid NOT NULL REFERENCES outbox (id),
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
  error text,
  PRIMARY KEY (outbox_id, attempt)
);

-- Stripe-style idempotency: the key is inserted first in the request's own transaction, so a
-- concurrent duplicate waits on the unique index and then replays the stored response.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  response jsonb,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
