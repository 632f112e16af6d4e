package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store TCK on an H2 file database under target/db. */
class H2FileContractTest extends JdbcContractTestSupport {
    private static TestDataSource ds;

    @BeforeAll
    static void open() {
        ds = Databases.h2File(Databases.freshDirectory("h2").resolve("store"));
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
