package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store TCK on an SQLite file under target/db (WAL journal). */
class SqliteContractTest extends JdbcContractTestSupport {
    private static TestDataSource ds;

    @BeforeAll
    static void open() {
        ds = Databases.sqlite(Databases.freshDirectory("sqlite").resolve("store.db"));
    }

    @AfterAll
    static void shut() {
        if (ds != null) {
            ds.close();
        }
    }

    @Override
    TestDataSource dataSource() {
        return ds;
    }
}
