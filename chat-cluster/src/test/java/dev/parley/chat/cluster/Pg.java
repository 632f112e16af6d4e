package dev.parley.chat.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PostgreSQL service the cluster tests run on (127.0.0.1:5432, database {@code test}; system
 * properties {@code parley.test.pg.host/port} override). Each test cluster gets a schema of its own
 * ({@code currentSchema=} in the URL), dropped afterwards. Unreachable: the test is skipped, unless
 * {@code PARLEY_REQUIRE_DATABASES=1} (CI), then it fails.
 */
public final class Pg {
    public static final String HOST = System.getProperty("parley.test.pg.host", "127.0.0.1");
    public static final int PORT = Integer.getInteger("parley.test.pg.port", 5432);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static volatile String unreachable;

    private Pg() {
    }

    /** The JDBC URL of the test database, in a schema. */
    public static String url(String schema) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/test?currentSchema=" + schema;
    }

    /** A schema name no other test (or run) uses. */
    public static String freshSchema() {
        requireReachable();
        return "pc" + RUN + "_" + SCHEMAS.incrementAndGet();
    }

    /** A small pool on the test database in {@code schema}. */
    public static HikariDataSource pool(String schema, String name, int size) {
        requireReachable();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(schema));
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setPoolName("pg-" + name);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /** Runs SQL on the test database (outside any schema's tables: fully qualify what you name). */
    public static void execute(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/test", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs a query whose answer is one number. */
    public static long queryLong(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/test", "postgres", "");
                Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Drops a test schema and everything in it. */
    public static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }

    private static void requireReachable() {
        if (unreachable == null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT
                    + "/test?connectTimeout=5", "postgres", "")) {
                c.isValid(5);
                unreachable = "";
            } catch (SQLException e) {
                unreachable = "PostgreSQL not reachable at " + HOST + ":" + PORT + " (" + e.getMessage() + ")";
            }
        }
        if (unreachable.isEmpty()) {
            return;
        }
        if ("1".equals(System.getenv("PARLEY_REQUIRE_DATABASES"))) {
            fail(unreachable + "; PARLEY_REQUIRE_DATABASES=1 requires it");
        }
        Assumptions.abort(unreachable + " (set PARLEY_REQUIRE_DATABASES=1 to fail instead)");
    }
}
