-- Several instances share one store (PostgreSQL), and any of them may run an assignment. A running assignment is
-- owned by its claim while the claiming instance refreshes heartbeat_at; a claim whose heartbeat is older than the
-- job invisibility timeout belongs to a dead instance and may be taken over. claimed_by names the instance.
ALTER TABLE assignments ADD COLUMN heartbeat_at TEXT;
ALTER TABLE assignments ADD COLUMN claimed_by TEXT;

-- The merge claim gets its time too: a claim whose instance died mid-merge (not one that failed, which gives its claim
-- back) would otherwise keep every later approval from merging. Older than the job invisibility timeout, it is taken.
ALTER TABLE tasks ADD COLUMN merge_claimed_at TEXT;
