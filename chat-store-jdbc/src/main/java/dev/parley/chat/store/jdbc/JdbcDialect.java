package dev.parley.chat.store.jdbc;

import java.util.Locale;

/**
 * The databases {@link JdbcMessageStore} knows. The store detects the dialect from the connection's
 * {@link java.sql.DatabaseMetaData#getDatabaseProductName() product name}; set it explicitly with
 * {@link JdbcMessageStore.Builder#dialect(JdbcDialect)} only if detection picks the wrong one.
 *
 * <p>Each dialect ships its schema as plain SQL files on the class path, one per schema version, at
 * {@code dev/parley/chat/store/jdbc/schema/<directory>/V<version>__<name>.sql} (for example
 * {@code dev/parley/chat/store/jdbc/schema/postgresql/V1__create.sql}), written for the default table
 * prefix {@code parley_}. Flyway and Liquibase users can copy or reference them and run the store with
 * {@link SchemaMode#VALIDATE}.
 */
public enum JdbcDialect {
    /** H2 2.x, embedded (file or in-memory) or server mode. */
    H2("h2"),
    /** PostgreSQL 12 or later. */
    POSTGRESQL("postgresql"),
    /** MariaDB 10.5+ and MySQL 8 (InnoDB, utf8mb4). */
    MARIADB("mariadb"),
    /** SQLite 3.35 or later (xerial sqlite-jdbc). */
    SQLITE("sqlite");

    /** The schema version this release of the store creates and expects. */
    public static final int SCHEMA_VERSION = 1;

    private final String directory;

    JdbcDialect(String directory) {
        this.directory = directory;
    }

    /** The directory name under {@code dev/parley/chat/store/jdbc/schema/}, e.g. {@code postgresql}. */
    public String directory() {
        return directory;
    }

    /**
     * The class-path resource with the SQL that brings a database from schema version
     * {@code version - 1} to {@code version}, e.g. {@code dev/parley/chat/store/jdbc/schema/h2/V1__create.sql}.
     *
     * @throws IllegalArgumentException if there is no such version
     */
    public String schemaResource(int version) {
        if (version != 1) {
            throw new IllegalArgumentException("no schema version " + version + " (this release has 1.."
                    + SCHEMA_VERSION + ")");
        }
        return "dev/parley/chat/store/jdbc/schema/" + directory + "/V1__create.sql";
    }

    /**
     * The dialect for a JDBC product name as reported by {@link java.sql.DatabaseMetaData}.
     *
     * @throws IllegalArgumentException if the database is not one of these
     */
    public static JdbcDialect fromProductName(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.startsWith("h2")) {
            return H2;
        }
        if (p.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return MARIADB;
        }
        if (p.contains("sqlite")) {
            return SQLITE;
        }
        throw new IllegalArgumentException("unsupported database \"" + productName
                + "\"; JdbcMessageStore supports H2, PostgreSQL, MariaDB/MySQL and SQLite");
    }
}
