-- Indexes the scale benchmarks asked for (BENCHMARKS.md). Keep in step with the other backend.

-- The office's list in submission order, one page at a time.
CREATE INDEX applications_session_submitted ON applications (session_id, submitted_at, id);
-- A county office's applications.
CREATE INDEX organisations_county ON organisations (county_id);
-- A session's assignments (the review desk, the ranking, the optimiser).
CREATE INDEX review_assignments_session ON review_assignments (session_id);
-- An expert's scorebooks.
CREATE INDEX scorebooks_expert ON scorebooks (expert_id, phase);
