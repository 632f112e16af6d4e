package dev.parley.chat.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/** The store TCK on H2 in memory with group commit off, and with a small batch and a wait. */
class H2MemoryNoGroupCommitContractTest extends JdbcContractTestSupport {
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

    @Override
    JdbcMessageStore.Builder builder() {
        return super.builder().groupCommit(false);
    }
}
