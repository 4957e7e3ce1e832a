-- The expert pool, conflicts of interest, review teams and scorebooks (Art. 5, 7, 8, 15, 24, 25)
-- (SQLite). Keep in step with ../postgres/0006_review.sql. Nothing here is deleted: history
-- rows end with a date, sanctions and score versions only accumulate.

CREATE TABLE experts (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    user_id BIGINT REFERENCES users (id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    gender TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    title TEXT NOT NULL,
    education TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('trainee', 'reviewer', 'senior', 'leader')),
    industries TEXT NOT NULL,
    qualification_no TEXT NOT NULL,
    qualified_from TEXT,
    qualified_until TEXT,
    removed_at BIGINT,
    winner_manager INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (programme_id, id_number),
    UNIQUE (programme_id, user_id)
);

CREATE TABLE expert_employment (
    id INTEGER PRIMARY KEY,
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    employer_name TEXT NOT NULL,
    employer_credit_code TEXT NOT NULL,
    position TEXT NOT NULL,
    start_on TEXT,
    end_on TEXT
);
CREATE INDEX expert_employment_expert ON expert_employment (expert_id);

CREATE TABLE expert_training (
    id INTEGER PRIMARY KEY,
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    kind TEXT NOT NULL CHECK (kind IN ('training', 'assessment')),
    course TEXT NOT NULL,
    association TEXT NOT NULL,
    held_on TEXT NOT NULL,
    passed INTEGER NOT NULL,
    certificate_no TEXT NOT NULL
);
CREATE INDEX expert_training_expert ON expert_training (expert_id);

CREATE TABLE expert_ties (
    id INTEGER PRIMARY KEY,
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    kind TEXT NOT NULL CHECK (kind IN ('consulting', 'training', 'shareholding', 'relative')),
    party_name TEXT NOT NULL,
    party_credit_code TEXT NOT NULL,
    relation TEXT NOT NULL,
    start_on TEXT,
    end_on TEXT,
    declared_on TEXT NOT NULL
);
CREATE INDEX expert_ties_expert ON expert_ties (expert_id);

CREATE TABLE expert_sanctions (
    id INTEGER PRIMARY KEY,
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    kind TEXT NOT NULL CHECK (kind IN ('warning', 'removal')),
    reason TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id)
);
CREATE INDEX expert_sanctions_expert ON expert_sanctions (expert_id);

CREATE TABLE expert_ratings (
    id INTEGER PRIMARY KEY,
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id)
);
CREATE INDEX expert_ratings_expert ON expert_ratings (expert_id);

CREATE TABLE conflict_declarations (
    id INTEGER PRIMARY KEY,
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    reason TEXT NOT NULL,
    declared_at BIGINT NOT NULL
);
CREATE INDEX conflict_declarations_application ON conflict_declarations (application_id);

CREATE TABLE review_declarations (
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    text_sha256 TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, expert_id)
);

CREATE TABLE review_teams (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_at BIGINT,
    dissolved_at BIGINT,
    UNIQUE (session_id, name)
);

CREATE TABLE review_team_members (
    team_id BIGINT NOT NULL REFERENCES review_teams (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    leader INTEGER NOT NULL,
    PRIMARY KEY (team_id, expert_id)
);
CREATE INDEX review_team_members_expert ON review_team_members (expert_id);

CREATE TABLE assignment_runs (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    seed BIGINT NOT NULL,
    cost BIGINT NOT NULL,
    placed INTEGER NOT NULL,
    unplaced INTEGER NOT NULL,
    proposal TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    accepted_at BIGINT
);
CREATE INDEX assignment_runs_session ON assignment_runs (session_id);

CREATE TABLE review_assignments (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    team_id BIGINT NOT NULL REFERENCES review_teams (id),
    run_id BIGINT REFERENCES assignment_runs (id),
    assigned_at BIGINT NOT NULL,
    assigned_by BIGINT REFERENCES users (id)
);
CREATE INDEX review_assignments_team ON review_assignments (team_id);

CREATE TABLE scorebooks (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    phase TEXT NOT NULL CHECK (phase IN ('material', 'onsite')),
    submitted_at BIGINT,
    version INTEGER NOT NULL,
    PRIMARY KEY (application_id, expert_id, phase)
);

CREATE TABLE scores (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    phase TEXT NOT NULL,
    item_id TEXT NOT NULL,
    percent INTEGER,
    strengths TEXT NOT NULL,
    opportunities TEXT NOT NULL,
    verify_points TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, expert_id, phase, item_id)
);

CREATE TABLE score_versions (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    expert_id BIGINT,
    phase TEXT NOT NULL,
    item_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    percent INTEGER,
    strengths TEXT NOT NULL,
    opportunities TEXT NOT NULL,
    verify_points TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by BIGINT REFERENCES users (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX score_versions_application ON score_versions (application_id, phase);

CREATE TABLE consensus_books (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    phase TEXT NOT NULL CHECK (phase IN ('material', 'onsite')),
    summary TEXT NOT NULL,
    suggestions TEXT NOT NULL,
    submitted_at BIGINT,
    submitted_by BIGINT REFERENCES users (id),
    version INTEGER NOT NULL,
    PRIMARY KEY (application_id, phase)
);

CREATE TABLE consensus_scores (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    phase TEXT NOT NULL,
    item_id TEXT NOT NULL,
    percent INTEGER,
    strengths TEXT NOT NULL,
    opportunities TEXT NOT NULL,
    verify_points TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    PRIMARY KEY (application_id, phase, item_id)
);

CREATE TABLE onsite_lists (
    session_id BIGINT PRIMARY KEY REFERENCES award_sessions (id),
    justification TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users (id)
);

CREATE TABLE onsite_list_entries (
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    rank INTEGER NOT NULL,
    score_hundredths BIGINT NOT NULL,
    PRIMARY KEY (session_id, application_id)
);
