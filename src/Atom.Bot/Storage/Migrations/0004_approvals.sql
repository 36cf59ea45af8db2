-- Approval signals bound to a head SHA. One row per person and SHA: a second approval of the same SHA by the same
-- person changes nothing. Stale rows stay for the record (a new push made them stale).
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     INTEGER NOT NULL REFERENCES tasks (id),
    login       TEXT NOT NULL,
    sha         TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('review','comment','merge')),
    stale       INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (task_id, login, sha)
);

-- Who is merging which SHA right now: two approvals that arrive together merge once.
ALTER TABLE tasks ADD COLUMN merge_claim TEXT;

-- The Hangfire job of a running assignment, so /cancel can delete it.
ALTER TABLE assignments ADD COLUMN job_id TEXT;

-- Rounds started by a human (/revise, /retry) do not count against max_revisions.
ALTER TABLE tasks ADD COLUMN human_rounds INTEGER NOT NULL DEFAULT 0;
