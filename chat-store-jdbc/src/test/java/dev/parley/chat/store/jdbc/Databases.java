package dev.parley.chat.store.jdbc;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The databases the JDBC tests run on. H2 and SQLite are embedded (files under {@code target/});
 * PostgreSQL and MariaDB are the services on 127.0.0.1 (ports 5432 and 3306; system properties
 * {@code parley.test.pg.host/port} and {@code parley.test.mariadb.host/port} override them). When one
 * of those is unreachable the test is skipped, unless the environment has
 * {@code PARLEY_REQUIRE_DATABASES=1} (CI), then it fails.
 */
final class Databases {
    static final String PG_HOST = System.getProperty("parley.test.pg.host", "127.0.0.1");
    static final int PG_PORT = Integer.getInteger("parley.test.pg.port", 5432);
    static final String MARIADB_HOST = System.getProperty("parley.test.mariadb.host", "127.0.0.1");
    static final int MARIADB_PORT = Integer.getInteger("parley.test.mariadb.port", 3306);

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /** Service -> "" if it answered, else why not (tests only: one connection attempt per service). */
    private static final ConcurrentHashMap<String, String> UNREACHABLE = new ConcurrentHashMap<>();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);

    private Databases() {
    }

    /** A table prefix no other store in this run (or an earlier one) uses. */
    static String freshPrefix() {
        return "t" + RUN + "_" + PREFIXES.incrementAndGet() + "_";
    }

    static TestDataSource h2Memory() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return new TestDataSource(ds);
    }

    static TestDataSource h2File(Path file) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + file.toAbsolutePath());
        return new TestDataSource(ds);
    }

    static Path freshDirectory(String name) {
        try {
            Path dir = Path.of("target", "db", name + "-" + UUID.randomUUID());
            Files.createDirectories(dir);
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static TestDataSource sqlite(Path file) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return new TestDataSource(ds);
    }

    static TestDataSource postgres() {
        return postgres(null);
    }

    /** PostgreSQL with {@code currentSchema} set (as {@code ?currentSchema=} in a URL would), or the default. */
    static TestDataSource postgres(String currentSchema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        if (currentSchema != null) {
            ds.setCurrentSchema(currentSchema);
        }
        ds.setServerNames(new String[] {PG_HOST});
        ds.setPortNumbers(new int[] {PG_PORT});
        ds.setDatabaseName("test");
        ds.setUser("postgres");
        ds.setConnectTimeout(5);
        ds.setLoginTimeout(5);
        return requireReachable(new TestDataSource(ds), "PostgreSQL", PG_HOST + ":" + PG_PORT);
    }

    static TestDataSource mariadb() {
        try {
            MariaDbDataSource ds = new MariaDbDataSource(
                    "jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/test?user=root&connectTimeout=5000");
            return requireReachable(new TestDataSource(ds), "MariaDB", MARIADB_HOST + ":" + MARIADB_PORT);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the data source if the database answers; otherwise fails (CI) or aborts the current test
     * (reported as skipped with the reason). The outcome is remembered, so a class whose database is
     * down tries to connect once, and every one of its tests is reported with the same message.
     */
    private static TestDataSource requireReachable(TestDataSource ds, String name, String where) {
        String problem = UNREACHABLE.computeIfAbsent(name + "@" + where, k -> {
            try (Connection c = ds.getConnection()) {
                c.isValid(5);
                return "";
            } catch (SQLException e) {
                return name + " not reachable at " + where + " (" + e.getMessage() + ")";
            }
        });
        if (problem.isEmpty()) {
            return ds;
        }
        if ("1".equals(System.getenv("PARLEY_REQUIRE_DATABASES"))) {
            fail(problem + "; PARLEY_REQUIRE_DATABASES=1 requires it");
        }
        Assumptions.abort(problem + " (set PARLEY_REQUIRE_DATABASES=1 to fail instead)");
        throw new AssertionError("not reached");
    }

    /** Drops the store's three tables (for per-store isolation on shared databases). */
    static void dropTables(DataSource ds, String prefix) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String t : new String[] {"message", "conversation", "schema_version"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop tables " + prefix + "*", e);
        }
    }
}
