-- PostgreSQL port of ../0012_delivery_enqueued.sql.
-- With jobs in PostgreSQL the webhook answers once the delivery is stored, and its job is enqueued right after, off
-- the request (Ingress/DeliveryEnqueuer). enqueued_at records that; a delivery unprocessed and never enqueued (its
-- instance died between the two) is found by any instance's sweep. The partial index keeps that look small.
-- received_at is compared with < against an ISO 8601 string: its "C" collation makes that a byte comparison.
ALTER TABLE deliveries ADD COLUMN enqueued_at TEXT COLLATE "C";
CREATE INDEX ix_deliveries_unprocessed ON deliveries (received_at) WHERE processed_at IS NULL;
