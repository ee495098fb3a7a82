-- Playbooks as code (onboard publish from CI): the commit a version was published from and its
-- author, shown in the revision history beside who uploaded it (the token's account). Null: not
-- published from a repository, or published before this column existed. A submission waiting
-- for four-eyes approval carries them until it is published.
ALTER TABLE playbook_sources ADD COLUMN commit_sha text;
ALTER TABLE playbook_sources ADD COLUMN commit_author text;
ALTER TABLE playbook_submissions ADD COLUMN commit_sha text;
ALTER TABLE playbook_submissions ADD COLUMN commit_author text;
