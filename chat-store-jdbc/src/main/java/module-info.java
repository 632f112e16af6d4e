/**
 * A JDBC {@code MessageStore}: H2, PostgreSQL, MariaDB/MySQL and SQLite, with group commit.
 * The implementation ({@code dev.parley.chat.store.jdbc.internal}) is not exported; the schema files
 * under {@code dev/parley/chat/store/jdbc/schema/} are plain resources in the jar.
 */
module dev.parley.chat.store.jdbc {
    requires transitive dev.parley.chat.api;
    requires transitive java.sql;
    requires org.slf4j;

    exports dev.parley.chat.store.jdbc;

}
