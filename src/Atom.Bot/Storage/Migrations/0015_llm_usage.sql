-- The tokens of every answered LLM request, kept beyond the process: per task (and through it per repository), per
-- model and per month, for `atom usage` and /status. at is an ISO 8601 UTC time; its first 7 characters are the month.
CREATE TABLE llm_usage (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER,
    endpoint   TEXT NOT NULL,
    model      TEXT NOT NULL,
    tokens_in  INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX ix_llm_usage_at ON llm_usage (at);
