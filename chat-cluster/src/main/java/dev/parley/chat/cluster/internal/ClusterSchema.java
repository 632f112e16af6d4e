package dev.parley.chat.cluster.internal;

import dev.parley.chat.store.jdbc.JdbcStoreException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the cluster's tables (next to the store's, same schema and prefix) from the shipped files
 * {@value #RESOURCE_V1} and {@value #RESOURCE_V2}, versioned in {@code <prefix>cluster_schema_version}
 * like the store's own: a database at version 1 is migrated to 2 by running the second file.
 */
public final class ClusterSchema {
    private static final Logger log = LoggerFactory.getLogger(ClusterSchema.class);
    /** The schema version this release creates and expects. */
    public static final int VERSION = 2;
    /** The class-path resource of version 1. */
    public static final String RESOURCE_V1 = "dev/parley/chat/cluster/schema/V1__create.sql";
    /** The class-path resource that takes version 1 to 2 (name identities and confusable keys). */
    public static final String RESOURCE_V2 = "dev/parley/chat/cluster/schema/V2__name_identity.sql";
    private static final List<String> RESOURCES = List.of(RESOURCE_V1, RESOURCE_V2);

    private ClusterSchema() {
    }

    /**
     * Creates the tables if missing and checks the version.
     *
     * @param schema the store's schema ({@code current_schema()} of the data source's connections)
     * @throws JdbcStoreException if the database fails, the connections' schema differs from the
     *     store's, or the version is newer than this release knows
     */
    public static void prepare(DataSource dataSource, ClusterTables t, String schema, boolean create) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
                String current = rs.next() ? rs.getString(1) : null;
                if (schema != null && !schema.equals(current)) {
                    throw new JdbcStoreException("the data source's schema is " + current + ", the store's " + schema
                            + "; give the cluster the store's data source");
                }
            }
            int found = version(c, t);
            if (found > VERSION) {
                throw new JdbcStoreException("table " + t.prefix + "cluster_schema_version says version " + found
                        + ", newer than this release supports (" + VERSION + "); upgrade Parley");
            }
            if (found < VERSION) {
                List<String> missing = RESOURCES.subList(found, VERSION);
                if (!create) {
                    throw new JdbcStoreException("cluster tables " + t.prefix + "* are " + (found == 0 ? "missing"
                            : "at schema version " + found) + "; apply " + String.join(" then ", missing)
                            + " (with the prefix replaced) or let the store create its schema");
                }
                log.info("{} cluster tables {}* (schema version {} to {})", found == 0 ? "Creating" : "Migrating",
                        t.prefix, found, VERSION);
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    for (String resource : missing) {
                        for (String sql : statements(script(resource, t.prefix))) {
                            s.execute(sql);
                        }
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    c.setAutoCommit(true);
                    if (!"23505".equals(e.getSQLState()) || version(c, t) < VERSION) {
                        throw e;
                    }
                    log.debug("Cluster tables {}* were created concurrently", t.prefix);
                } finally {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new JdbcStoreException("preparing the cluster tables " + t.prefix + "*", e);
        }
    }

    private static int version(Connection c, ClusterTables t) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + t.schemaVersion)) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            return 0;
        }
    }

    /** A shipped script with the default prefix replaced. */
    static String script(String resource, String prefix) {
        try (InputStream in = ClusterSchema.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(ClusterTables.DEFAULT_PREFIX, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Statements of the script: comment lines dropped, split where a line ends with {@code ;}. */
    static List<String> statements(String script) {
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
        return result;
    }
}
