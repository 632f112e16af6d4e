package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store TCK on the MariaDB service (skipped if unreachable, failed under PARLEY_REQUIRE_DATABASES=1). */
class MariaDbContractTest extends JdbcContractTestSupport {
    private static TestDataSource ds;

    @BeforeAll
    static void open() {
        ds = Databases.mariadb();
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
