-- PostgreSQL port of ../0007_approval_identity.sql.
-- People are their numeric GitHub user id (docs/approval.md#who-may-approve). Rows written before this migration have
-- NULL ids: such an approval never counts towards required_approvals (the person approves again), and a task without
-- requested_by_id falls back to comparing the requester's login, which can only exclude more people, never fewer.
ALTER TABLE tasks ADD COLUMN requested_by_id BIGINT;
ALTER TABLE approvals ADD COLUMN user_id BIGINT;

-- One person approves a SHA once, whatever login they used (a rename between two approvals changes nothing).
CREATE UNIQUE INDEX approvals_task_user_sha ON approvals (task_id, user_id, sha) WHERE user_id IS NOT NULL;

-- A dismissed review withdraws its author's approval of the review's commit (kept for the record, never counted).
-- 0/1 (BIGINT, not BOOLEAN), like stale.
ALTER TABLE approvals ADD COLUMN withdrawn BIGINT NOT NULL DEFAULT 0;

-- When the current head_sha was certified: a /approve comment written before that moment does not approve it.
ALTER TABLE tasks ADD COLUMN certified_at TEXT COLLATE "C";

-- The account a login entry of `approvers` named when Atom first resolved it: a login that later belongs to another
-- account (renamed away and registered again) no longer matches.
CREATE TABLE approver_logins (
    repository_id BIGINT NOT NULL,
    login         TEXT NOT NULL,
    user_id       BIGINT NOT NULL,
    seen_at       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repository_id, login)
);
