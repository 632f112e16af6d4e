package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store TCK on H2 in memory. */
class H2MemoryContractTest extends JdbcContractTestSupport {
    private static TestDataSource ds;

    @BeforeAll
    static void open() {
        ds = Databases.h2Memory();
    }

    @AfterAll
    static void shut() {
        ds.close();
    }

    @Override
    TestDataSource dataSource() {
        return ds;
    }
}
