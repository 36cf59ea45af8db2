-- PostgreSQL port of ../0008_acknowledgement_claim.sql.
-- Two AdvanceTask jobs for one task can run at once (recovery after an upgrade, a job the previous version left, two
-- assignments finishing together). Whoever claims the acknowledgement posts it; a claim older than two minutes (its
-- job died between claiming and commenting) may be taken again, so the 👀 comment is posted once and never lost.
-- The claim is compared with < against an ISO 8601 string: the "C" collation makes that a byte comparison.
ALTER TABLE tasks ADD COLUMN ack_claimed_at TEXT COLLATE "C";
