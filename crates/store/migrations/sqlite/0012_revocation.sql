-- Revocation of awards and the ban that follows (Art. 32, 33) (SQLite). Keep in step with
-- ../postgres/0012_revocation.sql.

CREATE TABLE revocation_cases (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    winner_id BIGINT NOT NULL REFERENCES winners (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    organisation_name TEXT NOT NULL,
    ground TEXT NOT NULL CHECK (ground IN ('false_materials', 'major_accident')),
    article BIGINT NOT NULL,
    facts TEXT NOT NULL,
    evidence TEXT NOT NULL,
    accident_kind TEXT,
    accident_on TEXT,
    awarded_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'approved', 'rejected')),
    submitted_on TEXT,
    submission_number TEXT,
    decision_number TEXT,
    decided_on TEXT,
    decision_note TEXT,
    announcement_id BIGINT REFERENCES announcements (id),
    plaque_return TEXT,
    plaque_return_on TEXT,
    plaque_return_by TEXT,
    plaque_return_note TEXT,
    certificate_return TEXT,
    certificate_return_on TEXT,
    certificate_return_by TEXT,
    certificate_return_note TEXT,
    prize_note TEXT,
    opened_at BIGINT NOT NULL,
    opened_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

CREATE INDEX revocation_cases_programme ON revocation_cases (programme_id, status);

CREATE TABLE award_bans (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    credit_code TEXT NOT NULL,
    case_id BIGINT NOT NULL UNIQUE REFERENCES revocation_cases (id),
    banned_from TEXT NOT NULL,
    banned_until TEXT NOT NULL,
    article BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX award_bans_organisation ON award_bans (programme_id, organisation_id);

-- Evidence files of a revocation case (Art. 32, 33), in the file store by hash.
CREATE TABLE revocation_case_files (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES revocation_cases (id),
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX revocation_case_files_case ON revocation_case_files (case_id);
