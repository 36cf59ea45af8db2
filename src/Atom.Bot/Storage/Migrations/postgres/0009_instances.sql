-- PostgreSQL port of ../0009_instances.sql: every running service instance, with a heartbeat; /status lists the
-- live ones (seen within a minute).
CREATE TABLE instances (
    id         TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    seen_at    TEXT COLLATE "C" NOT NULL
);
