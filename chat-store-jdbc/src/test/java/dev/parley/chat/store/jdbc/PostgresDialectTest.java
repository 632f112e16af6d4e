package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dialect checks on the PostgreSQL service (skipped if unreachable, failed under PARLEY_REQUIRE_DATABASES=1). */
class PostgresDialectTest extends DialectTestSupport {
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
            ds = Databases.postgres(); // skips (or fails, in CI) each test if the service is down
        }
        return ds;
    }

    @Override
    JdbcDialect expectedDialect() {
        return JdbcDialect.POSTGRESQL;
    }

    @Override
    List<String> explain(Connection c, String sql) throws SQLException {
        return rows(c, "EXPLAIN " + sql);
    }

    @Override
    void assertIndexRangeScan(String plan, String prefix) {
        // e.g. "Index Scan Backward using t1_message_pk on t1_message", or for a few rows
        // "Bitmap Index Scan on t1_message_pk", with Index Cond: ((conversation)::text = '#room1'::text) AND (seq < 20)
        assertFalse(plan.contains("Seq Scan"), plan);
        assertTrue(plan.contains("Index Scan Backward using " + prefix + "message_pk on ")
                || plan.contains("Index Scan using " + prefix + "message_pk on ")
                || plan.contains("Bitmap Index Scan on " + prefix + "message_pk"), plan);
        assertTrue(plan.matches("(?s).*Index Cond: \\(\\(\\(conversation\\)::text = '#room1'::text\\) AND \\(seq [<>] '?\\d+'?(::bigint)?\\)\\).*"), plan);
    }

    @Override
    void analyze(Connection c, String prefix) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE " + prefix + "message");
        }
    }
}
