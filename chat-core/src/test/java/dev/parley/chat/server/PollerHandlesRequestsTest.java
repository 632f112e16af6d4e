package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where nothing a request does can block (the built-in in-memory store, filter and access policy),
 * the polling thread handles an established plain-TCP connection's input itself; with application
 * code in the path (here a {@link MessageFilter}) every request runs on a reader (virtual) thread;
 * and back-pressure waits owed by the polling thread are paid by a reader thread, not by stalling
 * the poller. The thread that handles each frame is seen through {@link ServerMetrics#frameReceived}.
 */
@Timeout(60)
class PollerHandlesRequestsTest {
    private ChatServer server;
    private final List<RawClient> clients = new ArrayList<>();
    /** Per frame received: whether it was handled on a virtual thread. */
    private final ConcurrentLinkedQueue<Boolean> onVirtual = new ConcurrentLinkedQueue<>();
    private final ServerMetrics threads = new ServerMetrics() {
        @Override
        public void frameReceived() {
            onVirtual.add(Thread.currentThread().isVirtual());
        }
    };

    @AfterEach
    void stop() throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A server where nothing blocks (the poller handles small reads), noting the thread of each frame. */
    private void startWithThreadMetrics() {
        server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).rateLimit(100_000, 100_000)
                .metrics(threads).build().start();
    }

    private RawClient client(String name) {
        RawClient c = RawClient.hello(server.port(), name);
        clients.add(c);
        return c;
    }

    @Test
    void helloRunsOnAReaderThreadAndLaterRequestsOnThePoller() throws Exception {
        startWithThreadMetrics();
        RawClient alice = client("alice");
        RawClient bob = client("bob");
        assertTrue(onVirtual.stream().allMatch(v -> v), "HELLO is handled on a reader thread");
        alice.send("JOIN room=lobby");
        alice.expect("JOINED");
        bob.send("JOIN room=lobby");
        bob.expect("JOINED");
        onVirtual.clear();
        for (int i = 0; i < 100; i++) {
            alice.send("SEND room=lobby id=" + i + " :hello " + i);
            assertEquals(String.valueOf(i), alice.awaitVerb("ACK").field("id"));
            Frame msg = bob.expect("MSG");
            assertEquals("hello " + i, msg.text());
        }
        assertEquals(100, onVirtual.size());
        // A SEND that arrives while the reader thread of the one before is still unwinding is read by
        // that thread; the rest are handled on the polling thread.
        assertTrue(onVirtual.contains(false), "no SEND was handled on the polling thread");
    }

    @Test
    void partnersSendingAtOnceGetEveryAckAndMessageInOrder() throws Exception {
        // Both partners of a room of two send at once, in small reads the poller handles in place:
        // a reply waits for the end of the poller's round and the partner's message of the same
        // round queues behind it (Outbound.sendReplies). Whatever the rounds, each side gets its ACKs
        // in the order of its SENDs and the other's messages in the order they were sent, all of them.
        startWithThreadMetrics();
        RawClient alice = client("alice");
        RawClient bob = client("bob");
        alice.join("pair");
        bob.join("pair");
        alice.await(f -> f.verb().equals("JOINED") && "bob".equals(f.field("name")));
        onVirtual.clear();
        int n = 300;
        Thread bobSends = Thread.ofVirtual().start(() -> sendAll(bob, "b", n));
        sendAll(alice, "a", n);
        bobSends.join();
        checkAcksAndMessages(alice, "a", "b", n);
        checkAcksAndMessages(bob, "b", "a", n);
        assertTrue(onVirtual.contains(false), "no SEND was handled on the polling thread");
    }

    /** Sends {@code n} SENDs to room pair, three per write (a small read each). */
    private static void sendAll(RawClient c, String prefix, int n) {
        for (int i = 0; i < n; i += 3) {
            StringBuilder lines = new StringBuilder();
            for (int k = i; k < Math.min(n, i + 3); k++) {
                lines.append("SEND room=pair id=").append(prefix).append(k).append(" :").append(prefix).append(' ').append(k).append('\n');
            }
            c.sendBytes(lines.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void checkAcksAndMessages(RawClient c, String own, String other, int n) {
        int acks = 0;
        int msgs = 0;
        while (acks < n || msgs < n) {
            Frame f = c.next();
            switch (f.verb()) {
                case "ACK" -> assertEquals(own + acks++, f.field("id"), "ACKs out of order");
                case "MSG" -> {
                    if (f.text().startsWith(other + " ")) {
                        assertEquals(other + " " + msgs++, f.text(), "messages out of order");
                    }
                }
                case "ERROR", "BYE" -> throw new AssertionError("unexpected " + f);
                default -> {
                    // presence and the like
                }
            }
        }
    }

    @Test
    void applicationCodeInThePathKeepsEveryRequestOnAReaderThread() throws Exception {
        ConcurrentLinkedQueue<Boolean> filterOnVirtual = new ConcurrentLinkedQueue<>();
        server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).rateLimit(100_000, 100_000)
                .metrics(threads)
                .messageFilter(m -> {
                    filterOnVirtual.add(Thread.currentThread().isVirtual());
                    return MessageFilter.Verdict.accept();
                })
                .build().start();
        RawClient alice = client("alice");
        alice.send("JOIN room=lobby");
        alice.expect("JOINED");
        for (int i = 0; i < 50; i++) {
            alice.send("SEND room=lobby id=" + i + " :hello " + i);
            alice.expect("ACK");
        }
        assertEquals(50, filterOnVirtual.size());
        assertFalse(filterOnVirtual.contains(false), "the filter ran on the polling thread");
        assertFalse(onVirtual.contains(false), "a request was handled on the polling thread");
    }

    @Test
    void aClientThatDoesNotReadItsRepliesDoesNotStallThePoller() throws Exception {
        server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).rateLimit(100_000, 100_000)
                .outboundQueueBytes(64 * 1024).build().start();
        RawClient watcher = client("watcher");
        watcher.send("JOIN room=big");
        watcher.expect("JOINED");
        String text = "x".repeat(900);
        for (int i = 0; i < 200; i++) {
            watcher.send("SEND room=big id=" + i + " :" + text);
            watcher.expect("ACK");
        }
        // The hog registers and joins, then (once the reader thread that handled that is gone, so the
        // polling thread handles what comes next) asks for far more history than its socket and its
        // queue hold, and reads nothing: its replies wait for its queue, which the polling thread
        // must not do.
        try (Socket hog = new Socket()) {
            hog.setReceiveBufferSize(4096);
            hog.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            OutputStream out = hog.getOutputStream();
            out.write("HELLO proto=1 name=hog\nJOIN room=big\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            watcher.await(f -> f.verb().equals("JOINED") && "hog".equals(f.field("name")));
            while (IdleReadersTest.readerThreads() > 0) {
                LockSupport.parkNanos(10_000_000); // the readers that handled HELLO and JOIN end
            }
            int asks = 40;
            out.write("HISTORY room=big limit=200\n".repeat(asks).getBytes(StandardCharsets.UTF_8));
            out.flush();
            // Everyone else is served meanwhile, through the same polling thread.
            RawClient other = client("other");
            other.send("JOIN room=small");
            other.expect("JOINED");
            for (int i = 0; i < 20; i++) {
                other.send("SEND room=small id=" + i + " :still served");
                assertEquals(String.valueOf(i), other.expect("ACK").field("id"));
            }
            // Then the hog reads, and every answer is there, whole and in order.
            BufferedReader in = new BufferedReader(new InputStreamReader(hog.getInputStream(), StandardCharsets.UTF_8));
            int ends = 0;
            int msgs = 0;
            boolean joined = false;
            while (ends < asks) {
                String line = in.readLine();
                assertTrue(line != null, "the hog's connection closed after " + ends + " answers");
                assertFalse(line.startsWith("ERROR") || line.startsWith("BYE"), line);
                if (line.startsWith("JOINED")) {
                    joined = true;
                } else if (joined && line.startsWith("MSG") && line.contains(" " + "seq=")) {
                    msgs++;
                } else if (joined && line.startsWith("END")) {
                    ends++;
                }
            }
            assertTrue(msgs >= asks * 200, "history answers lost messages: " + msgs);
        }
    }
}
