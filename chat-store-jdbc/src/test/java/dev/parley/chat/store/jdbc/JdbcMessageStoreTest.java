package dev.parley.chat.store.jdbc;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of {@link JdbcMessageStore} beyond the TCK, on H2 (in memory or a file under target/). */
@Timeout(60)
class JdbcMessageStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123Z");

    private static NewMessage msg(String conversation, String text) {
        return new NewMessage(conversation, "ann", text, T0, null);
    }

    private static List<String> texts(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::text).toList();
    }

    @Test
    void historySurvivesARestartOnTheSameFile() {
        Path file = Databases.freshDirectory("h2-restart").resolve("chat");
        try (TestDataSource ds = Databases.h2File(file)) {
            try (JdbcMessageStore store = JdbcMessageStore.builder(ds).build()) {
                store.append(List.of(msg("#lobby", "one"), msg("#lobby", "two"),
                        new NewMessage("@ann bob", "ann", "dm", T0, "id-1")));
            }
            assertEquals(0, ds.lent());
        }
        // A new data source and store on the same file: nothing in memory survives, only the file.
        try (TestDataSource ds = Databases.h2File(file)) {
            try (JdbcMessageStore store = JdbcMessageStore.builder(ds).schemaMode(SchemaMode.VALIDATE).build()) {
                assertEquals(List.of("one", "two"), texts(store.readAfter("#lobby", 0, 10)));
                assertEquals(2, store.head("#lobby"));
                assertEquals(List.of("#lobby", "@ann bob"), store.conversations());
                assertEquals(3, store.append(List.of(msg("#lobby", "three"))).get(0).message().seq(),
                        "numbering continues after a restart");
                AppendResult resend = store.append(List.of(new NewMessage("@ann bob", "ann", "dm again", T0, "id-1"))).get(0);
                assertTrue(resend.duplicate(), "client ids survive a restart");
                assertEquals("dm", resend.message().text());
            }
        }
    }

    @Test
    void storeRecoversWhenTheDatabaseComesBack() {
        try (TestDataSource ds = Databases.h2Memory(); JdbcMessageStore store = JdbcMessageStore.builder(ds).build()) {
            store.append(List.of(msg("#r", "before")));
            ds.down(true);
            JdbcStoreException append = assertThrows(JdbcStoreException.class, () -> store.append(List.of(msg("#r", "lost"))));
            assertTrue(append.getMessage().contains("SQLState 08"), append.getMessage());
            assertTrue(append.sqlState().startsWith("08"), append.sqlState());
            JdbcStoreException read = assertThrows(JdbcStoreException.class, () -> store.readAfter("#r", 0, 10));
            assertTrue(read.getMessage().startsWith("readAfter failed: "), read.getMessage());
            assertThrows(JdbcStoreException.class, () -> store.head("#r"));
            ds.down(false);
            List<AppendResult> after = store.append(List.of(msg("#r", "after")));
            assertEquals(2, after.get(0).message().seq(), "the failed append used up no seq");
            assertEquals(List.of("before", "after"), texts(store.readAfter("#r", 0, 10)));
            assertEquals(2, store.head("#r"));
        }
    }

    @Test
    void aFailedBatchFailsOnlyTheCallsItCouldNotStore() throws Exception {
        // Another writer (here: plain SQL) took seq 2 behind the store's back: the store's cached head is
        // stale, its insert conflicts, it reloads the head and stores the message as seq 3.
        try (TestDataSource ds = Databases.h2Memory(); JdbcMessageStore store = JdbcMessageStore.builder(ds).build()) {
            store.append(List.of(msg("#x", "one")));
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO parley_message (conversation, seq, sender, client_id, body, created_ms)"
                        + " VALUES ('#x', 2, 'bob', NULL, 'foreign', 0)");
                s.execute("UPDATE parley_conversation SET head = 2 WHERE conversation = '#x'");
            }
            assertEquals(3, store.append(List.of(msg("#x", "three"))).get(0).message().seq());
            assertEquals(List.of("one", "foreign", "three"), texts(store.readAfter("#x", 0, 10)));
        }
    }

    @Test
    void anH2InMemoryDatabaseWithoutCloseDelayLivesAsLongAsTheStore() {
        // No DB_CLOSE_DELAY=-1: H2 drops an in-memory database when its last connection closes. The
        // store holds one open, so the tables it made are still there for the first append and after.
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:held-" + java.util.UUID.randomUUID());
        try (TestDataSource ds = new TestDataSource(h2)) {
            JdbcMessageStore store = JdbcMessageStore.builder(ds).build();
            assertEquals(1, ds.lent(), "one connection held while open");
            store.append(List.of(msg("#r", "one"), msg("#r", "two")));
            assertEquals(2, store.head("#r"));
            assertEquals(List.of("one", "two"), store.readAfter("#r", 0, 10).stream().map(StoredMessage::text).toList());
            store.close();
            assertEquals(0, ds.lent(), "given back on close");
        }
    }

    @Test
    void closeStopsEveryThreadAndGivesBackEveryConnection() {
        try (TestDataSource ds = Databases.h2Memory()) {
            JdbcMessageStore store = JdbcMessageStore.builder(ds).retention(10).retention(Duration.ofDays(1))
                    .retentionInterval(Duration.ofMillis(10)).build();
            store.append(List.of(msg("#a", "x")));
            store.purgeNow();
            List<Thread> threads = store.threads();
            assertTrue(threads.size() >= 1);
            assertTrue(threads.get(0).isAlive(), "writer runs while open");
            store.close();
            store.close();
            for (Thread t : threads) {
                assertFalse(t.isAlive(), t.getName() + " still alive after close()");
            }
            assertEquals(0, ds.lent(), "connections not given back");
            assertThrows(StoreException.class, () -> store.append(List.of(msg("#a", "y"))));
            assertThrows(StoreException.class, store::purgeNow);
        }
    }

    @Test
    void closeFinishesAppendsAlreadyQueued() throws Exception {
        try (TestDataSource ds = Databases.h2Memory()) {
            JdbcMessageStore store = JdbcMessageStore.builder(ds).groupCommit(1000, Duration.ofMillis(500)).build();
            CountDownLatch started = new CountDownLatch(8);
            List<Future<AppendResult>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    futures.add(pool.submit(() -> {
                        started.countDown();
                        return store.append(List.of(msg("#q", "m" + n))).get(0);
                    }));
                }
                assertTrue(started.await(10, TimeUnit.SECONDS));
                store.close();
                int stored = 0;
                for (Future<AppendResult> f : futures) {
                    try {
                        f.get(10, TimeUnit.SECONDS);
                        stored++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertTrue(e.getCause() instanceof StoreException, e.toString());
                    }
                }
                // Those queued before close() were written; a call that came after it was refused.
                try (JdbcMessageStore reopened = JdbcMessageStore.builder(ds).build()) {
                    assertEquals(stored, reopened.head("#q"));
                }
            }
        }
    }

    @Test
    void concurrentSendersShareTransactions() throws Exception {
        try (TestDataSource ds = Databases.h2Memory();
                JdbcMessageStore store = JdbcMessageStore.builder(ds).groupCommit(64, Duration.ZERO).build()) {
            // The first commit is held until 15 more senders wait in the queue: they must then go in
            // one transaction, however slow or loaded the machine (no time window involved).
            CountDownLatch firstCommitHeld = new CountDownLatch(1);
            CountDownLatch releaseFirstCommit = new CountDownLatch(1);
            AtomicBoolean first = new AtomicBoolean(true);
            ds.beforeCommit(() -> {
                if (first.compareAndSet(true, false)) {
                    firstCommitHeld.countDown();
                    try {
                        releaseFirstCommit.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            int senders = 16;
            List<Future<AppendResult>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                futures.add(pool.submit(() -> store.append(List.of(msg("#g", "m0"))).get(0)));
                assertTrue(firstCommitHeld.await(30, TimeUnit.SECONDS), "the first commit began");
                for (int i = 1; i < senders; i++) {
                    int n = i;
                    futures.add(pool.submit(() -> store.append(List.of(msg("#g", "m" + n))).get(0)));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (store.queued() < senders - 1 && System.nanoTime() < deadline) {
                    Thread.yield(); // waits for a state (the queue), not for time
                }
                assertEquals(senders - 1, store.queued(), "the other senders wait behind the first commit");
                releaseFirstCommit.countDown();
                for (Future<AppendResult> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
            assertEquals(senders, store.head("#g"));
            assertEquals(2, store.transactions(), "the first commit, then the 15 that queued behind it: " + store);
        }
    }

    @Test
    void groupCommitOffUsesOneTransactionPerCall() {
        try (TestDataSource ds = Databases.h2Memory();
                JdbcMessageStore store = JdbcMessageStore.builder(ds).groupCommit(false).build()) {
            for (int i = 0; i < 5; i++) {
                store.append(List.of(msg("#o", "a" + i), msg("#o", "b" + i)));
            }
            assertEquals(5, store.transactions());
            assertEquals(10, store.head("#o"));
            assertTrue(store.toString().contains("groupCommit=false"), store.toString());
        }
    }

    @Test
    void ageRetentionDeletesOldMessagesAndKeepsHeads() {
        Clock clock = Clock.fixed(T0.plus(Duration.ofHours(2)), ZoneOffset.UTC);
        try (TestDataSource ds = Databases.h2Memory();
                JdbcMessageStore store = JdbcMessageStore.builder(ds).retention(Duration.ofHours(1)).clock(clock).build()) {
            store.append(List.of(msg("#old", "old1"), msg("#old", "old2"),
                    new NewMessage("#old", "ann", "recent", T0.plus(Duration.ofMinutes(90)), null),
                    msg("#gone", "x")));
            assertEquals(3, store.purgeNow());
            assertEquals(List.of("recent"), texts(store.readAfter("#old", 0, 10)));
            assertEquals(3, store.head("#old"));
            assertEquals(1, store.head("#gone"));
            assertEquals(List.of("#gone", "#old"), store.conversations(), "a conversation whose messages all expired is still listed");
            assertEquals(0, store.purgeNow());
        }
    }

    @Test
    void retentionRunsInTheBackground() throws Exception {
        try (TestDataSource ds = Databases.h2Memory()) {
            try (JdbcMessageStore filler = JdbcMessageStore.builder(ds).build()) {
                List<NewMessage> batch = new ArrayList<>();
                for (int i = 1; i <= 50; i++) {
                    batch.add(msg("#bg", "m" + i));
                }
                filler.append(batch);
            }
            CountDownLatch passDone = new CountDownLatch(1);
            ds.onGiveBack(t -> {
                if (t.getName().equals("parley-store-retention")) {
                    passDone.countDown();
                }
            });
            try (JdbcMessageStore store = JdbcMessageStore.builder(ds).retention(5)
                    .retentionInterval(Duration.ofMillis(10)).build()) {
                assertTrue(passDone.await(30, TimeUnit.SECONDS), "no background retention pass");
                assertEquals(List.of("m46", "m47", "m48", "m49", "m50"), texts(store.readAfter("#bg", 0, 100)));
                assertEquals(50, store.head("#bg"));
            }
        }
    }

    @Test
    void schemaModeNoneCreatesNothingAndFailsOnUse() {
        try (TestDataSource ds = Databases.h2Memory();
                JdbcMessageStore store = JdbcMessageStore.builder(ds).schemaMode(SchemaMode.NONE).build()) {
            JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> store.append(List.of(msg("#n", "x"))));
            assertTrue(e.getMessage().contains("SQLState 42"), e.getMessage());
            assertThrows(JdbcStoreException.class, () -> store.readAfter("#n", 0, 1));
        }
    }

    @Test
    void aNewerSchemaVersionIsRefused() throws SQLException {
        try (TestDataSource ds = Databases.h2Memory()) {
            JdbcMessageStore.builder(ds).build().close();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO parley_schema_version (version, description) VALUES (2, 'from the future')");
            }
            JdbcStoreException create = assertThrows(JdbcStoreException.class, () -> JdbcMessageStore.builder(ds).build());
            assertTrue(create.getMessage().contains("schema version 2, newer than this store supports (1)"), create.getMessage());
            JdbcStoreException validate = assertThrows(JdbcStoreException.class,
                    () -> JdbcMessageStore.builder(ds).schemaMode(SchemaMode.VALIDATE).build());
            assertTrue(validate.getMessage().contains("says version 2, this store needs 1"), validate.getMessage());
            assertEquals(0, ds.lent());
        }
    }

    @Test
    void createIfMissingIsIdempotentAndTwoPrefixesAreIndependent() {
        try (TestDataSource ds = Databases.h2Memory()) {
            try (JdbcMessageStore a = JdbcMessageStore.builder(ds).build();
                    JdbcMessageStore again = JdbcMessageStore.builder(ds).build();
                    JdbcMessageStore b = JdbcMessageStore.builder(ds).tablePrefix("other_").build()) {
                a.append(List.of(msg("#p", "in a")));
                assertEquals(List.of("in a"), texts(again.readAfter("#p", 0, 10)));
                assertEquals(List.of(), b.readAfter("#p", 0, 10));
                assertEquals("other_", b.tablePrefix());
            }
        }
    }

    @Test
    void unreachableDatabaseFailsBuildWithSqlState() {
        TestDataSource ds = Databases.h2Memory();
        ds.down(true);
        JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> JdbcMessageStore.builder(ds).build());
        assertTrue(e.getMessage().startsWith("detecting the database dialect failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("(SQLState 08001, vendor code 0)"), e.getMessage());
        JdbcStoreException set = assertThrows(JdbcStoreException.class,
                () -> JdbcMessageStore.builder(ds).dialect(JdbcDialect.H2).build());
        assertTrue(set.getMessage().contains("SQLState 08001"), set.getMessage());
    }

    @Test
    void builderRefusesImpossibleSettingsNamingThem() {
        TestDataSource ds = Databases.h2Memory();
        JdbcMessageStore.Builder b = JdbcMessageStore.builder(ds);
        assertMessage("tablePrefix", assertThrows(IllegalArgumentException.class, () -> b.tablePrefix("x; DROP TABLE y")));
        assertMessage("tablePrefix", assertThrows(IllegalArgumentException.class, () -> b.tablePrefix("1abc")));
        assertMessage("tablePrefix", assertThrows(IllegalArgumentException.class, () -> b.tablePrefix("")));
        assertMessage("maxBatch", assertThrows(IllegalArgumentException.class, () -> b.groupCommit(0, Duration.ZERO)));
        assertMessage("maxWait", assertThrows(IllegalArgumentException.class, () -> b.groupCommit(10, Duration.ofMillis(-1))));
        assertMessage("maxWait", assertThrows(IllegalArgumentException.class, () -> b.groupCommit(10, Duration.ofSeconds(2))));
        assertMessage("retention", assertThrows(IllegalArgumentException.class, () -> b.retention(-1)));
        assertMessage("retention", assertThrows(IllegalArgumentException.class, () -> b.retention(Duration.ZERO)));
        assertMessage("retentionInterval", assertThrows(IllegalArgumentException.class, () -> b.retentionInterval(Duration.ofMillis(1))));
        assertMessage("headCacheSize", assertThrows(IllegalArgumentException.class, () -> b.headCacheSize(0)));
        assertMessage("queryTimeout", assertThrows(IllegalArgumentException.class, () -> b.queryTimeout(Duration.ofMillis(500))));
        assertMessage("queryTimeout", assertThrows(IllegalArgumentException.class, () -> b.queryTimeout(Duration.ofSeconds(-1))));
        assertThrows(NullPointerException.class, () -> JdbcMessageStore.builder(null));
        assertMessage("unsupported database", assertThrows(IllegalArgumentException.class, () -> JdbcDialect.fromProductName("Oracle")));
        assertEquals(JdbcDialect.MARIADB, JdbcDialect.fromProductName("MySQL"));
        assertEquals(JdbcDialect.POSTGRESQL, JdbcDialect.fromProductName("PostgreSQL"));
    }

    @Test
    void tinyHeadCacheStillNumbersCorrectly() {
        try (TestDataSource ds = Databases.h2Memory();
                JdbcMessageStore store = JdbcMessageStore.builder(ds).headCacheSize(1).build()) {
            for (int round = 1; round <= 3; round++) {
                List<NewMessage> batch = new ArrayList<>();
                for (int c = 0; c < 5; c++) {
                    batch.add(msg("#c" + c, "r" + round));
                }
                List<AppendResult> r = store.append(batch);
                for (AppendResult a : r) {
                    assertEquals(round, a.message().seq());
                }
            }
        }
    }

    private static void assertMessage(String expected, IllegalArgumentException e) {
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
