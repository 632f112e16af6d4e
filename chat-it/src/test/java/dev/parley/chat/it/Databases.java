package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The PostgreSQL service the tests use (127.0.0.1:5432, database test, user postgres, trust). When it is
 * unreachable the database part is skipped, unless {@code PARLEY_REQUIRE_DATABASES=1} (CI): then it fails.
 */
final class Databases {
    private Databases() {
    }

    /** True if reachable; false (with the reason on stderr) if not and not required; fails if required. */
    static boolean postgresReachable(String url) {
        try (Connection c = DriverManager.getConnection(url + "?connectTimeout=5", "postgres", null)) {
            return c.isValid(5);
        } catch (SQLException e) {
            String message = "PostgreSQL not reachable at " + url + " (" + e.getMessage() + ")";
            if ("1".equals(System.getenv("PARLEY_REQUIRE_DATABASES"))) {
                fail(message + "; PARLEY_REQUIRE_DATABASES=1 requires it");
            }
            System.err.println(message + ": skipping the PostgreSQL part (set PARLEY_REQUIRE_DATABASES=1 to fail)");
            return false;
        }
    }

    /** Drops the JDBC store's three tables with this prefix. */
    static void dropTables(String url, String prefix) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
            for (String t : List.of("message", "conversation", "schema_version")) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        }
    }
}
