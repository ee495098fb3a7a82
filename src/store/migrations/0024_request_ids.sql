-- The id of the HTTP request whose command queued a delivery (X-Request-Id), so the log line of
-- each delivery, and the webhook it sends, lead back to the request that caused it. Null: queued
-- by the scheduler, at start, or before this column existed.
ALTER TABLE outbox ADD COLUMN request_id text;
ALTER TABLE webhook_messages ADD COLUMN request_id text;
