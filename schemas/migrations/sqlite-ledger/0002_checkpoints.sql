-- Durable positions of the ledger's own consumers (the Kafka relay): a relay resumes from here.
CREATE TABLE checkpoints (
    name     TEXT    NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;
