-- Background jobs of the office (SQLite). Keep in step with ../postgres/0016_jobs.sql.
-- A job typesets documents on the server, e.g. the material review reports (Art. 15) of every
-- application of a session, records its progress as it goes and ends with one ZIP file in the
-- file store (result_sha256) and the list of reports that failed (failures, JSON).
-- status: running, done, failed, interrupted (the server stopped while it ran).

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    status TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    failures TEXT NOT NULL DEFAULT '[]',
    started_by BIGINT REFERENCES users (id),
    started_by_name TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    result_sha256 TEXT,
    result_size BIGINT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_session ON jobs (session_id, started_at);
CREATE INDEX jobs_status ON jobs (status);
