package dev.parley.chat.store.tck;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contract tests: an empty store, seq assignment, keys, invalid arguments, range reads and their edges. */
abstract class BasicsContract extends ContractFixture {

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
}
