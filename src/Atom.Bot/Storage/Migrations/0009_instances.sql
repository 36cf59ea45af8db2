-- Every running service instance, with a heartbeat: /status lists the live ones (seen within a minute). A row whose
-- instance died stays until it is seen as stale; a clean stop deletes it.
CREATE TABLE instances (
    id         TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);
