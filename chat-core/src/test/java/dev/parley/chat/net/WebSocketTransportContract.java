package dev.parley.chat.net;

import static dev.parley.chat.net.internal.WsTestFrames.concat;
import static dev.parley.chat.net.internal.WsTestFrames.frame;
import static dev.parley.chat.net.internal.WsTestFrames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.internal.WsFrames;
import dev.parley.chat.net.internal.WsTestFrames;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every Parley WebSocket transport does on the wire, over real sockets, with an echo "server"
 * in place of ChatServer: lines both ways, fragments, pings, the close handshake both ways and the
 * close codes of RFC 6455. {@link WebSocketTransportTest} runs it against the built-in
 * {@link WebSocketTransport}; chat-jakarta-websocket runs it against its transport in Jetty (this
 * class ships in chat-core's test-jar).
 *
 * <p>A subclass starts its transport with {@link #echo} as the acceptor, its endpoint at
 * {@code /chat} on 127.0.0.1, and stops it in its own {@code @AfterEach}.
 */
@Timeout(20)
public abstract class WebSocketTransportContract {
    /** What the echo acceptor saw: lines, then "END" or "FAIL message". */
    protected final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    protected final BlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
    /** Where the transport under test listens, set by {@link #start(int)}. */
    protected SocketAddress address;

    /**
     * Starts the transport under test, its WebSocket endpoint at {@code /chat}, accepting messages of
     * up to {@code maxMessageSize} bytes, handing each connection to {@code acceptor}.
     *
     * @return the address (127.0.0.1 and a port) the endpoint is reached on
     */
    protected abstract SocketAddress startTransport(int maxMessageSize, Transport.Acceptor acceptor) throws Exception;

    /** The {@code transportName()} of its connections; {@code ws} unless overridden. */
    protected String transportName() {
        return "ws";
    }

    /** Starts the transport with the echo acceptor. */
    protected final void start(int maxMessageSize) throws Exception {
        address = startTransport(maxMessageSize, this::echo);
    }

    @AfterEach
    void closeConnections() {
        Connection c;
        while ((c = connections.poll()) != null) {
            c.close();
        }
    }

    /** Answers each line L with "ECHO L". */
    protected final void echo(Connection c) {
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

    protected final String nextEvent() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 10 s");
        return e;
    }

    /** A raw client, upgraded at /chat. */
    protected final RawWebSocket upgraded() throws IOException {
        RawWebSocket ws = new RawWebSocket(address);
        String head = ws.upgrade();
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        assertTrue(head.toLowerCase(java.util.Locale.ROOT)
                .contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"), head);
        return ws;
    }

    /** One whole text message, reassembled if the server sent it in fragments. */
    protected static String readMessage(RawWebSocket ws) throws IOException {
        RawWebSocket.ServerFrame f = ws.readFrame();
        assertEquals(WsFrames.TEXT, f.opcode());
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(f.payload());
        while (!f.fin()) {
            f = ws.readFrame();
            assertEquals(WsFrames.CONTINUATION, f.opcode());
            message.writeBytes(f.payload());
        }
        return message.toString(StandardCharsets.UTF_8);
    }

    /**
     * The close code for a 64-bit length with its most significant bit set: RFC 6455 makes it a
     * protocol error (1002); a container may call it too big (Jetty: 1009).
     */
    protected int topBitLengthCloseCode() {
        return 1002;
    }

    /**
     * Whether the test client must answer the server's close frame before the server closes the TCP
     * connection. RFC 6455 lets a server wait for that answer (Tomcat does); Parley's own transport
     * closes at once, so that a stuck peer never holds it, and its tests check exactly that.
     */
    protected boolean serverAwaitsCloseReply() {
        return false;
    }

    /**
     * Whether an oversize message is refused from its frame header, before any payload arrives
     * (Parley's transport and Jetty do; Tomcat reads up to the limit first).
     */
    protected boolean decidesSizeFromTheHeader() {
        return true;
    }

    protected void assertClosedWith(RawWebSocket ws, int code) throws IOException {
        RawWebSocket.ServerFrame f = ws.readFrame();
        assertEquals(WsFrames.CLOSE, f.opcode());
        assertEquals(code, f.closeCode());
        if (serverAwaitsCloseReply()) {
            ws.send(frame(true, WsFrames.CLOSE, WsTestFrames.closePayload(code, "")));
        }
        assertTrue(ws.atEnd(), "TCP closed after the close frame");
    }

    @Test
    void textMessagesAreLinesBothWays() throws Exception {
        start(65536);
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
        start(65536);
        try (RawWebSocket ws = upgraded()) {
            Connection c = connections.poll(10, TimeUnit.SECONDS);
            assertNotNull(c);
            assertEquals(transportName(), c.transportName());
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
            assertEquals(big, readMessage(ws), "64-bit length form (a container may fragment it)");
        }
    }

    @Test
    void fragmentsAreReassembledAndInterleavedPingsAnswered() throws Exception {
        start(65536);
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
        start(65536);
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.CLOSE, WsTestFrames.closePayload(1000, "done")));
            assertClosedWith(ws, 1000);
            assertEquals("END", nextEvent());
        }
    }

    @Test
    void serverCloseSendsNormalClosure() throws Exception {
        start(65536);
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
        start(65536);
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.TEXT, "PING".getBytes(StandardCharsets.UTF_8), false));
            assertClosedWith(ws, 1002);
            assertTrue(nextEvent().startsWith("FAIL WebSocket close 1002"));
        }
    }

    @Test
    void oversizeMessageClosesWith1009() throws Exception {
        start(1024);
        try (RawWebSocket ws = upgraded()) {
            ws.send(text("SEND room=lobby :" + "a".repeat(2000)));
            assertClosedWith(ws, 1009);
        }
    }

    @Test
    void oversizeLengthClosesWith1009BeforeThePayload() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(decidesSizeFromTheHeader(),
                "this server reads the payload before it refuses an oversize message");
        start(1024);
        try (RawWebSocket ws = upgraded()) {
            ws.send(WsTestFrames.header64(WsFrames.TEXT, 1L << 33));
            assertClosedWith(ws, 1009);
        }
    }

    @Test
    void topBitInSixtyFourBitLengthClosesWith1002() throws Exception {
        start(65536);
        try (RawWebSocket ws = upgraded()) {
            ws.send(WsTestFrames.header64(WsFrames.TEXT, Long.MIN_VALUE + 5));
            assertClosedWith(ws, topBitLengthCloseCode());
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        start(65536);
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.TEXT, new byte[] {'S', 'E', 'N', 'D', ' ', (byte) 0xed, (byte) 0xa0, (byte) 0x80}));
            assertClosedWith(ws, 1007);
            assertTrue(nextEvent().startsWith("FAIL WebSocket close 1007"));
        }
    }

    @Test
    void binaryClosesWith1003() throws Exception {
        start(65536);
        try (RawWebSocket ws = upgraded()) {
            ws.send(frame(true, WsFrames.BINARY, new byte[] {1, 2}));
            assertClosedWith(ws, 1003);
        }
    }

    @Test
    void jdkWebSocketClientInteroperates() throws Exception {
        start(65536);
        int port = ((InetSocketAddress) address).getPort();
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
}
