-- Applications, county recommendation, city eligibility review (SQLite).
-- Keep in step with ../postgres/0002_applications.sql.

ALTER TABLE organisations ADD COLUMN registered_on TEXT;
ALTER TABLE organisations ADD COLUMN address TEXT;

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'recommended',
        'not_recommended', 'eligible', 'ineligible', 'withdrawn')),
    form TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    receipt_no TEXT,
    content_hash TEXT,
    UNIQUE (session_id, organisation_id)
);
CREATE INDEX applications_session ON applications (session_id, status);

CREATE TABLE county_reviews (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    checklist TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('recommended', 'not_recommended', 'returned')),
    reasons TEXT NOT NULL,
    decided_at BIGINT,
    decided_by BIGINT REFERENCES users (id),
    forwarded_at BIGINT
);

CREATE TABLE eligibility_reviews (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    items TEXT NOT NULL,
    result TEXT CHECK (result IN ('eligible', 'ineligible')),
    decided_at BIGINT,
    decided_by BIGINT REFERENCES users (id)
);
