package dev.parley.chat.store.jdbc;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store as a cluster's sequencer on PostgreSQL: several stores (nodes) appending to the same
 * conversations at once get one gap-free sequence, idempotent client ids across stores, a schema of
 * their own from {@code currentSchema=}, and a transaction guard that can refuse writes.
 */
@Timeout(120)
class PostgresSequencingTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123Z");
    private static final List<String> CONVERSATIONS = List.of("#alpha", "#beta", "#gamma", "@ann:bob");
    private static TestDataSource ds;

    @AfterAll
    static void shut() {
        if (ds != null) {
            ds.close();
        }
    }

    private static TestDataSource ds() {
        if (ds == null) {
            ds = Databases.postgres();
        }
        return ds;
    }

    private record Sent(String conversation, String sender, String clientId, AppendResult result) {
    }

    @Test
    void severalStoresAppendingToTheSameConversationsGetOneGapFreeSequence() throws Exception {
        String prefix = Databases.freshPrefix();
        int storeCount = 4;
        int threadsPerStore = 6;
        int appendsPerThread = 40;
        List<JdbcMessageStore> stores = new ArrayList<>();
        List<TestDataSource> sources = new ArrayList<>();
        try {
            for (int i = 0; i < storeCount; i++) {
                TestDataSource source = Databases.postgres(); // a connection pool per store, like a node
                sources.add(source);
                stores.add(JdbcMessageStore.builder(source).tablePrefix(prefix).build());
            }
            ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
            // ids sent once, offered to other stores to resend (a client that lost its ACK and reconnected elsewhere)
            ConcurrentLinkedQueue<NewMessage> resendable = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int s = 0; s < storeCount; s++) {
                    for (int t = 0; t < threadsPerStore; t++) {
                        JdbcMessageStore store = stores.get(s);
                        String sender = "u" + s + "_" + t;
                        long seed = s * 1000L + t;
                        futures.add(pool.submit(() -> {
                            start.await();
                            Random random = new Random(seed);
                            for (int i = 0; i < appendsPerThread; i++) {
                                List<NewMessage> batch = new ArrayList<>();
                                int size = 1 + random.nextInt(3);
                                for (int j = 0; j < size; j++) {
                                    String conversation = CONVERSATIONS.get(random.nextInt(CONVERSATIONS.size()));
                                    batch.add(new NewMessage(conversation, sender, "m" + i + "." + j, T0,
                                            sender + "-" + i + "-" + j));
                                }
                                if (random.nextInt(4) == 0) {
                                    NewMessage again = resendable.poll();
                                    if (again != null) {
                                        batch.add(again);
                                    }
                                }
                                List<AppendResult> results = store.append(batch);
                                for (int j = 0; j < batch.size(); j++) {
                                    NewMessage m = batch.get(j);
                                    sent.add(new Sent(m.conversation(), m.sender(), m.clientId(), results.get(j)));
                                }
                                resendable.add(batch.get(0));
                            }
                            return null;
                        }));
                    }
                }
                start.countDown();
                for (Future<?> f : futures) {
                    f.get();
                }
            }

            // Per conversation the stored seqs are exactly 1..head, and head() agrees on every store.
            Map<String, List<Long>> stored = storedSeqs(prefix);
            for (String conversation : CONVERSATIONS) {
                List<Long> seqs = stored.getOrDefault(conversation, List.of());
                for (int i = 0; i < seqs.size(); i++) {
                    assertEquals(i + 1, seqs.get(i), conversation + ": seqs are 1..max without gaps");
                }
                for (JdbcMessageStore store : stores) {
                    assertEquals(seqs.size(), store.head(conversation), conversation + " head");
                }
            }
            // Every client id is stored once, every answer for it names that stored message, and exactly
            // one answer (the first) was not a duplicate.
            Map<String, Long> storedByKey = storedByClientId(prefix);
            Map<String, List<Sent>> answers = new HashMap<>();
            for (Sent s : sent) {
                answers.computeIfAbsent(s.conversation() + "|" + s.sender() + "|" + s.clientId(), k -> new ArrayList<>()).add(s);
            }
            assertEquals(answers.size(), storedByKey.size(), "one stored row per client id");
            assertEquals(storedByKey.size(), stored.values().stream().mapToInt(List::size).sum(), "no message without an id");
            int resends = 0;
            for (Map.Entry<String, List<Sent>> e : answers.entrySet()) {
                Long seq = storedByKey.get(e.getKey());
                assertTrue(seq != null, "stored: " + e.getKey());
                int originals = 0;
                for (Sent s : e.getValue()) {
                    assertEquals(seq, s.result().message().seq(), "answer for " + e.getKey());
                    assertEquals(s.conversation(), s.result().message().conversation());
                    originals += s.result().duplicate() ? 0 : 1;
                }
                assertEquals(1, originals, "exactly one non-duplicate answer for " + e.getKey());
                resends += e.getValue().size() - 1;
            }
            assertTrue(resends > 0, "the run resent some ids");
        } finally {
            stores.forEach(JdbcMessageStore::close);
            Databases.dropTables(ds(), prefix);
            sources.forEach(TestDataSource::close);
        }
    }

    @Test
    void theSameIdSentToSeveralStoresAtOnceIsStoredOnce() throws Exception {
        String prefix = Databases.freshPrefix();
        int storeCount = 4;
        List<JdbcMessageStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < storeCount; i++) {
                stores.add(JdbcMessageStore.builder(ds()).tablePrefix(prefix).build());
            }
            for (int round = 0; round < 30; round++) {
                NewMessage m = new NewMessage("#race", "ann", "hello " + round, T0, "id-" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<AppendResult>> futures = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (JdbcMessageStore store : stores) {
                        futures.add(pool.submit(() -> {
                            start.await();
                            return store.append(List.of(m)).get(0);
                        }));
                    }
                    start.countDown();
                    int originals = 0;
                    long seq = -1;
                    for (Future<AppendResult> f : futures) {
                        AppendResult r = f.get();
                        originals += r.duplicate() ? 0 : 1;
                        assertTrue(seq < 0 || seq == r.message().seq(), "one seq for one id");
                        seq = r.message().seq();
                    }
                    assertEquals(1, originals, "round " + round + ": stored once");
                    assertEquals(round + 1, seq);
                }
            }
            assertEquals(30, stores.get(0).head("#race"));
        } finally {
            stores.forEach(JdbcMessageStore::close);
            Databases.dropTables(ds(), prefix);
        }
    }

    @Test
    void currentSchemaInTheUrlGivesEachStoreItsOwnTables() throws Exception {
        String run = Databases.freshPrefix();
        String schemaA = run + "clustera";
        String schemaB = run + "clusterb";
        String prefix = "parley_";
        try (TestDataSource a = Databases.postgres(schemaA); TestDataSource b = Databases.postgres(schemaB)) {
            try (JdbcMessageStore storeA = JdbcMessageStore.builder(a).tablePrefix(prefix).build();
                    JdbcMessageStore storeB = JdbcMessageStore.builder(b).tablePrefix(prefix).build();
                    JdbcMessageStore storeA2 = JdbcMessageStore.builder(a).tablePrefix(prefix).build()) {
                assertEquals(schemaA, storeA.schema());
                assertEquals(schemaB, storeB.schema());
                storeA.append(List.of(new NewMessage("#r", "ann", "in a", T0, null)));
                storeA2.append(List.of(new NewMessage("#r", "ann", "in a too", T0, null)));
                storeB.append(List.of(new NewMessage("#r", "bob", "in b", T0, null)));
                assertEquals(2, storeA.head("#r"));
                assertEquals(List.of("in a", "in a too"),
                        storeA2.readAfter("#r", 0, 10).stream().map(x -> x.text()).toList());
                assertEquals(1, storeB.head("#r"));
                assertEquals("in b", storeB.readAfter("#r", 0, 10).get(0).text());
                assertTrue(storeA.toString().contains("schema=" + schemaA), storeA.toString());
            }
            try (Connection c = ds().getConnection();
                    PreparedStatement ps = c.prepareStatement("SELECT table_schema, table_name FROM information_schema.tables"
                            + " WHERE table_schema IN (?, ?) ORDER BY 1, 2")) {
                ps.setString(1, schemaA);
                ps.setString(2, schemaB);
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tables.add(rs.getString(1) + "." + rs.getString(2));
                    }
                }
                assertEquals(List.of(schemaA + ".parley_conversation", schemaA + ".parley_message",
                        schemaA + ".parley_schema_version", schemaB + ".parley_conversation",
                        schemaB + ".parley_message", schemaB + ".parley_schema_version"), tables);
            }
            // VALIDATE does not create a missing schema: it fails naming what is missing.
            String missing = run + "missing";
            try (TestDataSource m = Databases.postgres(missing)) {
                JdbcStoreException e = assertThrows(JdbcStoreException.class, () ->
                        JdbcMessageStore.builder(m).schemaMode(SchemaMode.VALIDATE).build());
                assertTrue(e.getMessage().contains("no schema of the search_path"), e.getMessage());
            }
        } finally {
            try (Connection c = ds().getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS \"" + schemaA + "\" CASCADE");
                s.execute("DROP SCHEMA IF EXISTS \"" + schemaB + "\" CASCADE");
            }
        }
    }

    @Test
    void aGuardRunsFirstInEveryWriteTransactionAndCanRefuseIt() {
        String prefix = Databases.freshPrefix();
        AtomicInteger checks = new AtomicInteger();
        AtomicBoolean refuse = new AtomicBoolean();
        StoreException refusal = new StoreException("node declared dead");
        TransactionGuard guard = c -> {
            assertFalse(c.getAutoCommit(), "inside the write transaction");
            checks.incrementAndGet();
            if (refuse.get()) {
                throw refusal;
            }
        };
        try (JdbcMessageStore store = JdbcMessageStore.builder(ds()).tablePrefix(prefix).transactionGuard(guard).build()) {
            store.append(List.of(new NewMessage("#g", "ann", "one", T0, "a")));
            assertEquals(1, checks.get());
            refuse.set(true);
            StoreException e = assertThrows(StoreException.class, () ->
                    store.append(List.of(new NewMessage("#g", "ann", "two", T0, "b"),
                            new NewMessage("#h", "ann", "three", T0, null))));
            assertSame(refusal, e, "the guard's refusal reaches the caller as it was thrown");
            assertEquals(2, checks.get(), "refused once, not retried");
            assertEquals(1, store.head("#g"));
            assertEquals(0, store.head("#h"));
            refuse.set(false);
            AppendResult r = store.append(List.of(new NewMessage("#g", "ann", "two", T0, "b"))).get(0);
            assertEquals(2, r.message().seq());
            assertNull(store.findByClientId("#h", "ann", "x").orElse(null));
        } finally {
            Databases.dropTables(ds(), prefix);
        }
    }

    private static Map<String, List<Long>> storedSeqs(String prefix) throws SQLException {
        Map<String, List<Long>> seqs = new ConcurrentHashMap<>();
        try (Connection c = ds().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT conversation, seq FROM " + prefix + "message ORDER BY conversation, seq")) {
            while (rs.next()) {
                seqs.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
            }
        }
        return seqs;
    }

    private static Map<String, Long> storedByClientId(String prefix) throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        try (Connection c = ds().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT conversation, sender, client_id, seq FROM " + prefix + "message")) {
            while (rs.next()) {
                assertNull(ids.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3), rs.getLong(4)));
            }
        }
        return ids;
    }
}
