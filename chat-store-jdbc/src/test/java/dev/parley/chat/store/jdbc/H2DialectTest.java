package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dialect checks on an H2 file database. */
class H2DialectTest extends DialectTestSupport {
    private static TestDataSource ds;

    @BeforeAll
    static void open() {
        ds = Databases.h2File(Databases.freshDirectory("h2-dialect").resolve("store"));
    }

    @AfterAll
    static void shut() {
        ds.close();
    }

    @Override
    TestDataSource dataSource() {
        return ds;
    }

    @Override
    JdbcDialect expectedDialect() {
        return JdbcDialect.H2;
    }

    @Override
    List<String> explain(Connection c, String sql) throws SQLException {
        return rows(c, "EXPLAIN " + sql);
    }

    @Override
    void assertIndexRangeScan(String plan, String prefix) {
        // e.g. FROM "PUBLIC"."T1_MESSAGE" /* PUBLIC.PRIMARY_KEY_B: CONVERSATION = '#room1' AND SEQ < CAST(20 AS BIGINT) */
        assertFalse(plan.contains("tableScan"), plan);
        assertTrue(plan.contains("\"" + prefix.toUpperCase(Locale.ROOT) + "MESSAGE\""), plan);
        // The index comment names the conditions the primary-key index serves, in any order:
        // CONVERSATION = '#room1' and one or two SEQ bounds.
        java.util.regex.Matcher index = java.util.regex.Pattern
                .compile("/\\* PUBLIC\\.PRIMARY_KEY_\\w+: ([^*]*)\\*/").matcher(plan);
        assertTrue(index.find(), plan);
        assertTrue(index.group(1).contains("CONVERSATION = '#room1'"), plan);
        assertTrue(index.group(1).matches("(?s).*SEQ [<>]=? .*"), plan);
    }

    @Override
    void analyze(Connection c, String prefix) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE " + prefix + "message");
        }
    }
}
