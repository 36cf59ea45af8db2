-- PostgreSQL port of ../0006_proposal_text.sql.
-- Proposal texts the model drafted (docs/proposals.md): the explanation, already made inert for a GitHub body, and
-- the model that wrote it. Both NULL for a proposal worded by the templates.
ALTER TABLE proposals ADD COLUMN explanation TEXT;
ALTER TABLE proposals ADD COLUMN text_model TEXT;
