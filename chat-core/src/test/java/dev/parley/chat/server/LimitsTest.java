package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.protocol.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every limit with its error, each on its own server. */
@Timeout(30)
class LimitsTest {
    private ChatServer server;

    private int start(ChatServer.Builder b) {
        server = b.listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).build().start();
        return server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Frame last(List<Frame> frames) {
        return frames.get(frames.size() - 1);
    }

    @Test
    void maxConnections() throws Exception {
        int port = start(ChatServer.builder().maxConnections(2));
        try (RawClient a = RawClient.hello(port, "a"); RawClient b = RawClient.hello(port, "b");
                RawClient c = RawClient.tcp(port)) {
            List<Frame> frames = c.awaitClose();
            assertEquals("SERVER_FULL", frames.get(0).field("code"));
            assertEquals("server-full", last(frames).field("reason"));
            assertEquals(1, server.stats().disconnects(DisconnectReason.SERVER_FULL));
        }
    }

    @Test
    void maxConnectionsPerAddress() throws Exception {
        int port = start(ChatServer.builder().maxConnectionsPerAddress(1));
        try (RawClient a = RawClient.hello(port, "a"); RawClient b = RawClient.tcp(port)) {
            List<Frame> frames = b.awaitClose();
            assertEquals("SERVER_FULL", frames.get(0).field("code"));
        }
    }

    @Test
    void helloWithinHandshakeTimeout() throws Exception {
        int port = start(ChatServer.builder().handshakeTimeout(Duration.ofMillis(200)));
        try (RawClient a = RawClient.tcp(port)) {
            List<Frame> frames = a.awaitClose();
            assertEquals("TIMEOUT", frames.get(0).field("code"));
            assertEquals("timeout", last(frames).field("reason"));
        }
    }

