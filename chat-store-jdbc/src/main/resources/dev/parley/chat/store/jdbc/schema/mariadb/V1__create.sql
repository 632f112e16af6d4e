-- Parley JDBC message store, schema version 1, MariaDB 10.5+ / MySQL 8 (InnoDB, utf8mb4).
-- Tables use the default prefix "parley_"; with JdbcMessageStore.Builder.tablePrefix(p), replace
-- every "parley_" below by p. Statements end with ";" at the end of a line.
-- utf8mb4 keeps 4-byte UTF-8 (emoji); the binary collation compares keys character for character.

CREATE TABLE IF NOT EXISTS parley_conversation (
    conversation VARCHAR(200) NOT NULL,
    head         BIGINT       NOT NULL,
    PRIMARY KEY (conversation)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS parley_message (
    conversation VARCHAR(200) NOT NULL,
    seq          BIGINT       NOT NULL,
    sender       VARCHAR(64)  NOT NULL,
    client_id    VARCHAR(64),
    body         MEDIUMTEXT   NOT NULL,
    created_ms   BIGINT       NOT NULL,
    PRIMARY KEY (conversation, seq),
    UNIQUE KEY parley_message_client_id (conversation, sender, client_id),
    KEY parley_message_created (created_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS parley_schema_version (
    version     INT          NOT NULL,
    description VARCHAR(200) NOT NULL,
    PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO parley_schema_version (version, description) VALUES (1, 'create');
