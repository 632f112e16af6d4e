package dev.parley.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client keeps the resume token of an anonymous identity, presents it, and hands it to the app. */
@Timeout(30)
class ResumeTokenTest {
    private static final String TOKEN = "1.q2pVYtzGD4GGyJ3Qf8b6Ew.xG0u9Rz6bC2sKcKq1RDpoA";
    private static final String OTHER = "1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA";

    private final InMemoryMessageStore store = InMemoryMessageStore.create();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Records the tokens the listener is given. */
    static final class Tokens implements ChatListener {
        final BlockingQueue<String> tokens = new LinkedBlockingQueue<>();

        @Override
        public void onResumeToken(String token) {
            tokens.add(token);
        }

        String next() throws InterruptedException {
            String t = tokens.poll(10, TimeUnit.SECONDS);
            if (t == null) {
                throw new AssertionError("no resume token within 10 s");
            }
            return t;
        }
    }

    private ChatSession connect(int port, String name, String resumeToken, ChatListener listener) {
        ChatSession s = ChatClient.builder().address("127.0.0.1", port).name(name).resumeToken(resumeToken)
                .listener(listener).reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(100)).build().connect();
        toClose.add(s::closeNow);
        return s;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRestartedClientWithItsTokenReadsItsDirectMessagesAgain() throws Exception {
        ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(store).build().start();
        toClose.add(server);
        ChatSession bob = connect(server.port(), "bob", null, new ChatListener() { });
        Tokens first = new Tokens();
        ChatSession alice = connect(server.port(), "alice", null, first);
        String token = first.next();
        assertEquals(token, alice.resumeToken());
        get(alice.sendDirect("bob", "psst"));
        alice.close();

        Tokens second = new Tokens();
        ChatSession again = connect(server.port(), "alice", token, second);
        assertEquals(token, again.resumeToken(), "the same identity");
        assertEquals(List.of("psst"), get(again.directHistory("bob", History.latest())).stream()
                .map(ChatMessage::text).toList());
        assertNull(second.tokens.poll(), "an unchanged token is not announced again");
        bob.closeNow();
    }

    @Test
    void aRefusedTokenStartsANewIdentityAndTheNewTokenIsAnnounced() throws Exception {
        ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(store).build().start();
        toClose.add(server);
        Tokens tokens = new Tokens();
        ChatSession alice = connect(server.port(), "alice", OTHER, tokens);
        String fresh = tokens.next();
        assertNotEquals(OTHER, fresh);
        assertEquals(fresh, alice.resumeToken());
    }

    @Test
    void theTokenIsPresentedAgainOnEveryReconnect() throws Exception {
        try (FakeServer fake = new FakeServer()) {
            Tokens tokens = new Tokens();
            CompletableFuture<ChatSession> connecting = CompletableFuture.supplyAsync(
                    () -> connect(fake.port(), "Souvik", null, tokens), Executors.newVirtualThreadPerTaskExecutor());
            try (FakeServer.Peer peer = fake.accept()) {
                Frame hello = peer.expect("HELLO");
                assertFalse(hello.has("resume"));
                peer.send("WELCOME proto=1 name=Souvik server=fake/0 max-line=16384 max-text=4096 resume=" + TOKEN
                        + " ref=" + hello.field("ref"));
                assertEquals(TOKEN, get(connecting).resumeToken());
                assertEquals(TOKEN, tokens.next());
            } // the connection drops
            try (FakeServer.Peer peer = fake.accept()) {
                Frame hello = peer.expect("HELLO");
                assertEquals(TOKEN, hello.field("resume"));
                peer.send("ERROR code=RESUME_REFUSED ref=" + hello.field("ref") + " :resume token refused");
            }
            try (FakeServer.Peer peer = fake.accept()) {
                Frame hello = peer.expect("HELLO");
                assertFalse(hello.has("resume"), "a refused token is dropped");
                peer.send("WELCOME proto=1 name=Souvik server=fake/0 max-line=16384 max-text=4096 resume=" + OTHER
                        + " ref=" + hello.field("ref"));
                assertEquals(OTHER, tokens.next());
                assertEquals(OTHER, get(connecting).resumeToken());
            }
        }
    }

    @Test
    void aTokenWithSpacesIsRefusedByTheBuilder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatClient.builder().address("127.0.0.1", 1).name("a").resumeToken("a b").build());
        assertEquals("resumeToken must be non-empty and have no spaces or control characters", e.getMessage());
        assertNotNull(ChatClient.builder().address("127.0.0.1", 1).name("a").resumeToken(TOKEN).build());
    }
}
