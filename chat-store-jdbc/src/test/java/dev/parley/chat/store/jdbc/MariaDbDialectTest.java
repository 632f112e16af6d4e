package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dialect checks on the MariaDB service (skipped if unreachable, failed under PARLEY_REQUIRE_DATABASES=1). */
class MariaDbDialectTest extends DialectTestSupport {
    private static TestDataSource ds;

    @AfterAll
    static void shut() {
        if (ds != null) {
            ds.close();
        }
    }

    @Override
    TestDataSource dataSource() {
        if (ds == null) {
            ds = Databases.mariadb(); // skips (or fails, in CI) each test if the service is down
        }
        return ds;
    }

    @Override
    JdbcDialect expectedDialect() {
        return JdbcDialect.MARIADB;
    }

    @Override
    List<String> explain(Connection c, String sql) throws SQLException {
        return rows(c, "EXPLAIN " + sql);
    }

    @Override
    void assertIndexRangeScan(String plan, String prefix) {
        // e.g. type=range possible_keys=PRIMARY,t1_message_client_id key=PRIMARY ...
        assertFalse(plan.contains("type=ALL"), plan);
        assertTrue(plan.contains("type=range") && plan.contains("key=PRIMARY "), plan);
    }

    @Override
    void analyze(Connection c, String prefix) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE " + prefix + "message");
        }
    }
}
