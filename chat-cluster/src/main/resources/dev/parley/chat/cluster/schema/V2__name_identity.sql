-- Parley cluster tables, schema version 2 (from version 1): names carry the identity holding them, and
-- the confusable keys of every name held are unique (issue 16). Same conventions as V1__create.sql.
-- Names held while this runs keep working; they get keys when claimed again.

-- The identity holding the name: the canonical name (authenticated) or canonical~ID (anonymous).
-- NULL only for a name claimed before version 2 (then shared means "the canonical name").
ALTER TABLE parley_name ADD COLUMN IF NOT EXISTS identity VARCHAR(100);

-- The confusable keys (UTS #39 skeletons, Names.confusableKeys) of the names held: one name per key,
-- so a look-alike of a name online cannot be claimed. A key goes with its name.
CREATE TABLE IF NOT EXISTS parley_name_key (
    skeleton  VARCHAR(400) NOT NULL,
    canonical VARCHAR(64)  NOT NULL,
    CONSTRAINT parley_name_key_pk PRIMARY KEY (skeleton),
    CONSTRAINT parley_name_key_name FOREIGN KEY (canonical) REFERENCES parley_name (canonical) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS parley_name_key_canonical ON parley_name_key (canonical);

INSERT INTO parley_cluster_schema_version (version, description) VALUES (2, 'name identity and confusable keys');
