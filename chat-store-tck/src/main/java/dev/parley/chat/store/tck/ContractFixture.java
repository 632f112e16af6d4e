package dev.parley.chat.store.tck;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The store under test, its lifecycle and the helpers every group of contract tests uses. The hooks are
 * documented where store implementers meet them, on {@link MessageStoreContractTest}.
 */
abstract class ContractFixture {

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

    /** The store under test in the current test (set before each test). */
    MessageStore store;

    ContractFixture() {
    }

    /** See {@link MessageStoreContractTest#createStore()}. */
    abstract MessageStore createStore();

    /** See {@link MessageStoreContractTest#createStoreWithRetention(int)}. */
    abstract MessageStore createStoreWithRetention(int maxMessagesPerConversation);

    /** See {@link MessageStoreContractTest#applyRetention(MessageStore)}. */
    abstract void applyRetention(MessageStore store);

    /** See {@link MessageStoreContractTest#disposeStore(MessageStore)}. */
    abstract void disposeStore(MessageStore store);

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

    StoredMessage appendOne(NewMessage m) {
        List<AppendResult> r = store.append(List.of(m));
        assertEquals(1, r.size());
        return r.get(0).message();
    }

    List<StoredMessage> fill(String conversation, int n) {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            batch.add(msg(conversation, "ann", "m" + i));
        }
        return store.append(batch).stream().map(AppendResult::message).toList();
    }

    static List<Long> seqs(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::seq).toList();
    }

    static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }
}
