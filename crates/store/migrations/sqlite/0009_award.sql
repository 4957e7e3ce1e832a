-- Government approval, commendation, winners, certificates and plaques, prize money, budgets
-- and announcements (Art. 18, 19, 20, 21, 22, 27, 29) (SQLite). Keep in step with ../postgres/0009_award.sql.

CREATE TABLE government_approvals (
    session_id BIGINT PRIMARY KEY REFERENCES award_sessions (id),
    document_number TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES users (id)
);

CREATE TABLE winners (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    organisation_name TEXT NOT NULL,
    county_name TEXT NOT NULL,
    position BIGINT NOT NULL,
    award_year BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (session_id, position)
);

CREATE TABLE commendations (
    session_id BIGINT PRIMARY KEY REFERENCES award_sessions (id),
    document_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES users (id)
);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    winner_id BIGINT NOT NULL UNIQUE REFERENCES winners (id),
    serial TEXT NOT NULL UNIQUE,
    holder TEXT NOT NULL,
    award_name TEXT NOT NULL,
    award_year BIGINT NOT NULL,
    document_number TEXT NOT NULL,
    issuer TEXT NOT NULL,
    verify_url TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revocation_note TEXT,
    plaque_issued_on TEXT,
    plaque_received_by TEXT,
    plaque_note TEXT,
    plaque_recorded_at BIGINT
);

CREATE TABLE prize_payments (
    id INTEGER PRIMARY KEY,
    winner_id BIGINT NOT NULL UNIQUE REFERENCES winners (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    amount_fen BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    paid_on TEXT,
    voucher_no TEXT,
    payer_note TEXT,
    recorded_at BIGINT,
    recorded_by BIGINT REFERENCES users (id)
);

CREATE TABLE budget_lines (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    kind TEXT NOT NULL CHECK (kind IN ('work', 'award')),
    purpose TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id)
);

CREATE INDEX budget_lines_session ON budget_lines (session_id, kind);

CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    posted_on TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX announcements_session ON announcements (session_id, posted_on);
