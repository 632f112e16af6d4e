-- Parley JDBC message store, schema version 1, H2 2.x.
-- Tables use the default prefix "parley_"; with JdbcMessageStore.Builder.tablePrefix(p), replace
-- every "parley_" below by p. Statements end with ";" at the end of a line.

CREATE TABLE IF NOT EXISTS parley_conversation (
    conversation VARCHAR(200) NOT NULL,
    head         BIGINT       NOT NULL,
    CONSTRAINT parley_conversation_pk PRIMARY KEY (conversation)
);

CREATE TABLE IF NOT EXISTS parley_message (
    conversation VARCHAR(200)      NOT NULL,
    seq          BIGINT            NOT NULL,
    sender       VARCHAR(64)       NOT NULL,
    client_id    VARCHAR(64),
    body         CHARACTER VARYING NOT NULL,
    created_ms   BIGINT            NOT NULL,
    CONSTRAINT parley_message_pk PRIMARY KEY (conversation, seq)
);

CREATE UNIQUE INDEX IF NOT EXISTS parley_message_client_id ON parley_message (conversation, sender, client_id);

CREATE INDEX IF NOT EXISTS parley_message_created ON parley_message (created_ms);

CREATE TABLE IF NOT EXISTS parley_schema_version (
    version     INT          NOT NULL,
    description VARCHAR(200) NOT NULL,
    CONSTRAINT parley_schema_version_pk PRIMARY KEY (version)
);

INSERT INTO parley_schema_version (version, description) VALUES (1, 'create');
