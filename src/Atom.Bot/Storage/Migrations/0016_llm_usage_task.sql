-- The token budgets (Tasks/TokenBudget) sum a task's stored tokens before every worker request: by task, not a scan.
CREATE INDEX ix_llm_usage_task ON llm_usage (task_id);
