-- Castellan ledger (SQLite, embedded mode): the event store and the unique constraints.
-- Design and the single-writer ordering argument: docs/design/0001-ledger.md.

CREATE TABLE events (
    -- Global order, assigned as MAX(position)+1.. inside the single writer's transaction, so
    -- position order is commit order. Being the rowid, it also clusters the table for tailing.
    position       INTEGER NOT NULL PRIMARY KEY,
    instance_id    TEXT    NOT NULL,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    sequence       INTEGER NOT NULL CHECK (sequence > 0),
    event_type     TEXT    NOT NULL,
    revision       INTEGER NOT NULL,
    -- JSON text.
    payload        TEXT    NOT NULL,
    creator        TEXT    NOT NULL,
    resource_owner TEXT    NOT NULL,
    -- Microseconds since the Unix epoch.
    created_at     INTEGER NOT NULL,
    CONSTRAINT events_aggregate_sequence UNIQUE (instance_id, aggregate_type, aggregate_id, sequence)
) STRICT;

CREATE INDEX events_instance_position
    ON events (instance_id, position);
CREATE INDEX events_instance_type_event_position
    ON events (instance_id, aggregate_type, event_type, position);
CREATE INDEX events_type_event_position
    ON events (aggregate_type, event_type, position);

CREATE TABLE unique_constraints (
    instance_id  TEXT NOT NULL,
    unique_type  TEXT NOT NULL,
    -- Stored lower-cased (Unicode lower case, applied by the writer).
    unique_field TEXT NOT NULL,
    PRIMARY KEY (instance_id, unique_type, unique_field)
) STRICT, WITHOUT ROWID;
