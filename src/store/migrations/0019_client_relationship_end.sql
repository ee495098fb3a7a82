-- Issue 22 item 11: record retention counts from the end of the business relationship ("keep all
-- records for 7 years after the relationship ends"), so the client records when it ended (a local
-- calendar date, kept as written) and why.
ALTER TABLE clients ADD COLUMN relationship_ended_on text CHECK (relationship_ended_on ~ '^\d{4}-\d{2}-\d{2}$');
ALTER TABLE clients ADD COLUMN relationship_end_reason text;
