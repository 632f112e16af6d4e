-- Parley cluster tables, schema version 1, PostgreSQL 12 or later. They live next to the message
-- store's tables (same schema, same prefix): with JdbcMessageStore.Builder.tablePrefix(p), replace
-- every "parley_" below by p. Statements end with ";" at the end of a line.

-- One row per incarnation of a node: a restarted node gets a new row. The lease is judged by the
-- database's clock only. state: alive, dead (reaped), left (shut down cleanly).
CREATE TABLE IF NOT EXISTS parley_node (
    id          BIGSERIAL    NOT NULL,
    name        VARCHAR(64)  NOT NULL,
    state       VARCHAR(8)   NOT NULL,
    started_at  TIMESTAMPTZ  NOT NULL,
    lease_until TIMESTAMPTZ  NOT NULL,
    ended_at    TIMESTAMPTZ,
    ended_by    BIGINT,
    CONSTRAINT parley_node_pk PRIMARY KEY (id),
    CONSTRAINT parley_node_state CHECK (state IN ('alive', 'dead', 'left'))
);

CREATE INDEX IF NOT EXISTS parley_node_alive ON parley_node (lease_until) WHERE state = 'alive';

-- A user name held in the cluster (canonical form: NFKC, lower case, NFKC), by one connection, or by
-- several if it is a shared (authenticated) identity.
CREATE TABLE IF NOT EXISTS parley_name (
    canonical VARCHAR(64) NOT NULL,
    name      VARCHAR(64) NOT NULL,
    shared    BOOLEAN     NOT NULL,
    CONSTRAINT parley_name_pk PRIMARY KEY (canonical)
);

-- Which connection (of which node) holds which name.
CREATE TABLE IF NOT EXISTS parley_name_holder (
    node_id       BIGINT      NOT NULL,
    connection_id BIGINT      NOT NULL,
    canonical     VARCHAR(64) NOT NULL,
    CONSTRAINT parley_name_holder_pk PRIMARY KEY (node_id, connection_id)
);

CREATE INDEX IF NOT EXISTS parley_name_holder_canonical ON parley_name_holder (canonical);

-- Which connection (of which node) is in which room.
CREATE TABLE IF NOT EXISTS parley_member (
    node_id       BIGINT      NOT NULL,
    connection_id BIGINT      NOT NULL,
    room          VARCHAR(64) NOT NULL,
    canonical     VARCHAR(64) NOT NULL,
    CONSTRAINT parley_member_pk PRIMARY KEY (node_id, connection_id, room)
);

-- Per room and identity, how many connections are in it cluster-wide: the 0<->1 transitions of this
-- count are the JOINED and LEFT notices.
CREATE TABLE IF NOT EXISTS parley_presence (
    room        VARCHAR(64) NOT NULL,
    canonical   VARCHAR(64) NOT NULL,
    name        VARCHAR(64) NOT NULL,
    connections INT         NOT NULL,
    CONSTRAINT parley_presence_pk PRIMARY KEY (room, canonical)
);

-- Per room, the number of the last presence event: events are numbered 1, 2, 3... per room under
-- this row's lock, so they commit in number order, like a conversation's messages.
CREATE TABLE IF NOT EXISTS parley_room_events (
    room       VARCHAR(64) NOT NULL,
    last_event BIGINT      NOT NULL,
    CONSTRAINT parley_room_events_pk PRIMARY KEY (room)
);

-- The JOINED and LEFT notices, once each. after_seq: the room's message head when it was decided.
-- origin_node: the node whose server already told its own members (null: a reaper's LEFT, for all).
CREATE TABLE IF NOT EXISTS parley_presence_event (
    room        VARCHAR(64) NOT NULL,
    event       BIGINT      NOT NULL,
    kind        VARCHAR(6)  NOT NULL,
    name        VARCHAR(64) NOT NULL,
    reason      VARCHAR(16),
    after_seq   BIGINT      NOT NULL,
    origin_node BIGINT,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT parley_presence_event_pk PRIMARY KEY (room, event),
    CONSTRAINT parley_presence_event_kind CHECK (kind IN ('JOINED', 'LEFT'))
);

CREATE INDEX IF NOT EXISTS parley_presence_event_created ON parley_presence_event (created_at);

CREATE TABLE IF NOT EXISTS parley_cluster_schema_version (
    version     INT          NOT NULL,
    description VARCHAR(200) NOT NULL,
    CONSTRAINT parley_cluster_schema_version_pk PRIMARY KEY (version)
);

INSERT INTO parley_cluster_schema_version (version, description) VALUES (1, 'create');
