-- Two more active task states: merge_blocked (approved, but the base branch's rules block the merge) and merge_queued
-- (in GitHub's merge queue).
ALTER TABLE tasks DROP CONSTRAINT tasks_state_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_state_check
    CHECK (state IN ('accepted','planning','working','evaluating','awaiting_approval','merge_blocked','merge_queued','merged','rejected','failed','cancelled'));

DROP INDEX ux_tasks_active_issue;
CREATE UNIQUE INDEX ux_tasks_active_issue ON tasks (repository_id, issue_number)
    WHERE state IN ('accepted','planning','working','evaluating','awaiting_approval','merge_blocked','merge_queued');
