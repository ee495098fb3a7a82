-- The audit trail proves itself to an outsider (src/store/audit-log.ts, audit.ts):
--  * a global Merkle log (RFC 9162) over every project's chain, whose signed tree heads
--    (checkpoints) the operator publishes: truncation, deleted projects and recomputed chains
--    no longer go unnoticed;
--  * erasures recorded inside the chain (an `audit.redacted` event), through one function;
--  * the events table, the log and its checkpoints append-only at the database level.
-- A superuser can still switch triggers off; what they then change, the published checkpoints catch.
-- Erasures recorded before this migration (the events.redaction column, outside the chain) prove
-- nothing and verify reports them as edits: if one was genuine, erase the same fields again
-- (store/audit.ts redactEvent) to record it in the chain.

-- One leaf per event, in the order the checkpointer appended them (never on the command path, so
-- no global counter serializes commands). A leaf binds the project, the seq and the event's chain
-- hash: leaf hash = SHA-256(0x00 || JSON [project_id, seq, event_hash]).
CREATE TABLE audit_leaves (
  position bigint PRIMARY KEY CHECK (position >= 0),
  project_id text NOT NULL,
  seq integer NOT NULL,
  event_hash text NOT NULL,
  UNIQUE (project_id, seq),
  FOREIGN KEY (project_id, seq) REFERENCES events (project_id, seq)
);

-- The hash of every complete subtree (level >= 1, `node_index` counted at its level), so inclusion
-- and consistency proofs read O(log n) rows. Derived data: full verification recomputes it all.
CREATE TABLE audit_nodes (
  level smallint NOT NULL CHECK (level >= 1),
  node_index bigint NOT NULL CHECK (node_index >= 0),
  hash text NOT NULL,
  PRIMARY KEY (level, node_index)
);

-- Signed tree heads: the C2SP checkpoint note over leaves 0..tree_size-1, and the tree's right
-- frontier at that size (the next checkpoint appends from it in O(new leaves)).
CREATE TABLE audit_checkpoints (
  tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
  origin text NOT NULL,
  root_hash text NOT NULL,
  frontier jsonb NOT NULL,
  note text NOT NULL,
  created_at timestamptz NOT NULL
);

-- How far each project's chain is in the log: the checkpointer's cursor (not evidence; verification
-- never reads it).
CREATE TABLE audit_log_heads (
  project_id text PRIMARY KEY,
  seq integer NOT NULL CHECK (seq >= 1)
);

CREATE FUNCTION onboard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'personal data is erased with onboard_redact_event(), which records the erasure in the chain';
END
$$;

-- Events: no UPDATE, DELETE or TRUNCATE, except onboard_redact_event() rewriting one payload (and
-- its redaction marks): it announces that in a transaction-local setting naming the event, and the
-- same transaction must have appended an audit.redacted record naming it (setting the variable by
-- hand is not enough).
CREATE FUNCTION onboard_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('onboard.redacting', true) = OLD.project_id || '/' || OLD.seq
     AND (NEW.project_id, NEW.seq, NEW.type, NEW.at, NEW.actor, NEW.payload_hash, NEW.prev_hash, NEW.hash, NEW.recorded_at)
         IS NOT DISTINCT FROM
         (OLD.project_id, OLD.seq, OLD.type, OLD.at, OLD.actor, OLD.payload_hash, OLD.prev_hash, OLD.hash, OLD.recorded_at)
     AND EXISTS (SELECT 1 FROM events r
                  WHERE r.project_id = OLD.project_id AND r.seq > OLD.seq AND r.type = 'audit.redacted'
                    AND r.payload->>'seq' = OLD.seq::text AND r.xmin = pg_current_xact_id()::xid)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on events refused: the audit trail is append-only', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'personal data is erased with onboard_redact_event(), which records the erasure in the chain';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION onboard_events_guard();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER audit_leaves_append_only BEFORE UPDATE OR DELETE ON audit_leaves FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER audit_leaves_no_truncate BEFORE TRUNCATE ON audit_leaves FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER audit_nodes_append_only BEFORE UPDATE OR DELETE ON audit_nodes FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER audit_nodes_no_truncate BEFORE TRUNCATE ON audit_nodes FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();

-- A project's version counts its events: it never goes back (deleting the last event and lowering
-- the version was a tampering the chain alone could not see). Projects with events cannot be
-- deleted either: events reference them.
CREATE FUNCTION onboard_version_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'project %: version % cannot go back to %', OLD.id, OLD.version, NEW.version
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER projects_version_forward BEFORE UPDATE OF version ON projects FOR EACH ROW
  WHEN (NEW.version < OLD.version) EXECUTE FUNCTION onboard_version_forward();

-- The one sanctioned rewrite: erase fields of event p_seq's payload (p_payload is the payload as
-- redacted) and append its redaction record p_record (a whole events row as JSON, chained by the
-- caller) in the same statement. It refuses a record that does not extend the chain or does not
-- name that event, so no payload changes without an in-chain record of it. SECURITY DEFINER: an
-- application role without UPDATE on events (onboard db grant-app-role) may still call it.
CREATE FUNCTION onboard_redact_event(p_project text, p_seq integer, p_payload jsonb, p_record jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  target_type text;
  head_seq integer;
  head_hash text;
BEGIN
  SELECT type INTO target_type FROM events WHERE project_id = p_project AND seq = p_seq;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'project % has no event %', p_project, p_seq USING ERRCODE = 'no_data_found';
  END IF;
  IF target_type = 'audit.redacted' THEN
    RAISE EXCEPTION 'event % of project % is a redaction record: it holds no personal data', p_seq, p_project
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT seq, hash INTO head_seq, head_hash FROM events WHERE project_id = p_project ORDER BY seq DESC LIMIT 1;
  IF p_record->>'project_id' IS DISTINCT FROM p_project
     OR p_record->>'type' IS DISTINCT FROM 'audit.redacted'
     OR (p_record->>'seq')::integer IS DISTINCT FROM head_seq + 1
     OR p_record->>'prev_hash' IS DISTINCT FROM head_hash
     OR (p_record->'payload'->>'seq')::integer IS DISTINCT FROM p_seq
     OR jsonb_typeof(p_payload) IS DISTINCT FROM 'object'
  THEN
    RAISE EXCEPTION 'the redaction record of event % does not extend the chain of project % after event %', p_seq, p_project, head_seq
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO events SELECT * FROM jsonb_populate_record(NULL::events, p_record);
  PERFORM set_config('onboard.redacting', p_project || '/' || p_seq, true);
  UPDATE events
     SET payload = p_payload,
         redacted_at = (p_record->>'recorded_at')::timestamptz,
         redaction = jsonb_build_object('record', head_seq + 1)
   WHERE project_id = p_project AND seq = p_seq;
  PERFORM set_config('onboard.redacting', '', true);
END
$$;

REVOKE ALL ON FUNCTION onboard_redact_event(text, integer, jsonb, jsonb) FROM PUBLIC;
