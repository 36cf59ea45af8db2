-- Work rounds: round 0 is the first dispatch, each revision (automatic or /revise) starts the next round.
ALTER TABLE tasks ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
-- The validated plan (JSON) and the task branch that the assignments are combined into.
ALTER TABLE tasks ADD COLUMN plan TEXT;
ALTER TABLE tasks ADD COLUMN branch TEXT;
-- The certification package: its pull request, the certified head SHA and the package itself (JSON).
ALTER TABLE tasks ADD COLUMN pull_request INTEGER;
ALTER TABLE tasks ADD COLUMN head_sha TEXT;
ALTER TABLE tasks ADD COLUMN package TEXT;

-- One row per assignment of a round. A worker claims its row (claim_id) before it works; a result written
-- with a stale claim is ignored, so a job that runs twice has the effect of running once.
CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      INTEGER NOT NULL REFERENCES tasks (id),
    round        INTEGER NOT NULL,
    ordinal      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    instructions TEXT NOT NULL,
    feedback     TEXT,
    scope        TEXT NOT NULL,
    branch       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    claim_id     TEXT,
    result       TEXT,
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    UNIQUE (task_id, round, ordinal)
);
CREATE INDEX ix_assignments_state ON assignments (state);
