-- Deliveries: one row per X-GitHub-Delivery. The primary key is what de-duplicates replays.
CREATE TABLE deliveries (
    delivery_id     TEXT PRIMARY KEY,
    event           TEXT NOT NULL,
    action          TEXT,
    installation_id INTEGER,
    repository      TEXT,
    payload         TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    processed_at    TEXT,
    outcome         TEXT
);

CREATE TABLE installations (
    installation_id INTEGER PRIMARY KEY,
    account         TEXT NOT NULL,
    last_action     TEXT NOT NULL,
    repositories    TEXT,
    updated_at      TEXT NOT NULL
);

CREATE TABLE tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    repository       TEXT NOT NULL,
    repository_id    INTEGER NOT NULL,
    installation_id  INTEGER,
    clone_url        TEXT NOT NULL,
    default_branch   TEXT NOT NULL,
    issue_number     INTEGER NOT NULL,
    issue_title      TEXT NOT NULL,
    issue_body       TEXT NOT NULL,
    issue_body_clean TEXT NOT NULL,
    requested_by     TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('accepted','planning','working','evaluating','awaiting_approval','merged','rejected','failed','cancelled')),
    state_reason     TEXT,
    acknowledged_at  TEXT,
    ack_comment_id   INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- One active task per repository issue, enforced by the database.
CREATE UNIQUE INDEX ux_tasks_active_issue ON tasks (repository_id, issue_number)
    WHERE state IN ('accepted','planning','working','evaluating','awaiting_approval');

CREATE TABLE task_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX ix_task_events_task ON task_events (task_id);
