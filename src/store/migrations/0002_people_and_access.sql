-- People and access, first part (issue #4): the team's accounts with their access roles, browser
-- sessions, API tokens for scripts, and where each playbook version came from. Secrets are stored
-- only as hashes: a database dump gives no one a way in.

-- An account of the team. `id` is also the person's id in the assignment directory (people.id),
-- so the playbook roles a project assigns to that person are the account's roles on the project.
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  -- Access roles: admin, cs_ops, csm, implementation, support, account_executive, executive_readonly.
  roles jsonb NOT NULL DEFAULT '[]',
  -- A PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash): the parameters travel with the hash.
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- A signed-in browser. The cookie holds a random token; only its SHA-256 is kept here.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Sent back by the browser in X-CSRF-Token on every write made with this session's cookie.
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- A token for scripts: shown once when created, kept as a hash, scoped, revocable.
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('read', 'write')),
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Where a published playbook version came from: shipped with Onboard, or uploaded by someone.
CREATE TABLE playbook_sources (
  playbook_id text NOT NULL,
  version text NOT NULL,
  origin text NOT NULL CHECK (origin IN ('built_in', 'upload')),
  file text,
  uploaded_by text REFERENCES users (id),
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (playbook_id, version),
  FOREIGN KEY (playbook_id, version) REFERENCES playbook_versions (playbook_id, version)
);

-- Keyset pagination of the API's lists walks these orders.
CREATE INDEX clients_name ON clients (name, id);
CREATE INDEX projects_created ON projects (created_at, id);
