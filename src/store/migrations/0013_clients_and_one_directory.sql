-- Issue 14: a CSM onboards a client in the browser.
-- Clients get what the team edits on the client's page: a web domain, a segment, the facts the
-- chosen playbook declares (prefilled into each onboarding) and an optimistic-concurrency token
-- for edits (If-Match), like contacts.
ALTER TABLE clients ADD COLUMN domain text;
ALTER TABLE clients ADD COLUMN segment text;
ALTER TABLE clients ADD COLUMN playbook_id text;
ALTER TABLE clients ADD COLUMN facts jsonb NOT NULL DEFAULT '{}';
ALTER TABLE clients ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- People are accounts: one directory. Every account is a person (people.id = users.id, as the
-- users table always meant); a people row is the account's profile for assignment (the playbook
-- roles it can fill, attributes, capacity). Accounts made before this have none: give them one.
INSERT INTO people (id, name, roles, attributes, capacity, active, created_at, updated_at)
SELECT u.id, u.name, '[]'::jsonb, '{}'::jsonb, NULL, u.active, u.created_at, u.updated_at
  FROM users u
 WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = u.id);
UPDATE people p SET name = u.name, active = u.active FROM users u WHERE u.id = p.id AND (p.name <> u.name OR p.active <> u.active);
