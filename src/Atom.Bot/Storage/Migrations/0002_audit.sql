-- The signed, hash-chained semantic log (docs/audit.md). One chain per installation of Atom.
-- The sequence is computed inside a BEGIN IMMEDIATE transaction from audit_head; the primary key makes a
-- duplicate impossible even if two processes raced.
CREATE TABLE audit_entries (
    sequence      INTEGER PRIMARY KEY,
    recorded_at   TEXT NOT NULL,
    task_id       INTEGER,
    kind          TEXT NOT NULL,
    actor         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    signature     TEXT NOT NULL,
    key_id        TEXT NOT NULL
);
CREATE INDEX ix_audit_entries_task ON audit_entries (task_id);
CREATE INDEX ix_audit_entries_kind ON audit_entries (kind);

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

-- The signed head: the last entry's sequence and hash, signed with the key in force after it. Without it,
-- deleting the newest entries (truncation) would leave a chain that still verifies.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    sequence  INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.sequence <= OLD.sequence
BEGIN
    SELECT RAISE(ABORT, 'the audit head only moves forward');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'the audit head cannot be deleted');
END;

-- Execution receipts: what actually ran, signed by the receipt signer, linked to the entry that ordered it.
-- Each receipt is also announced by a 'receipt.recorded' entry written in the same transaction.
CREATE TABLE execution_receipts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    task_id     INTEGER,
    kind        TEXT NOT NULL,
    facts       TEXT NOT NULL,
    ordered_by  TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    signature   TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    algorithm   TEXT NOT NULL,
    signer      TEXT NOT NULL
);
CREATE INDEX ix_execution_receipts_task ON execution_receipts (task_id);

CREATE TRIGGER execution_receipts_no_update BEFORE UPDATE ON execution_receipts
BEGIN
    SELECT RAISE(ABORT, 'execution receipts are append-only');
END;

CREATE TRIGGER execution_receipts_no_delete BEFORE DELETE ON execution_receipts
BEGIN
    SELECT RAISE(ABORT, 'execution receipts are append-only');
END;
