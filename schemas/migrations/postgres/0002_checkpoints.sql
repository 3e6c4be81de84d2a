-- Durable positions of the ledger's own consumers (the Kafka relay): a relay resumes from here.
CREATE TABLE castellan.checkpoints (
    name       TEXT   NOT NULL PRIMARY KEY,
    position   BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
