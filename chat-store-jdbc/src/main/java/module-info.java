/** A JDBC {@code MessageStore}: H2, PostgreSQL, MariaDB/MySQL and SQLite, with group commit. */
module dev.parley.chat.store.jdbc {
    requires transitive dev.parley.chat.api;
    requires transitive java.sql;
    requires org.slf4j;
}
