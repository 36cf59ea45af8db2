-- Two more active task states: merge_blocked (approved, but the base branch's rules block the merge: a required check
-- pending or failing, required reviews missing) and merge_queued (in GitHub's merge queue). SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt; the foreign keys of task_events, assignments and approvals are
-- deferred to the commit, by which time every task row is back under its id.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE tasks_before_0013 AS SELECT * FROM tasks;
DROP INDEX ux_tasks_active_issue;
DROP TABLE tasks;

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
    state            TEXT NOT NULL CHECK (state IN ('accepted','planning','working','evaluating','awaiting_approval','merge_blocked','merge_queued','merged','rejected','failed','cancelled')),
    state_reason     TEXT,
    acknowledged_at  TEXT,
    ack_comment_id   INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    round            INTEGER NOT NULL DEFAULT 0,
    plan             TEXT,
    branch           TEXT,
    pull_request     INTEGER,
    head_sha         TEXT,
    package          TEXT,
    merge_claim      TEXT,
    human_rounds     INTEGER NOT NULL DEFAULT 0,
    requested_by_id  INTEGER,
    certified_at     TEXT,
    ack_claimed_at   TEXT,
    merge_claimed_at TEXT
);

INSERT INTO tasks (id, repository, repository_id, installation_id, clone_url, default_branch, issue_number, issue_title,
                   issue_body, issue_body_clean, requested_by, state, state_reason, acknowledged_at, ack_comment_id,
                   created_at, updated_at, round, plan, branch, pull_request, head_sha, package, merge_claim, human_rounds,
                   requested_by_id, certified_at, ack_claimed_at, merge_claimed_at)
SELECT id, repository, repository_id, installation_id, clone_url, default_branch, issue_number, issue_title,
       issue_body, issue_body_clean, requested_by, state, state_reason, acknowledged_at, ack_comment_id,
       created_at, updated_at, round, plan, branch, pull_request, head_sha, package, merge_claim, human_rounds,
       requested_by_id, certified_at, ack_claimed_at, merge_claimed_at
FROM tasks_before_0013;
DROP TABLE tasks_before_0013;

-- One active task per repository issue, enforced by the database.
CREATE UNIQUE INDEX ux_tasks_active_issue ON tasks (repository_id, issue_number)
    WHERE state IN ('accepted','planning','working','evaluating','awaiting_approval','merge_blocked','merge_queued');
