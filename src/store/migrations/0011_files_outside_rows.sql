-- Files leave the rows that describe them (src/store/files.ts): an attachment's bytes go to the
-- embedded database's files folder, or to file_chunks (PostgreSQL), and the row keeps where
-- (blob_store, blob_key). Rows written before keep their bytes in
-- `content` until the server moves them at start (api/data/attachments.ts, moveStoredFiles): a row
-- always has its bytes in one place or the other, never neither.
ALTER TABLE attachments ALTER COLUMN content DROP NOT NULL;
ALTER TABLE attachments ADD COLUMN blob_store text CHECK (blob_store IN ('folder', 'table'));
ALTER TABLE attachments ADD COLUMN blob_key text;
ALTER TABLE attachments ADD CONSTRAINT attachments_bytes_kept
  CHECK (content IS NOT NULL OR (blob_store IS NOT NULL AND blob_key IS NOT NULL));
CREATE INDEX attachments_blob ON attachments (blob_key) WHERE blob_key IS NOT NULL;

-- 256 KB of a file per row, written one statement per chunk and read back one at a time.
CREATE TABLE file_chunks (
  blob_key text NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blob_key, seq)
);
-- Finding chunks a crash mid-upload left behind.
CREATE INDEX file_chunks_started ON file_chunks (created_at) WHERE seq = 0;

-- Bytes of files each client's projects hold, against the per-client quota (CLIENT_FILE_QUOTA_MB):
-- an upload adds its size with one conditional UPDATE in the transaction that records it, so
-- concurrent uploads cannot together pass the quota.
CREATE TABLE client_file_usage (
  client_id text PRIMARY KEY REFERENCES clients (id),
  used_bytes bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0)
);
INSERT INTO client_file_usage (client_id, used_bytes)
SELECT p.client_id, sum(a.size)
  FROM attachments a
  JOIN projects p ON p.id = a.project_id
 GROUP BY p.client_id;
