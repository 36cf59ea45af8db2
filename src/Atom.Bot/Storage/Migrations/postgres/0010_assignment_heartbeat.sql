-- PostgreSQL port of ../0010_assignment_heartbeat.sql.
-- Several instances share one store, and any of them may run an assignment. A running assignment is owned by its
-- claim while the claiming instance refreshes heartbeat_at; a claim whose heartbeat is older than the job
-- invisibility timeout belongs to a dead instance and may be taken over. claimed_by names the instance.
-- The heartbeat is compared with < against an ISO 8601 string: the "C" collation makes that a byte comparison.
ALTER TABLE assignments ADD COLUMN heartbeat_at TEXT COLLATE "C";
ALTER TABLE assignments ADD COLUMN claimed_by TEXT;

-- The merge claim gets its time too: a claim whose instance died mid-merge (not one that failed, which gives its claim
-- back) would otherwise keep every later approval from merging. Older than the job invisibility timeout, it is taken.
ALTER TABLE tasks ADD COLUMN merge_claimed_at TEXT COLLATE "C";
