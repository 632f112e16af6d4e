package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Graceful shutdown: everyone gets ERROR SHUTTING_DOWN and BYE shutdown; nothing acknowledged is lost. */
@Timeout(60)
class ShutdownTest {

    @Test
    void closeUnderLoadLosesNothingAcknowledged() throws Exception {
        InMemoryMessageStore store = InMemoryMessageStore.create();
        ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(store)
                .rateLimit(100_000, 100_000).build().start();
        int port = server.port();
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RawClient c = RawClient.hello(port, "user" + i);
            c.send("JOIN room=r");
            c.expect("JOINED");
            clients.add(c);
        }
        // Each client sends until the server goes away, and collects its ACKs and final frames.
        List<CompletableFuture<List<Frame>>> results = new ArrayList<>();
        for (RawClient c : clients) {
            results.add(CompletableFuture.supplyAsync(() -> {
                List<Frame> frames = new ArrayList<>();
                try {
                    sending:
                    for (int n = 0; n < 1_000_000; n++) {
                        c.send("SEND room=r id=" + n + " :message " + n);
                        // one message in flight per client: wait for its ACK (or the end)
                        while (true) {
                            Frame f = c.nextOrEnd();
                            if (f == null) {
                                break sending;
                            }
                            frames.add(f);
                            if (f.verb().equals("ACK") || f.verb().equals("ERROR") || f.verb().equals("BYE")) {
                                break;
                            }
                        }
                    }
                } catch (java.io.UncheckedIOException e) {
                    // the server closed while we wrote: expected
                }
                frames.addAll(c.awaitClose());
                return frames;
            }, r -> Thread.ofVirtual().start(r)));
        }
        // Let some messages through (seen by an observer), then shut down while they keep sending.
        RawClient observer = RawClient.hello(port, "observer");
        observer.send("JOIN room=r since=0");
        observer.awaitVerb("MSG");
        server.close();
        assertFalse(server.isRunning());

        Set<Long> stored = new HashSet<>();
        for (StoredMessage m : store.readAfter(Conversations.room("r"), 0, Integer.MAX_VALUE)) {
            stored.add(m.seq());
        }
        int acks = 0;
        for (CompletableFuture<List<Frame>> f : results) {
            List<Frame> frames = f.get(30, TimeUnit.SECONDS);
            for (Frame fr : frames) {
                if (fr.verb().equals("ACK")) {
                    acks++;
                    assertTrue(stored.contains(Long.parseLong(fr.field("seq"))), "ACKed but not stored: " + fr);
                }
            }
            Frame last = frames.get(frames.size() - 1);
            assertEquals("BYE", last.verb(), () -> "last frame " + last);
            assertEquals("shutdown", last.field("reason"));
            assertTrue(frames.stream().anyMatch(fr -> "SHUTTING_DOWN".equals(fr.field("code"))));
        }
        assertTrue(acks > 0);
        assertEquals(5, server.stats().disconnects(DisconnectReason.SHUTDOWN));
        clients.forEach(RawClient::close);
        observer.close();
    }

    @Test
    void aClientThatPipelinesStillGetsItsByeAtShutdown() throws Exception {
        InMemoryMessageStore store = InMemoryMessageStore.create();
        ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(store)
                .rateLimit(100_000, 100_000).build().start();
        try (RawClient c = RawClient.hello(server.port(), "piper")) {
            c.send("JOIN room=p");
            c.expect("JOINED");
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                burst.append("SEND room=p :pipelined ").append(i).append('\n');
            }
            Thread.ofVirtual().start(() -> {
                c.trySendBytes(burst.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
            c.expect("ACK");
            server.close();
            List<Frame> rest = c.awaitClose();
            Frame last = rest.get(rest.size() - 1);
            assertEquals("BYE", last.verb(), () -> "last frame " + last);
            assertEquals("shutdown", last.field("reason"));
            long stored = store.head(Conversations.room("p"));
            assertTrue(rest.stream().filter(f -> f.verb().equals("ACK"))
                    .allMatch(f -> Long.parseLong(f.field("seq")) <= stored));
        }
    }

    @Test
    void twoServersInOneJvmAreIndependentAndInMemoryClientsAreToldOfShutdown() throws Exception {
        InMemoryTransport memory = InMemoryTransport.create();
        try (ChatServer one = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .build().start()) {
            ChatServer two = ChatServer.builder().listen(memory).store(InMemoryMessageStore.create()).build().start();
            try (RawClient a = RawClient.hello(one.port(), "same"); RawClient b = RawClient.over(memory)) {
                b.send("HELLO proto=1 name=same");
                b.expect("WELCOME"); // same name on another server is fine
                a.send("JOIN room=r");
                a.expect("JOINED");
                assertEquals(List.of("r"), one.rooms());
                assertEquals(List.of(), two.rooms());
                two.close();
                List<Frame> last = b.awaitClose();
                assertEquals("SHUTTING_DOWN", last.get(0).field("code"));
                assertEquals("shutdown", last.get(1).field("reason"));
                a.send("PING token=alive");
                assertEquals("alive", a.expect("PONG").field("token"));
            }
        }
    }

    @Test
    void roomsWithHistorySurviveARestart() throws Exception {
        InMemoryMessageStore store = InMemoryMessageStore.create();
        try (ChatServer first = ChatServer.builder().listen(TcpTransport.port(0)).store(store).build().start()) {
            first.post("kept", "system", "before restart");
        }
        try (ChatServer second = ChatServer.builder().listen(TcpTransport.port(0)).store(store).build().start();
                RawClient a = RawClient.hello(second.port(), "ann")) {
            assertEquals(List.of("kept"), second.rooms());
            a.send("ROOMS");
            assertEquals("kept", a.expect("ROOM").field("name"));
            a.expect("END");
            a.send("JOIN room=kept");
            assertEquals("1", a.expect("JOINED").field("head"));
            assertEquals("before restart", a.expect("MSG").text());
            a.send("SEND room=kept :after");
            assertEquals("2", a.expect("ACK").field("seq"));
        }
    }
}
