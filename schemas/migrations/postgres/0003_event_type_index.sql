-- Consumers that tail the ledger for a few event types only (the back-channel logout worker,
-- the mail notifier, sinks with an event type filter) ask for `position > ? AND event_type =
-- ANY(...)` with no aggregate type. Without this index that query walked every event after the
-- consumer's last match, on every append: its cost grew with the ledger (issue #8 profile).
CREATE INDEX events_event_position
    ON castellan.events (event_type, position);
