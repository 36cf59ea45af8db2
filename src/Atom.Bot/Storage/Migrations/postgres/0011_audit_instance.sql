-- PostgreSQL port of ../0011_audit_instance.sql: which service instance wrote each audit entry (`host:pid:random`, or
-- `host:pid:cli` for `atom audit ...`), covered by the entry's hash (encoding atom.audit.entry.v2, docs/audit.md); NULL
-- for entries written before, which keep their v1 encoding. Adding a column fires none of the append-only triggers.
ALTER TABLE audit_entries ADD COLUMN instance TEXT;
