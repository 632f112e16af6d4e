package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dialect checks on an SQLite file. */
class SqliteDialectTest extends DialectTestSupport {
    private static TestDataSource ds;

    @BeforeAll
    static void open() {
        ds = Databases.sqlite(Databases.freshDirectory("sqlite-dialect").resolve("store.db"));
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
        return JdbcDialect.SQLITE;
    }

    @Override
    List<String> explain(Connection c, String sql) throws SQLException {
        return rows(c, "EXPLAIN QUERY PLAN " + sql);
    }

    @Override
    void assertIndexRangeScan(String plan, String prefix) {
        // e.g. detail=SEARCH t1_message USING PRIMARY KEY (conversation=? AND seq<?)
        assertFalse(plan.contains("SCAN"), plan);
        assertTrue(plan.contains("SEARCH " + prefix + "message USING PRIMARY KEY (conversation=? AND seq"), plan);
    }

    @Override
    void analyze(Connection c, String prefix) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE " + prefix + "message");
        }
    }
}
