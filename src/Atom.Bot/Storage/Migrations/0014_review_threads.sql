-- Review threads (issue 15): a line comment on a task's pull request, by someone who may steer it, is feedback for the
-- task's next round. One row per comment; thread_id is the thread's first comment, which Atom's reply answers. round is
-- the round the comment was given to (null while it waits for one); answered_sha the head Atom's reply named (null
-- until answered). An unanswered comment is carried to the next round.
CREATE TABLE review_threads (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id       INTEGER NOT NULL REFERENCES tasks (id),
    comment_id    INTEGER NOT NULL,
    thread_id     INTEGER NOT NULL,
    pull_request  INTEGER NOT NULL,
    path          TEXT NOT NULL,
    line          INTEGER,
    diff_hunk     TEXT NOT NULL,
    body          TEXT NOT NULL,
    author        TEXT NOT NULL,
    author_id     INTEGER NOT NULL,
    round         INTEGER,
    answered_sha  TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (task_id, comment_id)
);
