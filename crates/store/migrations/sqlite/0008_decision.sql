-- The proposal, the leadership group's meeting and decision, the public notice and objections
-- (Art. 3, 6, 18, 28) (SQLite). Keep in step with ../postgres/0008_decision.sql.

CREATE TABLE proposals (
    session_id BIGINT PRIMARY KEY REFERENCES award_sessions (id),
    empty_reason TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by BIGINT REFERENCES users (id),
    submitted_at BIGINT,
    submitted_by BIGINT REFERENCES users (id)
);

CREATE TABLE proposal_entries (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    position INTEGER NOT NULL,
    reason TEXT NOT NULL,
    UNIQUE (session_id, application_id)
);

CREATE TABLE leadership_meetings (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL UNIQUE REFERENCES award_sessions (id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    ballot TEXT NOT NULL CHECK (ballot IN ('secret', 'open')),
    members INTEGER NOT NULL,
    present INTEGER NOT NULL,
    quorum_met INTEGER NOT NULL,
    votes_recorded INTEGER NOT NULL DEFAULT 0,
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    confirmed_at BIGINT,
    confirmed_by BIGINT REFERENCES users (id)
);

CREATE TABLE meeting_members (
    id INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES leadership_meetings (id),
    user_id BIGINT REFERENCES users (id),
    name TEXT NOT NULL,
    present INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX meeting_members_meeting ON meeting_members (meeting_id);

CREATE TABLE meeting_recusals (
    id INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES leadership_meetings (id),
    member_id BIGINT NOT NULL REFERENCES meeting_members (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    reason TEXT NOT NULL,
    UNIQUE (member_id, application_id)
);

-- Named ballots only: with a secret ballot no vote is linked to a member.
CREATE TABLE meeting_votes (
    id INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES leadership_meetings (id),
    member_id BIGINT NOT NULL REFERENCES meeting_members (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    vote TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'abstain')),
    UNIQUE (member_id, application_id)
);

CREATE TABLE meeting_results (
    id INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES leadership_meetings (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    counted INTEGER NOT NULL,
    agree INTEGER NOT NULL,
    disagree INTEGER NOT NULL,
    abstain INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    UNIQUE (meeting_id, application_id)
);

CREATE TABLE public_notices (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL UNIQUE REFERENCES award_sessions (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    body TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by BIGINT REFERENCES users (id),
    closed_at BIGINT,
    closed_by BIGINT REFERENCES users (id)
);

CREATE TABLE objections (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    ack_no TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    address TEXT NOT NULL,
    contact TEXT NOT NULL,
    phone TEXT NOT NULL,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    facts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('registered', 'investigating', 'decided', 'closed')),
    investigator TEXT NOT NULL,
    findings TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('upheld', 'not_upheld')),
    reply TEXT NOT NULL,
    due_on TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX objections_session ON objections (session_id);

CREATE TABLE objection_files (
    id INTEGER PRIMARY KEY,
    objection_id BIGINT NOT NULL REFERENCES objections (id),
    filename TEXT NOT NULL,
    mime TEXT NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX objection_files_objection ON objection_files (objection_id);
