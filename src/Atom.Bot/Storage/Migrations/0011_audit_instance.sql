-- Which service instance (the instances table's id, `host:pid:random`; `host:pid:cli` for `atom audit ...`) wrote each
-- audit entry, so that `atom audit verify` can say so when several instances share one chain. Covered by the entry's
-- hash (encoding atom.audit.entry.v2, docs/audit.md); NULL for entries written before this migration, which keep
-- their v1 encoding. No reference to instances: a stopped instance's row is deleted, its entries stay.
ALTER TABLE audit_entries ADD COLUMN instance TEXT;
