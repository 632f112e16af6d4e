package dev.parley.chat.store.tck;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link MessageStore} contract as JUnit 5 tests: extend it to prove a store keeps every promise of
 * the {@code MessageStore} Javadoc (seq assignment without gaps or duplicates under concurrency, ordered
 * range reads and their edges, heads, idempotent client ids, large and odd texts, many conversations,
 * retention, closing).
 *
 * <p>Add {@code dev.parley:chat-store-tck} in test scope and write one small subclass per store
 * configuration. {@link #createStore()} must return a fresh, empty store each time (a new table prefix,
 * schema or database for a persistent store); {@link #disposeStore} closes it and may drop what it
 * created.
 *
 * <pre>{@code
 * class MyStoreContractTest extends MessageStoreContractTest {
 *     @Override
 *     protected MessageStore createStore() {
 *         return MyStore.open(freshDatabase());
 *     }
 *
 *     // Optional: a store that keeps at most maxMessages per conversation. Without this override the
 *     // retention tests are skipped (reported as skipped, not failed).
 *     @Override
 *     protected MessageStore createStoreWithRetention(int maxMessages) {
 *         return MyStore.open(freshDatabase(), maxMessages);
 *     }
 *
 *     // Optional: if retention runs in the background, run one pass now and wait for it.
 *     @Override
 *     protected void applyRetention(MessageStore store) {
 *         ((MyStore) store).purgeNow();
 *     }
 * }
 * }</pre>
 *
 * <p>Texts must be valid Unicode (no lone surrogates) and contain no NUL: that is what the protocol can
 * carry. Times are compared at millisecond precision, the least a store must keep.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class MessageStoreContractTest {

    /** Characters that break naive SQL, logging, escaping or encoding code; each must round-trip. */
    protected static final List<String> ODD_TEXTS = List.of(
            "it's a \"quoted\" 'text'",
            "back\\slash \\\\ double \\n not a newline",
            "100% of_the_ wildcards %_% LIKE '%'",
            "tab\tcr\rlf\nesc\u001b[31mred\u001b[0m bell\u0007 del\u007f c1\u0085",
            "emoji \uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 math \uD835\uDD38",
            "RTL \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627 \u202Eevil\u202C \u200F",
            "${jndi:ldap://example.invalid/a} ${env:HOME} #{7*7} {{7*7}}",
            "'); DROP TABLE messages; --",
            "\" OR \"1\"=\"1",
            "x' OR '1'='1' /* */ ; SELECT * FROM parley_message WHERE 'a'='a",
            "  leading and trailing spaces  ",
            " ",
            "\u00e9\u0301 combining, \u00df, \u0130\u0131, \uFEFF bom, \u00a0nbsp, \u2028line sep",
            "CJK \u4F60\u597D \u3053\u3093\u306B\u3061\u306F \uD840\uDC0B");

    /** A fixed, millisecond-precise time used for messages in these tests. */
    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123Z");

    private MessageStore store;

    /** For subclasses: one per store configuration under test. */
    protected MessageStoreContractTest() {
    }

    /**
     * A fresh, empty store. Called before every test; the store is closed (via {@link #disposeStore})
     * after it.
     */
    protected abstract MessageStore createStore();

    /**
     * A fresh, empty store that keeps at most {@code maxMessagesPerConversation} messages per
     * conversation, or {@code null} if the store has no such retention (the retention tests are then
     * skipped). The default returns {@code null}.
     */
    protected MessageStore createStoreWithRetention(int maxMessagesPerConversation) {
        return null;
    }

    /**
     * Makes retention take effect now, for stores that apply it in the background; returns when it is
     * done. The default does nothing (for stores that apply retention while appending).
     */
    protected void applyRetention(MessageStore store) {
    }

    /** Closes a store made by this class, and may drop what it created. The default closes it. */
    protected void disposeStore(MessageStore store) {
        store.close();
    }

    /** The store under test in the current test. */
    protected final MessageStore store() {
        return store;
    }

    @BeforeEach
    void openStore() {
        store = createStore();
        assertNotNull(store, "createStore() returned null");
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            disposeStore(store);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A message without client id at {@link #T0}. */
    protected static NewMessage msg(String conversation, String sender, String text) {
        return new NewMessage(conversation, sender, text, T0, null);
    }

    /** A message with a client id at {@link #T0}. */
    protected static NewMessage msg(String conversation, String sender, String text, String clientId) {
        return new NewMessage(conversation, sender, text, T0, clientId);
    }

    private StoredMessage appendOne(NewMessage m) {
        List<AppendResult> r = store.append(List.of(m));
        assertEquals(1, r.size());
        return r.get(0).message();
    }

    private List<StoredMessage> fill(String conversation, int n) {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            batch.add(msg(conversation, "ann", "m" + i));
        }
        return store.append(batch).stream().map(AppendResult::message).toList();
    }

    private static List<Long> seqs(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::seq).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    // ---------------------------------------------------------------- empty and basics

    @Test
    void emptyStoreHasNothing() {
        assertEquals(0, store.head("#nothing"));
        assertEquals(List.of(), store.readAfter("#nothing", 0, 10));
        assertEquals(List.of(), store.readBefore("#nothing", Long.MAX_VALUE, 10));
        assertEquals(Optional.empty(), store.findByClientId("#nothing", "ann", "id-1"));
        assertEquals(List.of(), store.conversations());
    }

    @Test
    void firstMessageGetsSeqOneAndRoundTripsEveryField() {
        NewMessage m = new NewMessage("#lobby", "ann", "hello", T0, "c-1");
        List<AppendResult> r = store.append(List.of(m));
        assertEquals(1, r.size());
        assertFalse(r.get(0).duplicate());
        StoredMessage expected = new StoredMessage("#lobby", 1, "ann", "hello", T0, "c-1");
        assertEquals(expected, r.get(0).message());
        assertEquals(List.of(expected), store.readAfter("#lobby", 0, 10));
        assertEquals(List.of(expected), store.readBefore("#lobby", Long.MAX_VALUE, 10));
        assertEquals(Optional.of(expected), store.findByClientId("#lobby", "ann", "c-1"));
        assertEquals(1, store.head("#lobby"));
    }

    @Test
    void timeIsKeptToTheMillisecond() {
        Instant t = Instant.parse("1999-12-31T23:59:59.999Z");
        Instant nanos = Instant.parse("2026-01-02T03:04:05.678901234Z");
        List<AppendResult> r = store.append(List.of(
                new NewMessage("#t", "ann", "a", t, null),
                new NewMessage("#t", "ann", "b", nanos, null)));
        assertEquals(t, r.get(0).message().time());
        assertEquals(nanos.truncatedTo(ChronoUnit.MILLIS), r.get(1).message().time().truncatedTo(ChronoUnit.MILLIS));
        List<StoredMessage> read = store.readAfter("#t", 0, 10);
        assertEquals(t, read.get(0).time());
        assertEquals(r.get(1).message(), read.get(1), "reads return exactly what append returned");
    }

    @Test
    void seqsIncreaseByOneInListOrderPerConversation() {
        List<AppendResult> r = store.append(List.of(
                msg("#a", "ann", "a1"), msg("#b", "bob", "b1"), msg("#a", "ann", "a2"),
                msg("#a", "bob", "a3"), msg("#b", "ann", "b2")));
        assertEquals(List.of(1L, 1L, 2L, 3L, 2L), r.stream().map(x -> x.message().seq()).toList());
        r = store.append(List.of(msg("#b", "bob", "b3"), msg("#a", "ann", "a4")));
        assertEquals(List.of(3L, 4L), r.stream().map(x -> x.message().seq()).toList());
        assertEquals(List.of("a1", "a2", "a3", "a4"),
                store.readAfter("#a", 0, 100).stream().map(StoredMessage::text).toList());
        assertEquals(List.of("b1", "b2", "b3"),
                store.readAfter("#b", 0, 100).stream().map(StoredMessage::text).toList());
        assertEquals(4, store.head("#a"));
        assertEquals(3, store.head("#b"));
    }

    @Test
    void emptyAppendStoresNothing() {
        assertEquals(List.of(), store.append(List.of()));
        assertEquals(List.of(), store.conversations());
    }

    @Test
    void keysAreOpaqueAndCaseSensitive() {
        List<String> keys = List.of("#lobby", "#Lobby", "#a_b", "#a%b", "#aXb", "@ann bob", "@ann  bob", "#l'o\"b\\y");
        for (int i = 0; i < keys.size(); i++) {
            List<NewMessage> batch = new ArrayList<>();
            for (int j = 0; j <= i; j++) {
                batch.add(msg(keys.get(i), "ann", keys.get(i) + " " + j));
            }
            store.append(batch);
        }
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            assertEquals(i + 1, store.head(key), key);
            List<StoredMessage> read = store.readAfter(key, 0, 100);
            assertEquals(i + 1, read.size(), key);
            assertTrue(read.stream().allMatch(m -> m.conversation().equals(key) && m.text().startsWith(key + " ")), key);
        }
        assertEquals(keys.stream().sorted().toList(), store.conversations());
    }

    @Test
    void longestKeySenderAndClientIdAreAccepted() {
        String key = "#" + "k".repeat(Conversations.MAX_KEY_LENGTH - 1);
        String sender = "s".repeat(NewMessage.MAX_SENDER_LENGTH);
        String clientId = "c".repeat(NewMessage.MAX_CLIENT_ID_LENGTH);
        StoredMessage m = appendOne(new NewMessage(key, sender, "x", T0, clientId));
        assertEquals(1, m.seq());
        assertEquals(Optional.of(m), store.findByClientId(key, sender, clientId));
        assertEquals(List.of(key), store.conversations());
    }

    // ---------------------------------------------------------------- invalid arguments

    @Test
    void invalidMessagesAreRefusedAndNothingOfTheCallIsStored() {
        NewMessage ok = msg("#v", "ann", "fine");
        assertThrows(IllegalArgumentException.class, () -> store.append(List.of(ok,
                msg("#" + "x".repeat(Conversations.MAX_KEY_LENGTH), "ann", "key too long"))));
        assertThrows(IllegalArgumentException.class, () -> store.append(List.of(ok, msg("", "ann", "empty key"))));
        assertThrows(IllegalArgumentException.class, () -> store.append(List.of(ok, msg("#v", "ann", "nul\0inside"))));
        assertThrows(IllegalArgumentException.class, () -> store.append(List.of(ok,
                msg("#v", "s".repeat(NewMessage.MAX_SENDER_LENGTH + 1), "sender too long"))));
        assertThrows(IllegalArgumentException.class, () -> store.append(List.of(ok,
                msg("#v", "ann", "id too long", "c".repeat(NewMessage.MAX_CLIENT_ID_LENGTH + 1)))));
        assertThrows(NullPointerException.class, () -> store.append(null));
        assertEquals(0, store.head("#v"));
        assertEquals(List.of(), store.readAfter("#v", 0, 10));
        assertEquals(1, appendOne(ok).seq(), "a refused call used up no seq");
    }

    @Test
    void invalidReadArgumentsAreRefused() {
        fill("#r", 3);
        assertThrows(IllegalArgumentException.class, () -> store.readAfter("#r", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> store.readAfter("#r", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> store.readAfter("#r", -1, 10));
        assertThrows(IllegalArgumentException.class, () -> store.readBefore("#r", 10, 0));
        assertThrows(IllegalArgumentException.class, () -> store.readBefore("#r", -1, 10));
    }

    // ---------------------------------------------------------------- ranges and limits

    @Test
    void readAfterEdges() {
        fill("#r", 10);
        assertEquals(range(1, 10), seqs(store.readAfter("#r", 0, 100)));
        assertEquals(range(1, 3), seqs(store.readAfter("#r", 0, 3)), "the oldest ones after afterSeq");
        assertEquals(range(5, 7), seqs(store.readAfter("#r", 4, 3)));
        assertEquals(List.of(10L), seqs(store.readAfter("#r", 9, 100)));
        assertEquals(List.of(10L), seqs(store.readAfter("#r", 9, 1)));
        assertEquals(List.of(), store.readAfter("#r", 10, 100), "nothing after head");
        assertEquals(List.of(), store.readAfter("#r", 11, 100));
        assertEquals(List.of(), store.readAfter("#r", Long.MAX_VALUE, 100));
        assertEquals(range(1, 10), seqs(store.readAfter("#r", 0, 10)), "limit equal to count");
        assertEquals(range(1, 10), seqs(store.readAfter("#r", 0, Integer.MAX_VALUE)), "huge limit");
        assertEquals(List.of(1L), seqs(store.readAfter("#r", 0, 1)));
    }

    @Test
    void readBeforeEdges() {
        fill("#r", 10);
        assertEquals(range(1, 10), seqs(store.readBefore("#r", Long.MAX_VALUE, 100)));
        assertEquals(range(8, 10), seqs(store.readBefore("#r", Long.MAX_VALUE, 3)), "the newest ones, ascending");
        assertEquals(range(8, 10), seqs(store.readBefore("#r", 11, 3)));
        assertEquals(range(7, 9), seqs(store.readBefore("#r", 10, 3)));
        assertEquals(range(1, 4), seqs(store.readBefore("#r", 5, 100)));
        assertEquals(List.of(1L), seqs(store.readBefore("#r", 2, 100)));
        assertEquals(List.of(), store.readBefore("#r", 1, 100), "nothing before the first");
        assertEquals(List.of(), store.readBefore("#r", 0, 100));
        assertEquals(List.of(10L), seqs(store.readBefore("#r", Long.MAX_VALUE, 1)));
        assertEquals(range(1, 10), seqs(store.readBefore("#r", 1000, Integer.MAX_VALUE)), "huge limit");
    }

    @Test
    void pagingBackwardAndForwardSeesEveryMessageOnce() {
        List<StoredMessage> all = fill("#p", 257);
        List<StoredMessage> backward = new ArrayList<>();
        long before = Long.MAX_VALUE;
        while (true) {
            List<StoredMessage> page = store.readBefore("#p", before, 50);
            if (page.isEmpty()) {
                break;
            }
            assertTrue(page.size() <= 50);
            backward.addAll(0, page);
            before = page.get(0).seq();
        }
        assertEquals(all, backward);
        List<StoredMessage> forward = new ArrayList<>();
        long after = 0;
        while (true) {
            List<StoredMessage> page = store.readAfter("#p", after, 64);
            if (page.isEmpty()) {
                break;
            }
            forward.addAll(page);
            after = page.get(page.size() - 1).seq();
        }
        assertEquals(all, forward);
    }

    @Test
    void readsOfOneConversationNeverSeeAnother() {
        store.append(List.of(msg("#x", "ann", "x1"), msg("#y", "ann", "y1"), msg("#x", "ann", "x2"), msg("#y", "ann", "y2")));
        assertEquals(List.of("x1", "x2"), store.readAfter("#x", 0, 10).stream().map(StoredMessage::text).toList());
        assertEquals(List.of("y2"), store.readBefore("#y", Long.MAX_VALUE, 1).stream().map(StoredMessage::text).toList());
        assertEquals(List.of(), store.readAfter("#z", 0, 10));
    }

    // ---------------------------------------------------------------- idempotent client ids

    @Test
    void resendWithSameClientIdReturnsTheStoredMessage() {
        StoredMessage first = appendOne(msg("#i", "ann", "hello", "id-1"));
        List<AppendResult> again = store.append(List.of(msg("#i", "ann", "hello (resent)", "id-1")));
        assertTrue(again.get(0).duplicate());
        assertEquals(first, again.get(0).message(), "the copy stored earlier, text and all");
        assertEquals(1, store.head("#i"));
        assertEquals(List.of(first), store.readAfter("#i", 0, 10));
        assertEquals(Optional.of(first), store.findByClientId("#i", "ann", "id-1"));
    }

    @Test
    void clientIdsAreScopedBySenderAndConversation() {
        StoredMessage a = appendOne(msg("#i", "ann", "a", "same"));
        StoredMessage b = appendOne(msg("#i", "bob", "b", "same"));
        StoredMessage c = appendOne(msg("#j", "ann", "c", "same"));
        assertEquals(List.of(1L, 2L, 1L), List.of(a.seq(), b.seq(), c.seq()));
        assertEquals(Optional.of(b), store.findByClientId("#i", "bob", "same"));
        assertEquals(Optional.empty(), store.findByClientId("#i", "carol", "same"));
        assertEquals(Optional.empty(), store.findByClientId("#i", "ann", "other"));
        assertEquals(Optional.of(c), store.findByClientId("#j", "ann", "same"));
    }

    @Test
    void messagesWithoutClientIdAreNeverDuplicates() {
        List<AppendResult> r = store.append(List.of(msg("#n", "ann", "same"), msg("#n", "ann", "same")));
        assertFalse(r.get(0).duplicate());
        assertFalse(r.get(1).duplicate());
        assertEquals(List.of(1L, 2L), r.stream().map(x -> x.message().seq()).toList());
    }

    @Test
    void duplicateWithinOneBatchIsStoredOnce() {
        List<AppendResult> r = store.append(List.of(
                msg("#d", "ann", "one", "id-1"), msg("#d", "bob", "two", "id-1"),
                msg("#d", "ann", "one again", "id-1"), msg("#d", "ann", "three", "id-2")));
        assertEquals(List.of(false, false, true, false), r.stream().map(AppendResult::duplicate).toList());
        assertEquals(List.of(1L, 2L, 1L, 3L), r.stream().map(x -> x.message().seq()).toList());
        assertEquals("one", r.get(2).message().text());
        assertEquals(3, store.head("#d"));
        assertEquals(List.of("one", "two", "three"), store.readAfter("#d", 0, 10).stream().map(StoredMessage::text).toList());
    }

    @Test
    void concurrentResendsOfOneClientIdStoreItOnce() throws Exception {
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AppendResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.append(List.of(msg("#dup", "ann", "try " + n, "the-id"))).get(0);
                }));
            }
            start.countDown();
            int fresh = 0;
            Set<StoredMessage> stored = new HashSet<>();
            for (Future<AppendResult> f : futures) {
                AppendResult r = f.get(60, TimeUnit.SECONDS);
                if (!r.duplicate()) {
                    fresh++;
                }
                stored.add(r.message());
            }
            assertEquals(1, fresh, "exactly one call stored it");
            assertEquals(1, stored.size(), "every call saw the same stored message");
            assertEquals(1, stored.iterator().next().seq());
        }
        assertEquals(1, store.head("#dup"));
        assertEquals(1, store.readAfter("#dup", 0, 100).size());
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentAppendsFromManyThreadsHaveNoGapsOrDuplicates() throws Exception {
        int threads = 16;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(store.append(List.of(msg("#busy", "t" + thread, thread + ":" + i))).get(0).message().seq());
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : futures) {
                List<Long> mine = f.get(100, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1), "one thread's messages are sequenced in call order");
                }
                all.addAll(mine);
            }
            assertEquals(threads * perThread, all.size(), "no duplicate seq");
            assertEquals(new HashSet<>(range(1, threads * perThread)), all, "no gap");
        }
        assertEquals(threads * perThread, store.head("#busy"));
        List<StoredMessage> read = store.readAfter("#busy", 0, Integer.MAX_VALUE);
        assertEquals(range(1, threads * perThread), seqs(read));
        int[] next = new int[threads];
        for (StoredMessage m : read) {
            int thread = Integer.parseInt(m.sender().substring(1));
            assertEquals(thread + ":" + next[thread]++, m.text(), "per-sender order follows seq order");
        }
    }

    @Test
    void concurrentBatchesAcrossConversationsHaveNoGapsOrDuplicates() throws Exception {
        int threads = 8;
        int batches = 50;
        List<String> keys = List.of("#c0", "#c1", "#c2", "@a b");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<AppendResult>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<AppendResult> mine = new ArrayList<>();
                    for (int b = 0; b < batches; b++) {
                        List<NewMessage> batch = new ArrayList<>();
                        for (int k = 0; k <= (b + thread) % 5; k++) {
                            batch.add(msg(keys.get((b + k + thread) % keys.size()), "t" + thread, b + "/" + k));
                        }
                        List<AppendResult> r = store.append(batch);
                        assertEquals(batch.size(), r.size());
                        mine.addAll(r);
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<AppendResult> all = new ArrayList<>();
            for (Future<List<AppendResult>> f : futures) {
                all.addAll(f.get(100, TimeUnit.SECONDS));
            }
            for (String key : keys) {
                List<Long> got = all.stream().map(AppendResult::message)
                        .filter(m -> m.conversation().equals(key)).map(StoredMessage::seq).sorted().toList();
                assertEquals(range(1, got.size()), got, key);
                assertEquals(got.size(), store.head(key), key);
                assertEquals(got, seqs(store.readAfter(key, 0, Integer.MAX_VALUE)), key);
            }
        }
    }

    @Test
    void aMessageIsVisibleToOtherThreadsOnceAppendReturned() throws Exception {
        StoredMessage m = appendOne(msg("#v", "ann", "seen?"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<StoredMessage>> read = pool.submit(() -> store.readAfter("#v", 0, 10));
            assertEquals(List.of(m), read.get(30, TimeUnit.SECONDS));
            Future<Long> head = pool.submit(() -> store.head("#v"));
            assertEquals(1L, head.get(30, TimeUnit.SECONDS));
        }
    }

    // ---------------------------------------------------------------- contents

    @Test
    void largeTextsRoundTrip() {
        StringBuilder ascii = new StringBuilder();
        while (ascii.length() < 64 * 1024) {
            ascii.append("0123456789abcdef'\\%_\n");
        }
        String bigAscii = ascii.substring(0, 64 * 1024);
        String bigEmoji = "\uD83D\uDE00".repeat(16 * 1024); // 64 KiB of 4-byte UTF-8
        List<AppendResult> r = store.append(List.of(msg("#big", "ann", bigAscii), msg("#big", "ann", bigEmoji)));
        List<StoredMessage> read = store.readAfter("#big", 0, 10);
        assertEquals(2, read.size());
        assertEquals(bigAscii, read.get(0).text());
        assertEquals(bigEmoji, read.get(1).text());
        assertEquals(r.get(1).message(), read.get(1));
    }

    @Test
    void oddCharactersRoundTripByteForByte() {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < ODD_TEXTS.size(); i++) {
            batch.add(msg("#odd", "ann", ODD_TEXTS.get(i), "odd-" + i));
        }
        store.append(batch);
        List<StoredMessage> read = store.readAfter("#odd", 0, 100);
        assertEquals(ODD_TEXTS, read.stream().map(StoredMessage::text).toList());
        for (int i = 0; i < ODD_TEXTS.size(); i++) {
            assertEquals(ODD_TEXTS.get(i), store.findByClientId("#odd", "ann", "odd-" + i).orElseThrow().text());
        }
        assertEquals(ODD_TEXTS.reversed().get(0), store.readBefore("#odd", Long.MAX_VALUE, 1).get(0).text());
    }

    @Test
    void oddCharactersInKeysSendersAndClientIdsRoundTrip() {
        String key = "@\u00e9l\u00e8ve \uD83D\uDE00'\"\\%_";
        String sender = "\u05E9\u05DC\u05D5\u05DD'\"\\%_\uD83D\uDE00";
        String clientId = "a.b_c:d-e%'";
        StoredMessage m = appendOne(msg(key, sender, "t", clientId));
        assertEquals(Optional.of(m), store.findByClientId(key, sender, clientId));
        assertEquals(Optional.empty(), store.findByClientId(key, sender, "a.b_c:d-e%"));
        assertEquals(Optional.empty(), store.findByClientId(key, "%", clientId));
        assertEquals(List.of(m), store.readAfter(key, 0, 10));
        assertEquals(List.of(key), store.conversations());
        assertEquals(List.of(), store.readAfter("@%", 0, 10), "no pattern matching on keys");
    }

    @Test
    void emptyAndWhitespaceTextsRoundTrip() {
        store.append(List.of(msg("#e", "ann", ""), msg("#e", "ann", " "), msg("#e", "ann", "\n")));
        assertEquals(List.of("", " ", "\n"), store.readAfter("#e", 0, 10).stream().map(StoredMessage::text).toList());
    }

    // ---------------------------------------------------------------- many conversations

    @Test
    void manyConversationsAreListedSortedWithTheirHeads() {
        List<NewMessage> batch = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String key = (i % 2 == 0 ? "#room-" : "@u" + i + " v") + i;
            expected.add(key);
            for (int j = 0; j <= i % 3; j++) {
                batch.add(msg(key, "ann", key + "/" + j));
            }
        }
        store.append(batch);
        expected.sort(null);
        assertEquals(expected, store.conversations());
        for (int i = 0; i < 300; i++) {
            String key = (i % 2 == 0 ? "#room-" : "@u" + i + " v") + i;
            assertEquals(i % 3 + 1, store.head(key), key);
        }
    }

    @Test
    void conversationsListsOnlyThoseWithMessages() {
        store.readAfter("#read-only", 0, 10);
        store.head("#asked");
        store.findByClientId("#looked-up", "ann", "x");
        appendOne(msg("#b", "ann", "x"));
        appendOne(msg("#a", "ann", "x"));
        assertEquals(List.of("#a", "#b"), store.conversations());
    }

    // ---------------------------------------------------------------- retention

    private MessageStore retentionStoreOrSkip(int max) {
        MessageStore r = createStoreWithRetention(max);
        Assumptions.assumeTrue(r != null, getClass().getSimpleName() + ": store has no count retention; retention tests skipped");
        return r;
    }

    @Test
    void retentionKeepsTheNewestMessagesAndTheHead() {
        MessageStore r = retentionStoreOrSkip(5);
        try {
            for (int i = 1; i <= 20; i++) {
                r.append(List.of(msg("#ret", "ann", "m" + i, "id-" + i), msg("#other", "bob", "o" + i)));
            }
            r.append(List.of(msg("#small", "ann", "only one")));
            applyRetention(r);
            assertEquals(range(16, 20), seqs(r.readAfter("#ret", 0, 100)));
            assertEquals(range(16, 20), seqs(r.readBefore("#ret", Long.MAX_VALUE, 100)));
            assertEquals(range(18, 20), seqs(r.readBefore("#ret", Long.MAX_VALUE, 3)));
            assertEquals(range(16, 17), seqs(r.readAfter("#ret", 3, 2)), "a gap shows as a first seq above afterSeq + 1");
            assertEquals(range(16, 20), seqs(r.readAfter("#other", 0, 100)));
            assertEquals(List.of(1L), seqs(r.readAfter("#small", 0, 100)));
            assertEquals(20, r.head("#ret"), "retention never lowers head");
            assertEquals(List.of("#other", "#ret", "#small"), r.conversations());
            assertTrue(r.findByClientId("#ret", "ann", "id-20").isPresent());
            assertEquals(21, r.append(List.of(msg("#ret", "ann", "m21"))).get(0).message().seq(), "numbering continues");
        } finally {
            disposeStore(r);
        }
    }

    @Test
    void retentionWithLargeBacklogKeepsOnlyTheLimit() {
        MessageStore r = retentionStoreOrSkip(100);
        try {
            List<NewMessage> batch = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                batch.add(msg("#log", "ann", "m" + i));
            }
            r.append(batch);
            applyRetention(r);
            List<StoredMessage> left = r.readAfter("#log", 0, Integer.MAX_VALUE);
            assertEquals(range(901, 1000), seqs(left));
            assertEquals("m901", left.get(0).text());
            assertEquals(1000, r.head("#log"));
        } finally {
            disposeStore(r);
        }
    }

    // ---------------------------------------------------------------- closing

    @Test
    void closedStoreRefusesCallsAndCloseIsIdempotent() {
        MessageStore s = createStore();
        s.append(List.of(msg("#c", "ann", "x")));
        disposeStore(s);
        s.close();
        assertThrows(StoreException.class, () -> s.append(List.of(msg("#c", "ann", "y"))));
        assertThrows(StoreException.class, () -> s.readAfter("#c", 0, 10));
        assertThrows(StoreException.class, () -> s.head("#c"));
    }
}
