-- The embedded read store: query-shaped tables of JSON rows (see readers/src/store.rs).
CREATE TABLE IF NOT EXISTS read_rows (
    tbl        TEXT    NOT NULL,
    part       TEXT    NOT NULL,
    clust      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    data       TEXT    NOT NULL,
    PRIMARY KEY (tbl, part, clust)
) WITHOUT ROWID;

-- A deleted partition: rows older than `position` stay dead.
CREATE TABLE IF NOT EXISTS read_partition_tombstones (
    tbl      TEXT    NOT NULL,
    part     TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (tbl, part)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS read_checkpoints (
    projection TEXT    NOT NULL PRIMARY KEY,
    position   INTEGER NOT NULL
) WITHOUT ROWID;
