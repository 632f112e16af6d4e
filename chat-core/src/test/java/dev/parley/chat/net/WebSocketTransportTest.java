package dev.parley.chat.net;

import static dev.parley.chat.net.internal.WsTestFrames.concat;
import static dev.parley.chat.net.internal.WsTestFrames.frame;
import static dev.parley.chat.net.internal.WsTestFrames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.internal.WsFrames;
import dev.parley.chat.net.internal.WsTestFrames;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport over real sockets, with an echo "server" in place of ChatServer. */
@Timeout(20)
class WebSocketTransportTest {
    /** What the echo acceptor saw: lines, then "END" or "FAIL message". */
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
    private Binding binding;

    @AfterEach
    void closeBinding() {
        if (binding != null) {
            binding.close();
        }
        Connection c;
        while ((c = connections.poll()) != null) {
            c.close();
        }
    }

    private Binding bind(WebSocketTransport.Builder builder) throws IOException {
        binding = builder.host("127.0.0.1").port(0).build().bind(this::echo);
        return binding;
    }

    /** Answers each line L with "ECHO L". */
    private void echo(Connection c) {
        connections.add(c);
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[7];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                int n;
                while ((n = c.read(buf, 0, buf.length)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            String l = line.toString(StandardCharsets.UTF_8);
                            line.reset();
                            events.add(l);
                            c.write(ByteBuffer.wrap(("ECHO " + l + "\n").getBytes(StandardCharsets.UTF_8)));
                        } else {
                            line.write(buf[i]);
                        }
                    }
                }
                events.add("END");
            } catch (IOException e) {
                events.add("FAIL " + e.getMessage());
            }
        });
    }

    private String nextEvent() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 10 s");
        return e;
    }

    private RawWebSocket upgraded() throws IOException {
        RawWebSocket ws = new RawWebSocket(binding.localAddress());
        String head = ws.upgrade();
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head);
        return ws;
    }

    private static void assertClosedWith(RawWebSocket ws, int code) throws IOException {
        RawWebSocket.ServerFrame f = ws.readFrame();
        assertEquals(WsFrames.CLOSE, f.opcode());
        assertEquals(code, f.closeCode());
        assertTrue(ws.atEnd(), "TCP closed after the close frame");
    }

    @Test
    void textMessagesAreLinesBothWays() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(concat(text("HELLO proto=1 name=ann"), text("JOIN room=lobby")));
            assertEquals("HELLO proto=1 name=ann", nextEvent());
            assertEquals("JOIN room=lobby", nextEvent());
            assertEquals("ECHO HELLO proto=1 name=ann", ws.readFrame().text());
            assertEquals("ECHO JOIN room=lobby", ws.readFrame().text());
        }
        assertEquals("END", nextEvent(), "a socket closed without a close frame ends the stream");
    }

    @Test
    void writesSplitAtLfIntoOneMessagePerLine() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            Connection c = connections.poll(10, TimeUnit.SECONDS);
            assertNotNull(c);
            assertEquals("ws", c.transportName());
            c.write(ByteBuffer.wrap("MSG room=a seq=1 :x\nPI".getBytes(StandardCharsets.UTF_8)),
                    ByteBuffer.wrap("NG token=7\r\nBYE reason=quit\n".getBytes(StandardCharsets.UTF_8)));
            RawWebSocket.ServerFrame f = ws.readFrame();
            assertTrue(f.fin());
            assertEquals(WsFrames.TEXT, f.opcode());
            assertEquals("MSG room=a seq=1 :x", f.text());
            assertEquals("PING token=7", ws.readFrame().text(), "line joined across buffers, CR dropped");
            assertEquals("BYE reason=quit", ws.readFrame().text());
            String big = "MSG room=a seq=2 :" + "é".repeat(40_000);
            c.write(ByteBuffer.wrap((big + "\n").getBytes(StandardCharsets.UTF_8)));
            assertEquals(big, ws.readFrame().text(), "64-bit length form");
        }
    }

    @Test
    void aRoundOfManyLinesGoesOutWhole() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            Connection c = connections.poll(10, TimeUnit.SECONDS);
            assertNotNull(c);
            // 600 lines of 4 KB (2.4 MB) in one write, through chunks of at most 16 KiB; a CR LF split
            // between two buffers; an empty line (no message); a line of exactly one chunk.
            StringBuilder round = new StringBuilder();
            for (int i = 0; i < 600; i++) {
                round.append("MSG seq=").append(i).append(" :").append("y".repeat(4000)).append('\n');
            }
            String exact = "z".repeat(16 * 1024 - 4);
            c.write(ByteBuffer.wrap(round.toString().getBytes(StandardCharsets.UTF_8)),
                    ByteBuffer.wrap("tail\r".getBytes(StandardCharsets.UTF_8)),
                    ByteBuffer.wrap("\n\n".getBytes(StandardCharsets.UTF_8)),
                    ByteBuffer.wrap((exact + "\n").getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i < 600; i++) {
                assertEquals("MSG seq=" + i + " :" + "y".repeat(4000), ws.readFrame().text());
            }
            assertEquals("tail", ws.readFrame().text(), "CR dropped across buffers");
            assertEquals(exact, ws.readFrame().text(), "the empty line sent nothing");
        }
    }

    @Test
    void publicHostNamesAreBrowserHostsBesidesTheBoundAddress() throws Exception {
        bind(WebSocketTransport.builder().publicHostNames("Chat.Example.com"));
        String upgrade = "GET /chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Origin: %s\r\nSec-WebSocket-Key: " + RawWebSocket.KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request(upgrade.formatted("chat.example.com", "https://chat.example.com"));
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        }
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request(upgrade.formatted("evil.example", "http://evil.example"));
            assertTrue(head.startsWith("HTTP/1.1 403 "), head);
        }
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            int port = ((InetSocketAddress) binding.localAddress()).getPort();
            String head = ws.request(upgrade.formatted("127.0.0.1:" + port, "http://127.0.0.1:" + port));
            assertTrue(head.startsWith("HTTP/1.1 101 "), "the bound address stays allowed: " + head);
        }
    }

    @Test
    void fragmentsAreReassembledAndInterleavedPingsAnswered() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(concat(
                    frame(false, WsFrames.TEXT, "SEND room=lobby ".getBytes(StandardCharsets.UTF_8)),
                    frame(true, WsFrames.PING, "p1".getBytes(StandardCharsets.UTF_8)),
                    frame(true, WsFrames.CONTINUATION, ":hi there".getBytes(StandardCharsets.UTF_8))));
            RawWebSocket.ServerFrame pong = ws.readFrame();
            assertEquals(WsFrames.PONG, pong.opcode());
            assertEquals("p1", pong.text());
            assertEquals("SEND room=lobby :hi there", nextEvent());
            assertEquals("ECHO SEND room=lobby :hi there", ws.readFrame().text());
        }
    }

    @Test
    void clientCloseIsAnsweredAndEndsTheStream() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.CLOSE, WsTestFrames.closePayload(1000, "done")));
            assertClosedWith(ws, 1000);
            assertEquals("END", nextEvent());
        }
    }

    @Test
    void serverCloseSendsNormalClosure() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            Connection c = connections.poll(10, TimeUnit.SECONDS);
            assertNotNull(c);
            c.close();
            assertClosedWith(ws, 1000);
            assertEquals("END", nextEvent(), "a closed connection reads as the end of the stream");
            assertThrows(IOException.class, () -> c.write(ByteBuffer.wrap("X\n".getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void unmaskedFrameClosesWith1002() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.TEXT, "PING".getBytes(StandardCharsets.UTF_8), false));
            assertClosedWith(ws, 1002);
            assertTrue(nextEvent().startsWith("FAIL WebSocket close 1002"));
        }
    }

    @Test
    void oversizeLengthClosesWith1009BeforeThePayload() throws Exception {
        bind(WebSocketTransport.builder().maxMessageSize(1024));
        try (RawWebSocket ws = upgraded()) {
            ws.send(WsTestFrames.header64(WsFrames.TEXT, 1L << 33));
            assertClosedWith(ws, 1009);
        }
    }

    @Test
    void topBitInSixtyFourBitLengthClosesWith1002() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(WsTestFrames.header64(WsFrames.TEXT, Long.MIN_VALUE + 5));
            assertClosedWith(ws, 1002);
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.TEXT, new byte[] {'S', 'E', 'N', 'D', ' ', (byte) 0xed, (byte) 0xa0, (byte) 0x80}));
            assertClosedWith(ws, 1007);
            assertTrue(nextEvent().startsWith("FAIL WebSocket close 1007"));
        }
    }

    @Test
    void binaryClosesWith1003() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.BINARY, new byte[] {1, 2}));
            assertClosedWith(ws, 1003);
        }
    }

    @Test
    void wrongVersionGets426AndNoConnection() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + RawWebSocket.KEY + "\r\nSec-WebSocket-Version: 12\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 426 Upgrade Required\r\n"), head);
            assertTrue(head.contains("\r\nSec-WebSocket-Version: 13\r\n"), head);
            ws.readToEnd();
        }
        assertNull(connections.poll(), "the acceptor never saw it");
    }

    @Test
    void badKeyGets400() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
        }
    }

    @Test
    void foreignOriginGets403() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Origin: http://evil.example\r\nSec-WebSocket-Key: " + RawWebSocket.KEY
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 403 "), head);
        }
    }

    @Test
    void pageIsServedOnlyWhenEnabled() throws Exception {
        bind(WebSocketTransport.builder().servePage(true));
        int port = ((InetSocketAddress) binding.localAddress()).getPort();
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.contains("Content-Type: text/html; charset=utf-8\r\n"), head);
            assertTrue(head.contains("Connection: close\r\n"), head);
            String body = ws.readToEnd();
            assertTrue(body.contains("<title>Parley</title>"));
            assertTrue(head.contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"));
        }
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            String head = ws.request("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertEquals("", ws.readToEnd(), "HEAD has no body");
        }
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            assertTrue(ws.request("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 404 "));
        }
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            assertTrue(ws.request("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 405 "));
        }
        binding.close();
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            assertTrue(ws.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 404 "),
                    "no page unless servePage(true)");
        }
    }

    @Test
    void garbageInsteadOfHttpGets400() throws Exception {
        bind(WebSocketTransport.builder());
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            assertTrue(ws.request("HELLO proto=1 name=ann\r\n\r\n").startsWith("HTTP/1.1 400 "));
        }
    }

    @Test
    void silentSocketIsDroppedAfterTheHandshakeTimeout() throws Exception {
        bind(WebSocketTransport.builder().handshakeTimeout(Duration.ofMillis(300)));
        try (RawWebSocket ws = new RawWebSocket(binding.localAddress())) {
            assertTrue(ws.atEnd(), "closed without a request");
        }
        assertNull(connections.poll());
    }

    @Test
    void jdkWebSocketClientInteroperates() throws Exception {
        bind(WebSocketTransport.builder());
        int port = ((InetSocketAddress) binding.localAddress()).getPort();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received.add(text.toString());
                    text.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }
        };
        try (HttpClient http = HttpClient.newHttpClient()) {
            WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), listener)
                    .get(10, TimeUnit.SECONDS);
            ws.sendText("SEND room=lobby ", false).get(10, TimeUnit.SECONDS);
            ws.sendText(":grüße ✓", true).get(10, TimeUnit.SECONDS);
            assertEquals("ECHO SEND room=lobby :grüße ✓", received.poll(10, TimeUnit.SECONDS));
            ws.sendClose(1000, "bye").get(10, TimeUnit.SECONDS);
            assertEquals(1000, closed.get(10, TimeUnit.SECONDS));
        }
        assertEquals("SEND room=lobby :grüße ✓", nextEvent());
        assertEquals("END", nextEvent());
    }

    @Test
    void closedBindingRefusesNewSockets() throws Exception {
        Binding b = bind(WebSocketTransport.builder());
        b.close();
        b.close();
        assertThrows(IOException.class, () -> {
            try (RawWebSocket ws = new RawWebSocket(b.localAddress())) {
                ws.upgrade();
            }
        });
    }

    @Test
    void builderValidatesSettings() {
        WebSocketTransport.Builder b = WebSocketTransport.builder();
        assertEquals("port", message(() -> b.port(70000)).substring(0, 4));
        assertTrue(message(() -> b.path("chat")).startsWith("path"));
        assertTrue(message(() -> b.path("/")).startsWith("path"));
        assertTrue(message(() -> b.maxMessageSize(10)).startsWith("maxMessageSize"));
        assertTrue(message(() -> b.allowedOrigins("evil.example")).startsWith("allowedOrigins"));
        assertTrue(message(() -> b.handshakeTimeout(Duration.ZERO)).startsWith("handshakeTimeout"));
        assertTrue(message(() -> b.maxPendingHandshakes(0)).startsWith("maxPendingHandshakes"));
        assertTrue(message(() -> b.maxPendingHandshakesPerAddress(0)).startsWith("maxPendingHandshakesPerAddress"));
        assertTrue(message(() -> b.publicHostNames("chat.example.com:443")).startsWith("publicHostNames"));
        assertTrue(message(() -> b.publicHostNames("a b")).startsWith("publicHostNames"));
        WebSocketTransport t = b.path("/ws").servePage(true).build();
        assertEquals("ws", t.name());
        assertEquals("/ws", t.path());
        assertTrue(t.servesPage());
        assertFalse(WebSocketTransport.builder().build().servesPage());
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
