package dev.parley.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client keeps below the rate limit its server announces in WELCOME, against a server with the
 * default limit (50 frames/s, bursts of 100): nothing it sends is refused with RATE_LIMITED, which
 * carries no ref and would leave a request to time out, or a room not rejoined after a reconnect.
 */
@Timeout(60)
class RatePacingTest {
    private final InMemoryMessageStore store = InMemoryMessageStore.create();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ChatServer server = ChatServer.builder()
            .listen(TcpTransport.builder().host("127.0.0.1").port(0).build()).store(store).build().start();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        server.close();
        store.close();
    }

    private ChatSession connect(int port, String name, ChatListener listener) {
        ChatSession s = ChatClient.builder().address("127.0.0.1", port).name(name).listener(listener)
                .reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(100)).build().connect();
        toClose.add(s::closeNow);
        return s;
    }

    @Test
    void threeHundredSendsAtOnceAreAllAcknowledgedAndNoneIsRefused() throws Exception {
        ChatClientServerTest.Inbox ritamInbox = new ChatClientServerTest.Inbox();
        ChatSession souvik = connect(server.port(), "Souvik", new ChatClientServerTest.Inbox());
        ChatSession ritam = connect(server.port(), "Ritam", ritamInbox);
        souvik.join("lobby").get(10, TimeUnit.SECONDS);
        ritam.join("lobby").get(10, TimeUnit.SECONDS);

        List<CompletableFuture<Ack>> sent = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            sent.add(souvik.send("lobby", "m" + i));
        }
        for (int i = 0; i < sent.size(); i++) {
            Ack ack = sent.get(i).get(20, TimeUnit.SECONDS);
            assertEquals(i + 1, ack.seq());
        }
        for (int i = 1; i <= 300; i++) {
            assertEquals("m" + i, ritamInbox.next().text());
        }
        assertEquals(0, server.stats().rateLimited(), "frames refused with RATE_LIMITED");
    }

    @Test
    void aSessionInAHundredRoomsRejoinsEveryOneAfterAReconnect() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.port())) {
            ChatClientServerTest.Inbox souvikInbox = new ChatClientServerTest.Inbox();
            ChatSession souvik = connect(proxy.port(), "Souvik", souvikInbox);
            ChatSession ritam = connect(server.port(), "Ritam", new ChatClientServerTest.Inbox());
            List<CompletableFuture<?>> joins = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                joins.add(souvik.join("room" + i));
                joins.add(ritam.join("room" + i));
            }
            for (CompletableFuture<?> j : joins) {
                j.get(20, TimeUnit.SECONDS);
            }

            // The resume plan is HELLO, then 100 rejoins: more than the server's burst of 100.
            proxy.cutAfterNextSend();
            souvik.send("room1", "cut here");
            souvikInbox.events.nextStartingWith("disconnected");
            souvikInbox.events.nextStartingWith("reconnected");
            List<CompletableFuture<Ack>> sent = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                sent.add(ritam.send("room" + i, "to room" + i));
            }
            for (CompletableFuture<Ack> s : sent) {
                s.get(20, TimeUnit.SECONDS);
            }
            Set<String> got = new TreeSet<>();
            while (got.size() < 100) {
                ChatMessage m = souvikInbox.next();
                if (m.from().equals("Ritam")) {
                    assertEquals("to " + m.room(), m.text());
                    got.add(m.room());
                }
            }
            assertEquals(100, got.size());
            assertEquals(0, server.stats().rateLimited(), "frames refused with RATE_LIMITED");
        }
    }
}
