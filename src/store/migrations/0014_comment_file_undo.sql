-- Undo and sharing for the conversation (issue 14): a person deletes their own comment or file
-- within a grace period, and a comment or file shared with the client can be made internal again
-- (or shared later). Deleted rows stay for history but leave every list and download. Each such
-- change is recorded in item_changes in the transaction that makes it: who, what, when.
ALTER TABLE comments ADD COLUMN deleted_at timestamptz;
ALTER TABLE comments ADD COLUMN deleted_by text;
ALTER TABLE attachments ADD COLUMN deleted_at timestamptz;
ALTER TABLE attachments ADD COLUMN deleted_by text;

CREATE TABLE item_changes (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id),
  item_kind text NOT NULL CHECK (item_kind IN ('comment', 'attachment')),
  item_id text NOT NULL,
  action text NOT NULL CHECK (action IN ('deleted', 'shared', 'unshared')),
  actor text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX item_changes_project ON item_changes (project_id, at);

-- Append-only, like the other audit tables: a recorded change is never edited or removed.
CREATE TRIGGER item_changes_append_only BEFORE UPDATE OR DELETE ON item_changes FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER item_changes_no_truncate BEFORE TRUNCATE ON item_changes FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
