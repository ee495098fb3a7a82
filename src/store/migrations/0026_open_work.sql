-- "My tasks" as a read model (issue #18): the open steps and engine tasks of each project with the
-- playbook roles that make them someone's, kept by a projection in the transaction of every command,
-- start and tick. GET /tasks joins it with the roles a person holds instead of reading every held
-- project's whole state. open_work_versions says which project version the rows reflect: a project
-- whose version differs (written before this table, or by an older process) is re-derived.
CREATE TABLE open_work (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- 'step/<step id>' or 'task/<task id>'
  item_id text NOT NULL,
  step_id text,
  task_id text,
  client_name text NOT NULL,
  title text NOT NULL,
  status text NOT NULL,
  -- the roles that make it someone's: owner, responsible, accountable, then approvers yet to sign
  roles text[] NOT NULL,
  -- the gate's approvers whose sign-off is still missing
  sign_off text[] NOT NULL,
  due_at timestamptz,
  overdue_at timestamptz,
  PRIMARY KEY (project_id, item_id)
);

CREATE TABLE open_work_versions (
  project_id text PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  version integer NOT NULL
);
