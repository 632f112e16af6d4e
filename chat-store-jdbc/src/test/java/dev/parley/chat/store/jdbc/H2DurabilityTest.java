package dev.parley.chat.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged message must survive the process being killed. H2 writes commits to its file up to
 * WRITE_DELAY ms later (500 by default), so the store turns that delay off on every H2 database it
 * opens, whatever the URL says (chat-it's CrashTest kills a server on H2's default URL to prove it).
 */
@Timeout(30)
class H2DurabilityTest {
    @TempDir
    Path dir;

    @Test
    void theStoreMakesH2WriteEveryCommitBeforeItReturns() throws Exception {
        try (TestDataSource ds = Databases.h2File(dir.resolve("chat"))) {
            assertTrue(writeDelay(ds) > 0, "H2's own default delays writes; otherwise this test proves nothing");
            try (JdbcMessageStore store = JdbcMessageStore.builder(ds).build()) {
                assertEquals(JdbcDialect.H2, store.dialect());
                // The writer applies the setting on the connection it commits with.
                store.append(java.util.List.of(new dev.parley.chat.store.NewMessage(
                        "#lobby", "ann", "hello", java.time.Instant.now(), null)));
                assertEquals(0, writeDelay(ds));
            }
        }
    }

    private static int writeDelay(TestDataSource ds) throws Exception {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            assertTrue(rs.next(), "H2 reports no WRITE_DELAY setting");
            return Integer.parseInt(rs.getString(1));
        }
    }
}
