package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;

/** The store TCK on the PostgreSQL service (skipped if unreachable, failed under PARLEY_REQUIRE_DATABASES=1). */
class PostgresContractTest extends JdbcContractTestSupport {
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
}
