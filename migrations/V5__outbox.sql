-- Delivery of the notification outbox (rollout.Notifier): when the last attempt was made and why it failed, and when
-- the notifier gave up on a row (it retries for 24 h after the row was written, then keeps it here for inspection).
-- The pending index covers what the notifier claims: neither delivered nor given up.

ALTER TABLE notification_outbox ADD COLUMN last_attempt_at timestamptz;
ALTER TABLE notification_outbox ADD COLUMN last_error text;
ALTER TABLE notification_outbox ADD COLUMN gave_up_at timestamptz;

DROP INDEX notification_outbox_pending;
CREATE INDEX notification_outbox_pending ON notification_outbox (next_attempt_at, id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
