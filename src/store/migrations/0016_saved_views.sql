-- Issue 14 item 8: each person's named views of the team app (the portfolio with its filters, as
-- the path and query of the page), to open again in one click. Own views only: keyed by account.
CREATE TABLE saved_views (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  name text NOT NULL,
  path text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (user_id, name)
);
CREATE INDEX saved_views_user ON saved_views (user_id, name);
