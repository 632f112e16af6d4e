package dev.parley.chat.store.jdbc;

/** What {@link JdbcMessageStore.Builder#build()} does about the database schema. */
public enum SchemaMode {
    /**
     * Create the tables and indexes if they are missing (from the dialect's schema file, see
     * {@link JdbcDialect#schemaResource(int)}), apply later versions if the database is older, then
     * validate. The default.
     */
    CREATE_IF_MISSING,
    /**
     * Create nothing; fail at build time with a {@link JdbcStoreException} that names what is missing if
     * the tables, their columns or the expected schema version are not there. For databases whose schema
     * is managed by Flyway, Liquibase or a DBA.
     */
    VALIDATE,
    /** Neither create nor check anything; the first append or read fails if the schema is wrong. */
    NONE
}
