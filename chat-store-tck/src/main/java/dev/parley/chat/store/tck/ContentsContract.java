package dev.parley.chat.store.tck;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Contract tests: large and odd texts, keys and senders, many conversations. */
abstract class ContentsContract extends ClientIdAndConcurrencyContract {

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
}
