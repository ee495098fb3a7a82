-- Trust (issue #13): secrets never rest where someone other than their addressee can read them,
-- portal access can be revoked, and every limit is counted atomically in the database.

-- Mail is recorded with its secrets (sign-in and survey tokens) redacted, and without SMTP it is
-- delivered into a folder of .eml files (transport 'folder'). Rows written before this migration
-- ('outbox') kept whole sign-in and survey links: redact them now.
ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_transport_check;
ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_transport_check CHECK (transport IN ('outbox', 'smtp', 'folder'));
UPDATE mail_messages
SET text_body = regexp_replace(text_body, '#token=[A-Za-z0-9_.-]+', '#token=[redacted]', 'g'),
    html_body = regexp_replace(html_body, '#token=[A-Za-z0-9_.-]+', '#token=[redacted]', 'g')
WHERE text_body ~ '#token=[A-Za-z0-9_.-]' OR html_body ~ '#token=[A-Za-z0-9_.-]';

-- A contact's portal access is revoked (active = false) or the contact removed from the client's
-- list; either way the row stays, so history keeps their name.
ALTER TABLE contacts ADD COLUMN deactivated_at timestamptz;
ALTER TABLE contacts ADD COLUMN deactivated_by text;
ALTER TABLE contacts ADD COLUMN removed_at timestamptz;
-- A removed contact's address may be added again.
DROP INDEX contacts_client_email;
CREATE UNIQUE INDEX contacts_client_email ON contacts (client_id, lower(email)) WHERE removed_at IS NULL;
-- The optimistic-concurrency token of contact edits (If-Match).
ALTER TABLE contacts ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- Fixed-window counters for limits that must hold across processes and concurrent requests: one
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE hits < limit takes a slot or finds none.
CREATE TABLE rate_limit_hits (
  bucket text NOT NULL,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits >= 0),
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_hits_window ON rate_limit_hits (window_start);
