-- The office's list at scale (BENCHMARKS.md). Keep in step with the other backend.

-- Every writing transaction counts itself here, so readers can tell in one query whether
-- anything changed since they last looked (the caches of the list pages and sign-in sessions).
ALTER TABLE audit_head ADD COLUMN writes BIGINT NOT NULL DEFAULT 0;

-- What the list shows and sorts by, fixed at submission (the form cannot change after it
-- without a new submission): the self-assessed score in tenths and the industry as typed.
ALTER TABLE applications ADD COLUMN self_tenths BIGINT;
ALTER TABLE applications ADD COLUMN industry TEXT;

-- Counting a session's applications by status without reading the rows.
CREATE INDEX applications_session_status ON applications (session_id, status);
