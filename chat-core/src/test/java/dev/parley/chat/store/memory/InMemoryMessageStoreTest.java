package dev.parley.chat.store.memory;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour specific to the in-memory store; the shared contract is checked by {@link InMemoryMessageStoreContractTest}. */
@Timeout(10)
class InMemoryMessageStoreTest {
    private static final Instant T = Instant.parse("2026-11-23T10:00:00.123Z");

    private static NewMessage msg(String conversation, String text) {
        return new NewMessage(conversation, "ann", text, T, null);
    }

    @Test
    void assignsSeqPerConversationAndReadsBack() {
        try (InMemoryMessageStore store = InMemoryMessageStore.create()) {
            List<AppendResult> r = store.append(List.of(msg("#a", "1"), msg("#b", "x"), msg("#a", "2")));
            assertEquals(List.of(1L, 1L, 2L), r.stream().map(a -> a.message().seq()).toList());
            assertEquals(List.of("1", "2"), store.readAfter("#a", 0, 10).stream().map(StoredMessage::text).toList());
            assertEquals(2, store.head("#a"));
            assertEquals(List.of("#a", "#b"), store.conversations());
        }
    }

    @Test
    void retentionKeepsNewestAndHeadStays() {
        try (InMemoryMessageStore store = InMemoryMessageStore.withRetention(3)) {
            for (int i = 1; i <= 3000; i++) {
                store.append(List.of(new NewMessage("#r", "ann", "m" + i, T, "id" + i)));
            }
            assertEquals(3000, store.head("#r"));
            List<StoredMessage> kept = store.readAfter("#r", 0, 100);
            assertEquals(List.of(2998L, 2999L, 3000L), kept.stream().map(StoredMessage::seq).toList());
            assertEquals(List.of(2999L, 3000L), store.readBefore("#r", Long.MAX_VALUE, 2).stream().map(StoredMessage::seq).toList());
            assertTrue(store.findByClientId("#r", "ann", "id1").isEmpty(), "dropped message's id is forgotten");
            assertTrue(store.findByClientId("#r", "ann", "id3000").isPresent());
        }
    }

    @Test
    void aTextTooLongForABlockIsRefusedBeforeAnythingIsStored() {
        try (InMemoryMessageStore store = InMemoryMessageStore.create()) {
            String huge = "x".repeat(MessageBlock.MAX_TEXT_CHARS + 1);
            assertThrows(StoreException.class, () -> store.append(List.of(msg("#a", "first"), msg("#b", huge))));
            assertEquals(0, store.head("#a"), "all or nothing: the other conversation's message is not stored");
            assertEquals(0, store.head("#b"));
        }
    }

    @Test
    void keepsMessagesOutsideTheHeap() {
        String text = "y".repeat(1000);
        try (InMemoryMessageStore store = InMemoryMessageStore.create()) {
            long before = heapAfterGc();
            for (int i = 0; i < 20; i++) {
                store.append(java.util.Collections.nCopies(1000, msg("#big", text)));
            }
            // 20,000 messages of 1,000 bytes: about 20 MB kept, in direct buffers, each message's offset
            // among them. The heap holds a few objects per block of 1,024. (Not checked on
            // the JVM's direct buffer pool: a collection meanwhile may free earlier tests' buffers.)
            long grown = heapAfterGc() - before;
            assertTrue(grown < 2_000_000, "the heap grew by " + grown + " bytes");
            assertEquals(text, store.readAfter("#big", 19_999, 1).get(0).text());
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void factoriesValidateAndClosedStoreFails() {
        assertThrows(IllegalArgumentException.class, () -> InMemoryMessageStore.withRetention(0));
        InMemoryMessageStore store = InMemoryMessageStore.create();
        store.close();
        store.close();
        assertThrows(StoreException.class, () -> store.append(List.of(msg("#a", "x"))));
        assertFalse(store.toString().isEmpty());
    }
}
