-- The office's list without reading the application rows (BENCHMARKS.md). Keep in step with
-- the other backend.

-- An application row holds its whole form (several kilobytes), and the columns the list shows
-- come after it, so reading them from the row reads the form too. This index holds everything
-- the list filters, counts, sorts and shows from the application, so a page is read from the
-- index alone: after any write (when the cached page is stale) a page costs milliseconds,
-- not the tens of milliseconds of reading every row of the session.
CREATE INDEX applications_list ON applications
    (session_id, status, organisation_id, submitted_at, self_tenths, industry, receipt_no);

-- The two orders the list is most often read in, so that its first pages are found without
-- sorting the session: by self-assessed score, and by name (PostgreSQL only: SQLite sorts
-- the index above for less).
CREATE INDEX applications_by_score ON applications (session_id, self_tenths DESC, submitted_at, id);
CREATE INDEX organisations_name ON organisations (name);

-- Both were (session_id, status); applications_list serves everything they did.
DROP INDEX applications_session;
DROP INDEX applications_session_status;
