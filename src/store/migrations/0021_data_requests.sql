-- Data subjects' requests (GDPR Art. 15 access, Art. 17 erasure) and the log of erasures (issue #17).
--
-- Every request is logged with who logged it, when it was received and its deadline: one calendar
-- month after receipt (Art. 12(3)), extendable by up to two more months with a reason.
CREATE TABLE data_requests (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('access', 'erasure')),
  subject_kind text NOT NULL CHECK (subject_kind IN ('contact', 'client')),
  subject_id text NOT NULL,
  received_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  extended_months integer NOT NULL DEFAULT 0 CHECK (extended_months BETWEEN 0 AND 2),
  extension_reason text,
  logged_by text NOT NULL,
  logged_at timestamptz NOT NULL,
  channel text,
  note text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'refused')),
  completed_at timestamptz,
  completed_by text,
  outcome jsonb
);
CREATE INDEX data_requests_open ON data_requests (due_at) WHERE status = 'open';
CREATE INDEX data_requests_subject ON data_requests (subject_kind, subject_id);

-- What was erased, for which subject, by whom, why and under which request: ids, places and counts,
-- never the erased values (this log survives the erasure and a restored backup re-applies it).
CREATE TABLE erasures (
  id text PRIMARY KEY,
  subject_kind text NOT NULL CHECK (subject_kind IN ('contact', 'client')),
  subject_id text NOT NULL,
  -- null when the request is not in this database (an erasure re-applied after a restore).
  request_id text REFERENCES data_requests (id),
  -- The one project a retention rule erased (null: every project of the subject).
  project_id text,
  by text NOT NULL,
  reason text NOT NULL,
  -- { places: [{ place, records, fields }], projects: [...] }: counts per place, no values.
  summary jsonb NOT NULL,
  -- 'request' | 'retention' | 'journal' (re-applied at start after a restore)
  source text NOT NULL CHECK (source IN ('request', 'retention', 'journal')),
  at timestamptz NOT NULL
);
CREATE INDEX erasures_subject ON erasures (subject_kind, subject_id, at);
CREATE TRIGGER erasures_append_only BEFORE UPDATE OR DELETE ON erasures FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER erasures_no_truncate BEFORE TRUNCATE ON erasures FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();

-- An erased contact keeps its row (history names it by id) with "[redacted]" for name and email,
-- removed (so the address index, partial on removed_at since 0010, lets two erased contacts be).
ALTER TABLE contacts ADD COLUMN erased_at timestamptz;
ALTER TABLE clients ADD COLUMN erased_at timestamptz;
