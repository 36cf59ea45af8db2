-- Enhancement proposals (docs/proposals.md). One open proposal per (repository, category, key): new evidence updates
-- it instead of filing another. A rejected one stays, with its evidence, so the same evidence is never proposed again.
CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    repository      TEXT NOT NULL,
    repository_id   INTEGER NOT NULL,
    installation_id INTEGER,
    clone_url       TEXT NOT NULL,
    default_branch  TEXT NOT NULL,
    category        TEXT NOT NULL CHECK (category IN ('skill','scope','settings','tooling')),
    key             TEXT NOT NULL,
    title           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open','approved','pr_open','merged','rejected','failed')),
    state_reason    TEXT,
    issue_number    INTEGER,
    description     TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    change          TEXT NOT NULL,
    approved_by     TEXT,
    auto_approved   INTEGER NOT NULL DEFAULT 0,
    branch          TEXT,
    pull_request    INTEGER,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE UNIQUE INDEX ux_proposals_active ON proposals (repository_id, category, key)
    WHERE state IN ('open','approved','pr_open');
CREATE INDEX ix_proposals_issue ON proposals (repository_id, issue_number);

-- The "Atom proposals" dashboard issue of each repository: created once, then its body is edited.
CREATE TABLE proposal_dashboards (
    repository_id INTEGER PRIMARY KEY,
    issue_number  INTEGER NOT NULL
);
