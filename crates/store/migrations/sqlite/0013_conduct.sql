-- Two-way conduct feedback after the on-site visit (Art. 26), complaints about office staff and
-- reviewers handled by discipline (Art. 23, 24, 27) (SQLite). Keep in step with
-- ../postgres/0013_conduct.sql.

CREATE TABLE conduct_ratings (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    direction TEXT NOT NULL CHECK (direction IN ('of_reviewer', 'of_applicant')),
    rater_id BIGINT REFERENCES users (id),
    rater_name TEXT NOT NULL,
    punctuality BIGINT,
    confidentiality BIGINT,
    integrity BIGINT,
    gifts_accepted BIGINT,
    professionalism BIGINT,
    cooperation BIGINT,
    honesty BIGINT,
    comments TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    UNIQUE (application_id, expert_id, direction)
);
CREATE INDEX conduct_ratings_programme ON conduct_ratings (programme_id, expert_id);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    complainant_id BIGINT NOT NULL REFERENCES users (id),
    complainant_name TEXT NOT NULL,
    complainant_role TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('reviewer', 'staff')),
    expert_id BIGINT REFERENCES experts (id),
    subject_name TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    facts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'investigating', 'closed')),
    assignee TEXT NOT NULL,
    findings TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reply TEXT NOT NULL,
    recommendation TEXT NOT NULL CHECK (recommendation IN ('none', 'warning', 'removal')),
    sanction_id BIGINT REFERENCES expert_sanctions (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX complaints_programme ON complaints (programme_id, status);
CREATE INDEX complaints_complainant ON complaints (complainant_id);

CREATE TABLE complaint_steps (
    id INTEGER PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_id BIGINT REFERENCES users (id),
    by_name TEXT NOT NULL
);
CREATE INDEX complaint_steps_complaint ON complaint_steps (complaint_id);

-- Evidence filed with a complaint (Art. 23, 24), in the file store by hash.
CREATE TABLE complaint_files (
    id INTEGER PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX complaint_files_complaint ON complaint_files (complaint_id);
