-- QAward foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- a test checks both have the same tables and columns.
-- Ids BIGINT; times BIGINT UTC microseconds; calendar days TEXT YYYY-MM-DD; flags BIGINT 0/1.

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('city', 'county')),
    region TEXT NOT NULL,
    office_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE counties (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (programme_id, code)
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (programme_id, code)
);

CREATE TABLE criteria_sets (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

CREATE TABLE rule_sets (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    document_number TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    is_demo BIGINT NOT NULL,
    criteria_code TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    loaded_by BIGINT,
    UNIQUE (programme_id, code, version)
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    credit_code TEXT NOT NULL,
    name TEXT NOT NULL,
    county_id BIGINT REFERENCES counties (id),
    created_at BIGINT NOT NULL,
    UNIQUE (programme_id, credit_code)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('applicant', 'county_office', 'city_office', 'department',
        'reviewer', 'leadership', 'discipline', 'sys_admin', 'sec_admin', 'audit_admin')),
    programme_id BIGINT REFERENCES programmes (id),
    county_id BIGINT REFERENCES counties (id),
    department_id BIGINT REFERENCES departments (id),
    organisation_id BIGINT REFERENCES organisations (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX role_grants_user ON role_grants (user_id);

CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

CREATE TABLE security_settings (
    key TEXT PRIMARY KEY,
    value BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE award_sessions (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    rule_set_id BIGINT NOT NULL REFERENCES rule_sets (id),
    year BIGINT NOT NULL,
    ordinal BIGINT NOT NULL,
    title TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('planning', 'call_published', 'applications',
        'county_recommendation', 'eligibility_review', 'material_review', 'onsite_selection',
        'onsite_review', 'comprehensive_evaluation', 'proposal', 'leadership_decision',
        'public_notice', 'government_approval', 'commendation', 'closed')),
    created_at BIGINT NOT NULL,
    UNIQUE (programme_id, year)
);

CREATE TABLE stage_windows (
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    stage TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    PRIMARY KEY (session_id, stage)
);

CREATE TABLE stage_history (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    entered_on TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user BIGINT REFERENCES users (id),
    audit_seq BIGINT NOT NULL
);
CREATE INDEX stage_history_session ON stage_history (session_id);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    role TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('award', 'admin', 'security')),
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    programme_id BIGINT,
    article BIGINT,
    document TEXT,
    summary TEXT NOT NULL,
    detail TEXT NOT NULL,
    new_state TEXT,
    algo TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_programme ON audit_log (programme_id, seq);
CREATE INDEX audit_log_category ON audit_log (category, seq);

-- The chain's head: its last seq and hash. Every writing transaction locks this row first,
-- which orders all writers and lets `audit verify` notice entries cut from the end.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    touched_at BIGINT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, touched_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
