-- Notifications in the app and by email (SQLite).
-- Keep in step with ../postgres/0003_notifications.sql.

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);

-- Mail waiting to be sent, and mail sent: rows are never deleted, so a failed send is
-- retried (attempts, next_attempt_at) and every message stays on file.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT REFERENCES notifications (id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT,
    claimed_until BIGINT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN
    SELECT RAISE(ABORT, 'outbox rows are kept: DELETE refused');
END;
