-- Written opinions sought from departments during eligibility review (Art. 14) (SQLite).
-- Keep in step with ../postgres/0004_opinions.sql. Requests and answers are never deleted.

CREATE TABLE opinion_requests (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    subject TEXT NOT NULL,
    period TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    reminded_at BIGINT
);
CREATE INDEX opinion_requests_session ON opinion_requests (session_id);
CREATE INDEX opinion_requests_department ON opinion_requests (department_id);

CREATE TABLE opinion_items (
    request_id BIGINT NOT NULL REFERENCES opinion_requests (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    answer TEXT CHECK (answer IN ('no_objection', 'objection')),
    facts TEXT NOT NULL,
    document_no TEXT NOT NULL,
    answered_at BIGINT,
    answered_by BIGINT REFERENCES users (id),
    PRIMARY KEY (request_id, application_id)
);
CREATE INDEX opinion_items_application ON opinion_items (application_id);
