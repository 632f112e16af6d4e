-- Parley JDBC message store, schema version 1, SQLite 3.35+.
-- Tables use the default prefix "parley_"; with JdbcMessageStore.Builder.tablePrefix(p), replace
-- every "parley_" below by p. Statements end with ";" at the end of a line.
-- The message table is WITHOUT ROWID: rows are stored in (conversation, seq) order.

CREATE TABLE IF NOT EXISTS parley_conversation (
    conversation TEXT    NOT NULL PRIMARY KEY,
    head         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS parley_message (
    conversation TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    sender       TEXT    NOT NULL,
    client_id    TEXT,
    body         TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (conversation, seq)
) WITHOUT ROWID;

CREATE UNIQUE INDEX IF NOT EXISTS parley_message_client_id ON parley_message (conversation, sender, client_id);

CREATE INDEX IF NOT EXISTS parley_message_created ON parley_message (created_ms);

CREATE TABLE IF NOT EXISTS parley_schema_version (
    version     INTEGER NOT NULL PRIMARY KEY,
    description TEXT    NOT NULL
);

INSERT INTO parley_schema_version (version, description) VALUES (1, 'create');
