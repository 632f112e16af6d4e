package dev.parley.chat.store.tck;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
public abstract class MessageStoreContractTest extends ContentsContract {

    /** For subclasses: one per store configuration under test. */
    protected MessageStoreContractTest() {
    }

    /**
     * A fresh, empty store. Called before every test; the store is closed (via {@link #disposeStore})
     * after it.
     */
    @Override
    protected abstract MessageStore createStore();

    /**
     * A fresh, empty store that keeps at most {@code maxMessagesPerConversation} messages per
     * conversation, or {@code null} if the store has no such retention (the retention tests are then
     * skipped). The default returns {@code null}.
     */
    @Override
    protected MessageStore createStoreWithRetention(int maxMessagesPerConversation) {
        return null;
    }

    /**
     * Makes retention take effect now, for stores that apply it in the background; returns when it is
     * done. The default does nothing (for stores that apply retention while appending).
     */
    @Override
    protected void applyRetention(MessageStore store) {
    }

    /** Closes a store made by this class, and may drop what it created. The default closes it. */
    @Override
    protected void disposeStore(MessageStore store) {
        store.close();
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
