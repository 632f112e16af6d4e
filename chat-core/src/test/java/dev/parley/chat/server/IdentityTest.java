package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16, direct messages belong to an identity: a freed name opens none of its earlier holder's
 * direct messages, and an anonymous user comes back as itself only with its resume token.
 */
@Timeout(30)
class IdentityTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MessageStore store = InMemoryMessageStore.create();
    private final List<ChatServer> servers = new ArrayList<>();

    private int start(ChatServer.Builder b) {
        ChatServer server = b.listen(TcpTransport.port(0)).store(store).build().start();
        servers.add(server);
        return server.port();
    }

    @AfterEach
    void stop() {
        servers.forEach(ChatServer::close);
    }

    /** HELLO; asserts WELCOME and returns it. */
    private static Frame welcome(RawClient c, String hello) {
        Frame f = c.call(hello);
        assertEquals("WELCOME", f.verb(), () -> hello + " answered " + f);
        return f;
    }

    /** Alice and Bob exchange a direct message each way. */
    private static void exchange(RawClient alice, RawClient bob) {
        alice.send("SEND to=bob :meet at 6?");
        alice.expect("ACK");
        assertEquals("meet at 6?", bob.expect("MSG").text());
        bob.send("SEND to=alice :yes, the usual place");
        bob.expect("ACK");
        assertEquals("yes, the usual place", alice.expect("MSG").text());
    }

    private static void quit(RawClient c) {
        c.send("QUIT");
        c.awaitVerb("BYE");
    }

    private static List<Frame> history(RawClient c, String with) {
        return c.callAll("HISTORY with=" + with);
    }

    @Test
    void aFreedNameOpensNoneOfItsEarlierHoldersDirectMessages() {
        int port = start(ChatServer.builder());
        try (RawClient alice = RawClient.hello(port, "alice"); RawClient bob = RawClient.hello(port, "bob")) {
            exchange(alice, bob);
            quit(alice);
            try (RawClient mallory = RawClient.connect(port, "mallory")) {
                welcome(mallory, "HELLO proto=1 name=ＡＬＩＣＥ"); // full-width: the same canonical name
                List<Frame> read = history(mallory, "bob");
                assertEquals(List.of("END"), read.stream().map(Frame::verb).toList(), "the earlier holder's DMs: " + read);
                assertEquals("0", read.get(0).field("count"));

                // what bob writes now goes to the new holder, in a new conversation
                bob.send("SEND to=alice :who are you?");
                bob.expect("ACK");
                assertEquals("who are you?", mallory.expect("MSG").text());
                List<Frame> bobs = history(bob, "alice");
                assertEquals(2, bobs.size(), "bob sees his conversation with the current alice only: " + bobs);
                assertEquals("who are you?", bobs.get(0).text());
            }
        }
    }

    @Test
    void theResumeTokenBringsTheIdentityAndItsDirectMessagesBack() {
        int port = start(ChatServer.builder());
        try (RawClient alice = RawClient.connect(port, "alice"); RawClient bob = RawClient.hello(port, "bob")) {
            String token = welcome(alice, "HELLO proto=1 name=alice").field("resume");
            assertNotNull(token, "an anonymous user gets a resume token");
            assertTrue(token.matches("1\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}"), token);
            exchange(alice, bob);
            quit(alice);
            try (RawClient back = RawClient.connect(port, "back")) {
                Frame w = welcome(back, "HELLO proto=1 name=Alice resume=" + token);
                assertEquals("Alice", w.field("name"));
                assertEquals(token, w.field("resume"), "the same identity has the same token");
                List<Frame> read = history(back, "bob");
                assertEquals(java.util.Arrays.asList("meet at 6?", "yes, the usual place", null),
                        read.stream().map(Frame::text).toList());
                assertEquals("bob", read.get(0).field("with"));
            }
        }
    }

    @Test
    void aResumedIdentityMayBeOnlineTwiceLikeAnAuthenticatedOne() {
        int port = start(ChatServer.builder());
        try (RawClient alice = RawClient.connect(port, "alice"); RawClient bob = RawClient.hello(port, "bob");
                RawClient second = RawClient.connect(port, "second")) {
            String token = welcome(alice, "HELLO proto=1 name=alice").field("resume");
            welcome(second, "HELLO proto=1 name=alice resume=" + token); // e.g. a reconnect before the old link died
            bob.send("SEND to=alice :both of you");
            bob.expect("ACK");
            assertEquals("both of you", alice.expect("MSG").text());
            assertEquals("both of you", second.expect("MSG").text());
            try (RawClient other = RawClient.connect(port, "other")) {
                other.expectError("HELLO proto=1 name=alice", "NAME_TAKEN");
            }
        }
    }

    @Test
    void aForgedForeignOrMalformedTokenIsRefusedAndTheConnectionStaysUsable() {
        int port = start(ChatServer.builder());
        int otherServer = start(ChatServer.builder()); // another random secret
        String token;
        String foreign;
        try (RawClient alice = RawClient.connect(port, "alice"); RawClient bob = RawClient.hello(port, "bob");
                RawClient elsewhere = RawClient.connect(otherServer, "elsewhere")) {
            token = welcome(alice, "HELLO proto=1 name=alice").field("resume");
            foreign = welcome(elsewhere, "HELLO proto=1 name=alice").field("resume");
            exchange(alice, bob);
            quit(alice);
        }
        int middle = token.length() - 5;
        String forged = token.substring(0, middle) + (token.charAt(middle) == 'A' ? 'B' : 'A') + token.substring(middle + 1);
        // the MAC's last character carries 2 bits and 4 unused ones: another spelling of the same bytes
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(token.charAt(token.length() - 1));
        assertEquals(0, last & 15, "a canonical spelling");
        String respelled = token.substring(0, token.length() - 1) + alphabet.charAt(last | 1);
        try (RawClient c = RawClient.connect(port, "c")) {
            for (String hello : List.of("HELLO proto=1 name=carol resume=" + token, // another name
                    "HELLO proto=1 name=alice resume=" + forged,
                    "HELLO proto=1 name=alice resume=" + respelled,
                    "HELLO proto=1 name=alice resume=" + foreign, // another server's secret
                    "HELLO proto=1 name=alice resume=2" + token.substring(1), // another version
                    "HELLO proto=1 name=alice resume=garbage")) {
                Frame e = c.expectError(hello, "RESUME_REFUSED");
                assertEquals("resume token refused", e.text());
            }
            Frame w = welcome(c, "HELLO proto=1 name=alice");
            assertNotEquals(token, w.field("resume"), "a new identity");
            assertEquals("0", history(c, "bob").get(0).field("count"));
        }
    }

    @Test
    void tokensSurviveARestartWithTheSameSecretOnly() {
        int first = start(ChatServer.builder().resumeSecret(SECRET));
        String token;
        String bobs;
        try (RawClient alice = RawClient.connect(first, "alice"); RawClient bob = RawClient.connect(first, "bob")) {
            token = welcome(alice, "HELLO proto=1 name=alice").field("resume");
            bobs = welcome(bob, "HELLO proto=1 name=bob").field("resume");
            exchange(alice, bob);
        }
        servers.remove(0).close();
        int again = start(ChatServer.builder().resumeSecret(SECRET.clone()));
        try (RawClient alice = RawClient.connect(again, "alice"); RawClient bob = RawClient.connect(again, "bob")) {
            welcome(alice, "HELLO proto=1 name=alice resume=" + token);
            // with= names whoever holds the name now: bob's DMs with alice are his identity's too
            assertEquals("0", history(alice, "bob").get(0).field("count"), "bob is not back yet");
            welcome(bob, "HELLO proto=1 name=bob resume=" + bobs);
            assertEquals("2", history(alice, "bob").get(2).field("count"));
            assertEquals("2", history(bob, "alice").get(2).field("count"));
        }
        int otherSecret = start(ChatServer.builder());
        try (RawClient alice = RawClient.connect(otherSecret, "alice")) {
            alice.expectError("HELLO proto=1 name=alice resume=" + token, "RESUME_REFUSED");
        }
    }

    @Test
    void authenticatedUsersKeepTheirDirectMessagesAndGetNoToken() {
        Authenticator accounts = r -> "pw".equals(r.token()) ? Authenticator.Result.identity(r.name())
                : Authenticator.Result.anonymous(r.name());
        int port = start(ChatServer.builder().authenticator(accounts));
        try (RawClient bob = RawClient.hello(port, "bob")) {
            try (RawClient alice = RawClient.connect(port, "alice")) {
                assertNull(welcome(alice, "HELLO proto=1 name=alice token=pw").field("resume"));
                exchange(alice, bob);
                quit(alice);
            }
            try (RawClient alice = RawClient.connect(port, "alice")) {
                welcome(alice, "HELLO proto=1 name=ALICE token=pw resume=ignored");
                assertEquals(3, history(alice, "bob").size());
            }
        }
    }

    @Test
    void theResumeSecretMustBeLongEnough() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatServer.builder().listen(TcpTransport.port(0)).store(store).resumeSecret(new byte[15]).build());
        assertEquals("resumeSecret must be at least 16 bytes, was 15", e.getMessage());
    }
}
