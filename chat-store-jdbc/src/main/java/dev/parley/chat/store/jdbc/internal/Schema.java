package dev.parley.chat.store.jdbc.internal;

import dev.parley.chat.store.jdbc.JdbcDialect;
import dev.parley.chat.store.jdbc.JdbcStoreException;
import dev.parley.chat.store.jdbc.SchemaMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Loads the shipped schema files, creates the tables and validates them. Runs once, at build time. */
public final class Schema {
    private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

    private Schema() {
    }

    /**
     * The SQL script that brings the schema to {@code version}, with the default prefix replaced.
     *
     * @throws IllegalStateException if the resource is missing from the jar
     */
    public static String script(JdbcDialect dialect, int version, String prefix) {
        String resource = dialect.schemaResource(version);
        try (InputStream in = Schema.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the class path");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replace(Tables.DEFAULT_PREFIX, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * The statements of a schema script: comment lines ({@code --}) dropped, split where a line ends
     * with {@code ;}. This is how the shipped files are written, so any tool that runs plain SQL files
     * can apply them.
     */
    public static List<String> statements(String script) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                result.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            result.add(current.toString().strip());
        }
        return result;
    }

    /**
     * PostgreSQL: the schema the tables live in, the connection's {@code current_schema()}: the first
     * schema of its {@code search_path} that exists (the JDBC URL's {@code currentSchema=} sets the
     * path). With {@link SchemaMode#CREATE_IF_MISSING}, a first path entry that does not exist yet is
     * created first, so {@code currentSchema=cluster_a} gives a store (and a cluster) of its own in a
     * shared database. Other dialects: {@code null} (tables unqualified).
     *
     * @throws JdbcStoreException if the database fails, or no schema of the path exists
     */
    public static String resolve(DataSource dataSource, JdbcDialect dialect, SchemaMode mode) {
        if (dialect != JdbcDialect.POSTGRESQL || mode == SchemaMode.NONE) {
            return null;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            String first = SearchPath.first(single(c, "SHOW search_path"));
            if (mode == SchemaMode.CREATE_IF_MISSING && first != null && !first.equals("$user")
                    && !exists(c, first)) {
                LOG.info("Creating schema {} (first in the search_path)", first);
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE SCHEMA IF NOT EXISTS " + Tables.quote(first));
                }
            }
            String current = single(c, "SELECT current_schema()");
            if (current == null) {
                throw new JdbcStoreException("no schema of the search_path (" + single(c, "SHOW search_path")
                        + ") exists; create it, or name one in the JDBC URL with currentSchema=");
            }
            return current;
        } catch (SQLException e) {
            throw new JdbcStoreException("finding the schema (search_path)", e);
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static boolean exists(Connection c, String schema) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Does what {@code mode} says; throws {@link JdbcStoreException} naming the problem. */
    public static void prepare(DataSource dataSource, JdbcDialect dialect, Tables tables, String prefix, SchemaMode mode) {
        if (mode == SchemaMode.NONE) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (mode == SchemaMode.CREATE_IF_MISSING) {
                create(c, dialect, tables, prefix);
            }
            validate(c, dialect, tables);
        } catch (SQLException e) {
            throw new JdbcStoreException("schema " + mode + " for tables " + prefix + "* (" + dialect + ")", e);
        }
    }

    private static void create(Connection c, JdbcDialect dialect, Tables tables, String prefix) throws SQLException {
        int found = version(c, tables);
        if (found > JdbcDialect.SCHEMA_VERSION) {
            throw new JdbcStoreException("table " + tables.plainSchemaVersion + tables.inSchema + " says schema version " + found
                    + ", newer than this store supports (" + JdbcDialect.SCHEMA_VERSION + "); upgrade Parley");
        }
        for (int v = Math.max(found, 0) + 1; v <= JdbcDialect.SCHEMA_VERSION; v++) {
            LOG.info("Creating schema version {} for tables {}* ({})", v, prefix, dialect);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : statements(script(dialect, v, prefix))) {
                    s.execute(sql);
                }
                c.commit();
            } catch (SQLException e) {
                Sql.rollbackQuietly(c);
                c.setAutoCommit(true);
                // Another store may have created the same version at the same time.
                if (Sql.isConstraintViolation(e, dialect) && version(c, tables) >= v) {
                    LOG.debug("Schema version {} for {}* was created concurrently", v, prefix);
                    continue;
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** The highest version in the version table, or -1 if the table cannot be read (missing). */
    private static int version(Connection c, Tables tables) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(tables.selectVersion)) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            LOG.debug("No readable table {}: {}", tables.schemaVersion, e.toString());
            return -1;
        }
    }

    private static void validate(Connection c, JdbcDialect dialect, Tables tables) {
        String fix = "; apply " + dialect.schemaResource(1) + " (with the table prefix replaced) or use SchemaMode.CREATE_IF_MISSING";
        int found = version(c, tables);
        if (found < 0) {
            throw new JdbcStoreException("schema validation failed: table " + tables.plainSchemaVersion + " is missing" + tables.inSchema + fix);
        }
        if (found != JdbcDialect.SCHEMA_VERSION) {
            throw new JdbcStoreException("schema validation failed: table " + tables.plainSchemaVersion + tables.inSchema + " says version "
                    + found + ", this store needs " + JdbcDialect.SCHEMA_VERSION + fix);
        }
        probe(c, tables.probeConversation, tables.plainConversation, tables.inSchema, "conversation, head", fix);
        probe(c, tables.probeMessage, tables.plainMessage, tables.inSchema, "conversation, seq, sender, client_id, body, created_ms", fix);
    }

    private static void probe(Connection c, String sql, String table, String inSchema, String columns, String fix) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
        } catch (SQLException e) {
            throw new JdbcStoreException("schema validation failed: table " + table + " is missing or lacks columns ("
                    + columns + ")" + inSchema + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")" + fix);
        }
    }
}
