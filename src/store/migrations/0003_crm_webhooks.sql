-- CRM webhooks (issue: won deals start projects): every inbound delivery that passed its source's
-- authentication, with what became of it, for an admin to see why a deal did or did not start a
-- project. Deduplication itself is the projects table's UNIQUE (deal_source, deal_id); this table
-- only records. Deliveries that fail authentication are logged, not stored (anyone could fill it).
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  -- The endpoint that received it: generic, hubspot, pipedrive.
  endpoint text NOT NULL,
  -- The deal's source (the business key's first half); null when the payload could not be read.
  source text,
  received_at timestamptz NOT NULL,
  -- accepted: started a project; duplicate: the deal had already started one; ignored: not a won
  -- deal (another stage, another event); rejected: a payload we cannot act on (reason says why);
  -- failed: an unexpected error, the CRM is asked to retry.
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'ignored', 'rejected', 'failed')),
  reason text,
  deal_id text,
  project_id text,
  -- The HTTP request it came in (a HubSpot batch records one row per event, all with the same request id).
  request_id text NOT NULL,
  -- The raw body as received (for a batch, the event's own JSON).
  body text NOT NULL
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at DESC, id);
CREATE INDEX webhook_deliveries_deal ON webhook_deliveries (source, deal_id);
-- What an admin looks up: the failures first, a project's origin, the events of one HubSpot batch.
CREATE INDEX webhook_deliveries_outcome ON webhook_deliveries (outcome, received_at DESC);
CREATE INDEX webhook_deliveries_project ON webhook_deliveries (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX webhook_deliveries_request ON webhook_deliveries (request_id);