    @Test
    void idlePingThenTimeout() throws Exception {
        int port = start(ChatServer.builder().pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(300)));
        try (RawClient a = RawClient.hello(port, "a"); RawClient b = RawClient.hello(port, "b")) {
            // With a 200 ms ping interval a PING may come first on a loaded machine: wait for the JOINEDs
            // without taking the PINGs (a's are asserted below).
            a.send("JOIN room=r");
            a.next(f -> f.verb().equals("JOINED") && "a".equals(f.field("name")), "a's JOINED");
            b.send("JOIN room=r");
            b.next(f -> f.verb().equals("JOINED") && "b".equals(f.field("name")), "b's own JOINED");
            a.next(f -> f.verb().equals("JOINED") && "b".equals(f.field("name")), "b's JOINED at a");
            // b answers its PINGs and stays; a stays silent and is timed out.
            b.autoPong = true;
            List<Frame> frames = a.awaitClose();
            Frame ping2 = frames.stream().filter(f -> f.verb().equals("PING")).findFirst().orElseThrow();
            assertTrue(ping2.field("token").length() > 0);
            assertEquals("TIMEOUT", frames.get(frames.size() - 2).field("code"));
            assertEquals("timeout", last(frames).field("reason"));
            Frame left = b.awaitVerb("LEFT");
            assertEquals("timeout", left.field("reason"));
            assertEquals("a", left.field("name"));
        }
    }

    @Test
    void maxRoomsPerConnection() throws Exception {
        int port = start(ChatServer.builder().maxRoomsPerConnection(2));
        try (RawClient a = RawClient.hello(port, "a")) {
            a.send("JOIN room=r1");
            a.expect("JOINED");
            a.send("JOIN room=r2");
            a.expect("JOINED");
            a.send("JOIN room=r2");
            a.expect("JOINED");
            a.send("JOIN room=r3 ref=3");
            Frame e = a.expect("ERROR");
            assertEquals("TOO_MANY_ROOMS", e.field("code"));
            assertEquals("3", e.field("ref"));
            a.send("JOIN room=bad!name");
            assertEquals("BAD_VALUE", a.expect("ERROR").field("code"));
        }
    }

    @Test
    void roomsLeftWithoutAMessageDoNotPileUp() throws Exception {
        int port = start(ChatServer.builder().rateLimit(1_000_000, 1_000_000));
        try (RawClient a = RawClient.hello(port, "ann"); RawClient b = RawClient.hello(port, "ben")) {
            StringBuilder churn = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                churn.append("JOIN room=r").append(i).append("\nPART room=r").append(i).append('\n');
            }
            churn.append("PING token=done\n");
            a.sendRaw(churn.toString().getBytes(StandardCharsets.UTF_8));
            a.await(f -> f.verb().equals("PONG"));
            assertEquals(0, server.stats().rooms(), "300 rooms named and left: none kept");
            a.send("WHO room=r7 ref=w");
            assertEquals("NO_SUCH_ROOM", a.expect("ERROR").field("code"));

            // A room with a message is kept when everyone has left.
            a.send("JOIN room=keep");
            a.expect("JOINED");
            a.send("SEND room=keep :remember me");
            a.expect("ACK");
            a.send("PART room=keep");
            a.expect("LEFT");
            a.send("ROOMS ref=l");
            List<Frame> list = a.untilEnd();
            assertEquals("keep", list.get(0).field("name"));
            assertEquals("0", list.get(0).field("members"));
            assertEquals("1", last(list).field("count"));

            // Two clients joining and leaving one empty room at once always end up in the same room.
            String cycles = "JOIN room=race\nPART room=race\n".repeat(200) + "PING token=done\n";
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Thread other = Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    b.sendRaw(cycles.getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            start.await();
            a.sendRaw(cycles.getBytes(StandardCharsets.UTF_8));
            other.join();
            a.await(f -> f.verb().equals("PONG"));
            b.await(f -> f.verb().equals("PONG"));
            a.send("JOIN room=race ref=j");
            a.await(f -> f.verb().equals("JOINED") && "j".equals(f.field("ref")));
            b.send("JOIN room=race ref=j");
            b.await(f -> f.verb().equals("JOINED") && "j".equals(f.field("ref")));
            a.await(f -> f.verb().equals("JOINED") && "ben".equals(f.field("name")));
            a.send("SEND room=race :same room?");
            Frame m = b.await(f -> f.verb().equals("MSG"));
            assertEquals("same room?", m.text());
            assertEquals(List.of("ann", "ben"), server.members("race"));
            assertEquals(2, server.stats().rooms());
        }
    }

    @Test
    void maxTextLengthCountsUtf8Bytes() throws Exception {
        int port = start(ChatServer.builder().maxTextLength(10));
        try (RawClient a = RawClient.hello(port, "a")) {
            a.send("JOIN room=r");
            a.expect("JOINED");
            a.send("SEND room=r :0123456789");
            a.expect("ACK");
            a.send("SEND room=r :ééééééé");
            assertEquals("TEXT_TOO_LONG", a.expect("ERROR").field("code"));
            a.send("SEND room=r :");
            assertEquals("BAD_VALUE", a.expect("ERROR").field("code"));
        }
    }

    @Test
    void rateLimitThenFloodDisconnect() throws Exception {
        int port = start(ChatServer.builder().rateLimit(0.001, 3).floodLimit(5, Duration.ofSeconds(60)));
        try (RawClient a = RawClient.tcp(port)) {
            for (int i = 0; i < 3; i++) {
                a.send("PING token=" + i);
                a.expect("PONG");
            }
            a.send("PING token=x");
            assertEquals("RATE_LIMITED", a.expect("ERROR").field("code"));
            // One write: the flood is in the socket before the server closes on it (separate writes
            // could meet the close and fail with a broken pipe, which is the server doing its job).
            a.sendRaw("PING\n".repeat(10).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<Frame> frames = a.awaitClose();
            assertEquals("flood", last(frames).field("reason"));
            assertEquals("RATE_LIMITED", frames.get(frames.size() - 2).field("code"));
            assertEquals(1, server.stats().floodDisconnects());
            assertTrue(server.stats().rateLimited() >= 5);
        }
    }

    @Test
    void longLinesAreRefusedAndEndlessOnesClose() throws Exception {
        int port = start(ChatServer.builder().maxLineLength(256).maxTextLength(100).maxDiscardedLine(4096));
        try (RawClient a = RawClient.tcp(port)) {
            a.send("PING :" + "x".repeat(300));
            assertEquals("LINE_TOO_LONG", a.expect("ERROR").field("code"));
            a.send("PING token=still-here");
            assertEquals("still-here", a.expect("PONG").field("token"));
            byte[] endless = new byte[10_000];
            Arrays.fill(endless, (byte) 'y');
            a.sendRaw(endless);
            List<Frame> frames = a.awaitClose();
            assertEquals("line-too-long", last(frames).field("reason"));
        }
    }

    @Test
    void badFramesAreAnsweredAndTheConnectionStays() throws Exception {
        int port = start(ChatServer.builder());
        try (RawClient a = RawClient.tcp(port)) {
            a.send("HELLO name=a name=b");
            assertEquals("BAD_FRAME", a.expect("ERROR").field("code"));
            a.sendRaw(new byte[] {'P', 'I', 'N', 'G', ' ', ':', (byte) 0xC3, '\n'});
            assertEquals("INVALID_UTF8", a.expect("ERROR").field("code"));
            a.send("HELLO name=a");
            assertEquals("MISSING_FIELD", a.expect("ERROR").field("code"));
            a.sendRaw("HELLO proto=1 name=a\r\n".getBytes(StandardCharsets.UTF_8));
            a.expect("WELCOME");
        }
    }

    @Test
    void aLargeHistoryReplyIsNotASlowConsumer() throws Exception {
        int port = start(ChatServer.builder().outboundQueueBytes(4096));
        String text = "h".repeat(1000);
        for (int i = 0; i < 60; i++) {
            server.post("big", "system", text);
        }
        try (RawClient a = RawClient.hello(port, "a")) {
            a.send("JOIN room=big");
            a.expect("JOINED");
            for (int i = 0; i < 50; i++) {
                a.expect("MSG");
            }
            a.send("HISTORY room=big limit=60 ref=h");
            List<Frame> page = a.untilEnd();
            assertEquals(61, page.size());
            assertEquals("60", last(page).field("count"));
            assertEquals(0, server.stats().slowConsumerDisconnects());
        }
    }

    @Test
    void impossibleSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).maxConnections(0).build());
        assertTrue(e.getMessage().startsWith("maxConnections"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChatServer.builder().listen(TcpTransport.port(0)).build());
        assertTrue(e.getMessage().startsWith("store"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChatServer.builder().store(InMemoryMessageStore.create()).build());
        assertTrue(e.getMessage().startsWith("listen"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChatServer.builder().listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create()).writeTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().startsWith("writeTimeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TcpTransport.builder().tlsProtocols("TLSv1.1"));
        assertTrue(e.getMessage().startsWith("tlsProtocols"), e.getMessage());
    }
}
