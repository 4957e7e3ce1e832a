-- On-site review and comprehensive evaluation (Art. 16, 17) (SQLite). Keep in step with
-- ../postgres/0007_onsite.sql. Lists typed on the pages (agenda, interviews, findings, points
-- to verify) are JSON arrays.

CREATE TABLE onsite_plans (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    agenda TEXT NOT NULL,
    interviewees TEXT NOT NULL,
    sites TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    sent_at BIGINT,
    sent_version BIGINT NOT NULL
);

CREATE TABLE onsite_visits (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    interviews TEXT NOT NULL,
    documents TEXT NOT NULL,
    findings TEXT NOT NULL,
    verifications TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    submitted_at BIGINT,
    submitted_by BIGINT REFERENCES users (id)
);

CREATE TABLE onsite_releases (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    released_at BIGINT NOT NULL,
    released_by BIGINT REFERENCES users (id)
);

CREATE TABLE evaluations (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    analysis TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    submitted_at BIGINT,
    submitted_by BIGINT REFERENCES users (id)
);

CREATE TABLE practices (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    item_id TEXT NOT NULL,
    body TEXT NOT NULL,
    trade_secret BIGINT NOT NULL,
    secret_marked_at BIGINT,
    secret_marked_by BIGINT REFERENCES users (id)
);

CREATE INDEX practices_application ON practices (application_id, position);
