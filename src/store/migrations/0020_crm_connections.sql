-- CRM connections (issue #16): each CRM account an admin connects says what "won" means there,
-- which playbook a deal runs, how deal and account fields fill the client and the facts, and who
-- the deal owner is in Onboard. Connections made from environment variables are not stored.
CREATE TABLE crm_connections (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('hubspot', 'pipedrive', 'salesforce')),
  -- The validated settings (src/crm/connection.ts ConnectionSettings) as JSON.
  settings jsonb NOT NULL,
  -- Webhook credentials and the REST API token: written through the API, never read back by it.
  secrets jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- The reconciliation pull: when it last ran, how it went, and the watermark it reached.
  reconciled_at timestamptz,
  reconciled_through timestamptz,
  reconcile_error text,
  -- Deliveries refused at the door (a wrong password, signature or organization) are not logged
  -- (anyone could fill the log), but the connection counts them and keeps the last reason, so an
  -- admin with a typo in the CRM sees why nothing arrives.
  refused_count integer NOT NULL DEFAULT 0,
  refused_at timestamptz,
  refused_reason text
);

-- A delivery names the connection it came through and the deal as read (replay starts from it),
-- and a replay names the delivery it replays.
ALTER TABLE webhook_deliveries ADD COLUMN connection_id text;
ALTER TABLE webhook_deliveries ADD COLUMN deal jsonb;
ALTER TABLE webhook_deliveries ADD COLUMN replay_of text REFERENCES webhook_deliveries (id);
-- 'reconcile': found by the scheduled pull, not by a webhook.
CREATE INDEX webhook_deliveries_connection ON webhook_deliveries (connection_id, received_at DESC) WHERE connection_id IS NOT NULL;
