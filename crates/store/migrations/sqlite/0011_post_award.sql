-- After the award: annual performance reports and their reminders (Art. 30), title misuse and
-- forgery cases (Art. 31), winners' senior managers in the expert pool (Art. 29) (SQLite).
-- Keep in step with ../postgres/0011_post_award.sql.

CREATE TABLE annual_reports (
    id INTEGER PRIMARY KEY,
    winner_id BIGINT NOT NULL REFERENCES winners (id),
    year_index BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    covered_year BIGINT NOT NULL,
    performance TEXT NOT NULL,
    indicators TEXT NOT NULL,
    improvement TEXT NOT NULL,
    sharing TEXT NOT NULL,
    incidents TEXT NOT NULL,
    submitted_on TEXT,
    submitted_at BIGINT,
    days_late BIGINT,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    UNIQUE (winner_id, year_index)
);

CREATE TABLE annual_report_files (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES annual_reports (id),
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE TABLE report_reminders (
    id INTEGER PRIMARY KEY,
    winner_id BIGINT NOT NULL REFERENCES winners (id),
    year_index BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('before', 'overdue')),
    due_on TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    UNIQUE (winner_id, year_index, kind)
);

CREATE TABLE title_cases (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    winner_id BIGINT REFERENCES winners (id),
    kind TEXT NOT NULL CHECK (kind IN ('products', 'packaging', 'no_year', 'other', 'forgery')),
    ack_no TEXT UNIQUE,
    subject TEXT NOT NULL,
    facts TEXT NOT NULL,
    where_seen TEXT NOT NULL,
    serial_seen TEXT NOT NULL,
    found_on TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_phone TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'ordered', 'resolved', 'closed')),
    findings TEXT NOT NULL,
    order_on TEXT,
    order_deadline TEXT,
    order_text TEXT NOT NULL,
    outcome TEXT,
    outcome_on TEXT,
    outcome_note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);

CREATE INDEX title_cases_programme ON title_cases (programme_id, status);

CREATE TABLE title_case_files (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES title_cases (id),
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE TABLE winner_managers (
    expert_id BIGINT PRIMARY KEY REFERENCES experts (id),
    winner_id BIGINT NOT NULL REFERENCES winners (id),
    position_title TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by BIGINT REFERENCES users (id)
);
