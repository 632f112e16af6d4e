package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@link ServerMetrics} hook hears every kind of event, over real sockets. */
@Timeout(30)
class ServerMetricsTest {
    private ChatServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Counts every call by a key such as "refused tcp ADDRESS_FULL". */
    static final class Recording implements ServerMetrics {
        final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        final AtomicReference<Gauges> gauges = new AtomicReference<>();

        private void add(String key, long n) {
            counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
        }

        long get(String key) {
            LongAdder a = counts.get(key);
            return a == null ? 0 : a.sum();
        }

        @Override
        public void serverStarted(Gauges g) {
            gauges.set(g);
        }

        @Override
        public void connectionAccepted(String transport) {
            add("accepted " + transport, 1);
        }

        @Override
        public void connectionRefused(String transport, Refusal reason) {
            add("refused " + transport + " " + reason, 1);
        }

        @Override
        public void disconnected(String transport, DisconnectReason reason) {
            add("disconnected " + transport + " " + reason, 1);
        }

        @Override
        public void bytesReceived(int bytes) {
            add("bytes in", bytes);
        }

        @Override
        public void frameReceived() {
            add("frames in", 1);
        }

        @Override
        public void frameRateLimited() {
            add("rate limited", 1);
        }

        @Override
        public void framesSent(int frames, long bytes) {
            add("frames out", frames);
            add("bytes out", bytes);
        }

        @Override
        public void delivered(int recipients) {
            add("delivered", recipients);
        }

        @Override
        public void storeAppended(int messages, long nanos, boolean failed) {
            add("appends " + (failed ? "failed" : "ok"), 1);
            add("appended messages", messages);
            assertTrue(nanos >= 0);
        }

        @Override
        public void historyRead(Read kind, int messages, long nanos) {
            add("read " + kind, 1);
            add("read messages " + kind, messages);
        }
    }

    @Test
    void everyKindOfEventIsReported() throws Exception {
        Recording metrics = new Recording();
        server = ChatServer.builder()
                .listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create())
                .maxConnectionsPerAddress(2)
                .metrics(metrics)
                .build()
                .start();
        int port = server.port();
        ServerMetrics.Gauges gauges = metrics.gauges.get();
        assertNotNull(gauges, "serverStarted hands over the gauges");
        try (RawClient ann = RawClient.hello(port, "ann"); RawClient bob = RawClient.hello(port, "bob")) {
            ann.send("JOIN room=lobby");
            ann.expect("JOINED");
            ann.send("SEND room=lobby ref=1 :one");
            ann.expect("ACK");
            bob.send("JOIN room=lobby");
            Frame replayed = bob.await(f -> f.verb().equals("MSG"));
            assertEquals("one", replayed.text());
            ann.send("SEND room=lobby ref=2 :two");
            ann.await(f -> f.verb().equals("ACK"));
            bob.await(f -> f.verb().equals("MSG") && "two".equals(f.text()));
            bob.send("HISTORY room=lobby limit=10 ref=h");
            bob.await(f -> f.verb().equals("END"));

            assertEquals(2, gauges.connections());
            assertEquals(2, gauges.users());
            assertEquals(1, gauges.rooms());
            assertTrue(gauges.queuedBytes() >= 0);

            try (RawClient third = RawClient.tcp(port)) {
                assertEquals("server-full", third.awaitClose().getLast().field("reason"));
            }
            ann.send("QUIT");
            assertEquals("quit", ann.awaitClose().getLast().field("reason"));
        }
        server.close();

        assertEquals(2, metrics.get("accepted tcp"));
        assertEquals(1, metrics.get("refused tcp ADDRESS_FULL"));
        assertEquals(1, metrics.get("disconnected tcp SERVER_FULL"), "the refused connection still ends once");
        assertEquals(1, metrics.get("disconnected tcp QUIT"));
        assertEquals(1, metrics.get("disconnected tcp DISCONNECT") + metrics.get("disconnected tcp SHUTDOWN"),
                "bob: his socket closed by the test, or the shutdown that came right after");
        assertEquals(2, metrics.get("appends ok"));
        assertEquals(2, metrics.get("appended messages"));
        assertEquals(1, metrics.get("delivered"), "'one' had no other member yet, 'two' reached bob");
        assertEquals(1, metrics.get("read JOIN_REPLAY"), "ann's join of an empty room reads nothing");
        assertEquals(1, metrics.get("read messages JOIN_REPLAY"));
        assertEquals(1, metrics.get("read HISTORY"));
        assertEquals(2, metrics.get("read messages HISTORY"));
        // HELLO x2, JOIN x2, SEND x2, HISTORY, QUIT
        assertEquals(8, metrics.get("frames in"));
        assertEquals(server.stats().framesIn(), metrics.get("frames in"));
        assertEquals(server.stats().bytesIn(), metrics.get("bytes in"));
        assertEquals(server.stats().framesOut(), metrics.get("frames out"));
        assertEquals(server.stats().bytesOut(), metrics.get("bytes out"));
        assertEquals(0, gauges.connections(), "levels read zero once closed");
    }

    @Test
    void rateLimitedFramesAndTheDefaultHook() throws Exception {
        Recording metrics = new Recording();
        server = ChatServer.builder()
                .listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create())
                .rateLimit(1, 1)
                .metrics(metrics)
                .build()
                .start();
        try (RawClient ann = RawClient.hello(server.port(), "ann")) {
            ann.send("WHO room=lobby");
            ann.await(f -> f.verb().equals("ERROR") && "RATE_LIMITED".equals(f.field("code")));
        }
        assertTrue(metrics.get("rate limited") >= 1);
        assertEquals(server.stats().rateLimited(), metrics.get("rate limited"));
    }
}
