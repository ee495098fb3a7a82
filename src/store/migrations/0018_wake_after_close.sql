-- A closed project still wakes: surveys "N days after completion" and cadences that continue after
-- closing (steady-state check-ins) come due then, and a project on hold still sends its surveys.
-- The scheduler claimed only active projects, so those never came.
DROP INDEX IF EXISTS projects_due;
CREATE INDEX projects_due ON projects (next_wake_at) WHERE status IN ('active', 'on_hold', 'closed') AND next_wake_at IS NOT NULL;
