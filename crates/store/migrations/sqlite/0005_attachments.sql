-- Evidence files of applications and the county's sealed letters (SQLite).
-- Keep in step with ../postgres/0005_attachments.sql. File bodies live in the file store,
-- named by their SHA-256.

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    mime TEXT NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    removed_at BIGINT
);
CREATE INDEX attachments_application ON attachments (application_id);
