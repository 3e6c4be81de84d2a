-- Castellan ledger (PostgreSQL): the event store and the unique constraints claimed with it.
-- Design and the gap-free ordering argument: docs/design/0001-ledger.md.

CREATE SCHEMA IF NOT EXISTS castellan;

CREATE TABLE castellan.events (
    instance_id    TEXT     NOT NULL,
    aggregate_type TEXT     NOT NULL,
    aggregate_id   TEXT     NOT NULL,
    -- Per-aggregate sequence, 1, 2, 3, ... (the aggregate's version after this event).
    sequence       BIGINT   NOT NULL CHECK (sequence > 0),
    event_type     TEXT     NOT NULL,
    revision       SMALLINT NOT NULL,
    payload        JSONB    NOT NULL,
    creator        TEXT     NOT NULL,
    resource_owner TEXT     NOT NULL,
    -- Microseconds since the Unix epoch (the command's injected time).
    created_at     BIGINT   NOT NULL,
    -- (transaction id << 16) | index within the batch: unique, increasing in xid order.
    position       BIGINT   NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (instance_id, aggregate_type, aggregate_id, sequence),
    CONSTRAINT events_position_key UNIQUE (position)
);

-- Tails of one instance (all types), and of selected aggregate/event types.
CREATE INDEX events_instance_position
    ON castellan.events (instance_id, position);
CREATE INDEX events_instance_type_event_position
    ON castellan.events (instance_id, aggregate_type, event_type, position);
-- Cross-instance projections that follow a few event types.
CREATE INDEX events_type_event_position
    ON castellan.events (aggregate_type, event_type, position);

CREATE TABLE castellan.unique_constraints (
    instance_id  TEXT NOT NULL,
    unique_type  TEXT NOT NULL,
    -- Stored lower-cased (Unicode lower case, applied by the writer).
    unique_field TEXT NOT NULL,
    CONSTRAINT unique_constraints_pkey PRIMARY KEY (instance_id, unique_type, unique_field)
);
