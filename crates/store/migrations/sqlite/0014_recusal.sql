-- Recusal at any time (Art. 25) (SQLite). Keep in step with ../postgres/0014_recusal.sql.
-- A member who declares a conflict leaves that application's team only; the office names a
-- substitute for that application, who joins its team for that application alone.

CREATE TABLE review_recusals (
    id INTEGER PRIMARY KEY,
    declaration_id BIGINT NOT NULL REFERENCES conflict_declarations (id),
    session_id BIGINT NOT NULL REFERENCES award_sessions (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    team_id BIGINT NOT NULL REFERENCES review_teams (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    leader INTEGER NOT NULL,
    stage TEXT NOT NULL,
    recused_at BIGINT NOT NULL,
    substitute_id BIGINT REFERENCES experts (id),
    substituted_at BIGINT,
    substituted_by BIGINT REFERENCES users (id),
    substitute_note TEXT NOT NULL DEFAULT '',
    UNIQUE (application_id, expert_id)
);
CREATE INDEX review_recusals_session ON review_recusals (session_id);
CREATE INDEX review_recusals_substitute ON review_recusals (substitute_id);
