package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.parley.chat.net.WebSocketTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The WebSocket port under hostile clients (issue 17): every broken frame or request gets the close code
 * or HTTP status docs/websocket.md promises, a trickled handshake ends at its deadline, one address
 * cannot take every handshake place, a refusal flood logs a line, not a flood, and a foreign Host is
 * refused before its Origin is compared (DNS rebinding).
 */
@Timeout(60)
class WebSocketAbuseTest {
    /** A ChatServer with only a WebSocket listener on 127.0.0.1, as configured. */
    private static final class WsServer implements AutoCloseable {
        final ChatServer server;
        final int port;

        WsServer(UnaryOperator<WebSocketTransport.Builder> ws) {
            server = ChatServer.builder()
                    .listen(ws.apply(WebSocketTransport.builder().host("127.0.0.1").port(0)).build())
                    .store(InMemoryMessageStore.create())
                    .build()
                    .start();
            port = ((InetSocketAddress) server.addresses().get(0)).getPort();
        }

        WsServer() {
            this(UnaryOperator.identity());
        }

        WsClient upgraded() throws IOException {
            return WsClient.connect(port).upgrade();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int closeCodeAfter(WsServer s, byte[]... frames) throws IOException {
        try (WsClient c = s.upgraded()) {
            for (byte[] f : frames) {
                c.send(f);
            }
            return c.awaitCloseCode();
        }
    }

    /*
     * Each case sends only the bytes the server reads before it refuses (usually the first two header
     * bytes): a server that closes with bytes unread sends a reset, which may overtake the close frame.
     */

    @Test
    void malformedFramesCloseWith1002() throws IOException {
        try (WsServer s = new WsServer()) {
            assertEquals(1002, closeCodeAfter(s, new byte[] {(byte) 0x81, 0x04}), "unmasked");
            assertEquals(1002, closeCodeAfter(s, new byte[] {(byte) 0xc1, (byte) 0x84}), "RSV1");
            assertEquals(1002, closeCodeAfter(s, WsClient.headerUpToLength(true, 0x3, 1)), "unknown data opcode");
            assertEquals(1002, closeCodeAfter(s, WsClient.headerUpToLength(true, 0xb, 0)), "unknown control opcode");
            assertEquals(1002, closeCodeAfter(s, WsClient.headerUpToLength(true, 0x0, 1)), "continuation without a message");
            assertEquals(1002, closeCodeAfter(s, WsClient.frame(false, 0x1, utf8("a")), WsClient.headerUpToLength(true, 0x1, 1)),
                    "a new message inside a fragmented one");
            // The other documented codes, for completeness.
            assertEquals(1003, closeCodeAfter(s, WsClient.headerUpToLength(true, 0x2, 2)), "binary");
            assertEquals(1007, closeCodeAfter(s, WsClient.frame(true, 0x1, new byte[] {(byte) 0xc0, (byte) 0xaf})),
                    "overlong UTF-8");
            assertEquals(1009, closeCodeAfter(s, WsClient.headerUpToLength(true, 0x1, 65537)), "over maxMessageSize");
        }
    }

    @Test
    void overLongAndFragmentedControlFramesCloseWith1002() throws IOException {
        try (WsServer s = new WsServer()) {
            assertEquals(1002, closeCodeAfter(s, WsClient.headerUpToLength(true, 0x9, 126)), "126-byte ping");
            assertEquals(1002, closeCodeAfter(s, WsClient.headerUpToLength(true, 0xa, 70_000)), "70,000-byte pong");
            assertEquals(1002, closeCodeAfter(s, WsClient.headerUpToLength(false, 0x9, 1)), "fragmented ping");
            // 125 bytes is the limit, not over it: answered with a pong carrying the same payload.
            try (WsClient c = s.upgraded()) {
                c.send(WsClient.frame(true, 0x9, new byte[125]));
                WsClient.ServerFrame pong = c.readFrame();
                assertEquals(0xa, pong.opcode());
                assertEquals(125, pong.payload().length);
            }
        }
    }

    /** Empty fragments cost 6 bytes each and never complete a line: a message may have 1024 frames at most. */
    @Test
    void endlessEmptyFragmentsCloseWith1008() throws IOException {
        try (WsServer s = new WsServer(); WsClient c = s.upgraded()) {
            // The first frame and 1023 continuations are allowed; the 1025th frame is refused from its
            // header (sent alone, so that nothing unread is left when the server closes).
            byte[] empty = WsClient.frame(false, 0x0, new byte[0]);
            byte[] burst = new byte[empty.length * 1023];
            for (int i = 0; i < 1023; i++) {
                System.arraycopy(empty, 0, burst, i * empty.length, empty.length);
            }
            c.send(WsClient.frame(false, 0x1, new byte[0]));
            c.send(burst);
            c.send(WsClient.headerUpToLength(false, 0x0, 0));
            assertEquals(1008, c.awaitCloseCode());
        }
    }

    /**
     * WebSocket pings and pongs reach no server limit (the server counts protocol lines) and each ping
     * costs a pong write: a stream of them is closed with 1008 after the budget's burst, while another
     * user is served meanwhile.
     */
    @Test
    void aFloodOfPingFramesClosesWith1008() throws IOException {
        try (WsServer s = new WsServer(); WsClient flooder = s.upgraded(); WsClient other = s.upgraded()) {
            // In lock step, so that the server has read every ping when it closes (see above).
            byte[] ping = WsClient.frame(true, 0x9, new byte[] {'p'});
            int pongs = 0;
            WsClient.ServerFrame f = null;
            for (int i = 0; i < 1000; i++) {
                flooder.send(ping);
                f = flooder.readFrame();
                if (f.opcode() != 0xa) {
                    break;
                }
                pongs++;
            }
            assertEquals(0x8, f.opcode(), "closed after " + pongs + " pongs");
            assertEquals(1008, f.closeCode());
            assertTrue(pongs >= 100, pongs + " pongs before the close");
            other.sendLine("HELLO proto=1 name=other");
            other.awaitLine("WELCOME");
            other.send(WsClient.frame(true, 0x9, new byte[] {'k'}));
            assertEquals(0xa, other.readFrame().opcode(), "an occasional ping is answered");
        }
    }

    @Test
    void anOversizedRequestHeadGets431() throws IOException {
        // 8,193 bytes without the empty line: the server reads them all, the last one is one too many.
        String head = "GET /chat HTTP/1.1\r\nX-Big: ";
        head += "a".repeat(8193 - head.length());
        try (WsServer s = new WsServer(); WsClient c = WsClient.connect(s.port)) {
            assertEquals(431, c.status(head));
        }
    }

    @Test
    void moreThanAHundredHeaderLinesGet431() throws IOException {
        String[] many = new String[101];
        for (int i = 0; i < many.length; i++) {
            many[i] = "X-" + i + ": a";
        }
        try (WsServer s = new WsServer(); WsClient c = WsClient.connect(s.port)) {
            assertEquals(431, c.status(WsClient.upgradeHead(s.port, many)));
        }
        // 90 extra lines (96 in all) are still a valid upgrade.
        try (WsServer s = new WsServer(); WsClient c = WsClient.connect(s.port)) {
            assertEquals(101, c.status(WsClient.upgradeHead(s.port, java.util.Arrays.copyOf(many, 90))));
        }
    }

    /**
     * One header byte every 100 ms restarted a per-read timeout forever (8 KB of head at that pace is
     * 13 minutes); the deadline is absolute, so the socket is closed about a second after it connected.
     */
    @Test
    void aTricklingHandshakeIsClosedAtItsDeadline() throws Exception {
        try (WsServer s = new WsServer(b -> b.handshakeTimeout(Duration.ofSeconds(1)))) {
            assertClosedWhileTrickling(new Socket("127.0.0.1", s.port), "GET /chat HTTP/1.1\r\nX-Slow: ");
        }
    }

    /** The same for the TLS handshake of wss: a ClientHello's record header, then one byte at a time. */
    @Test
    void aTricklingTlsHandshakeIsClosedAtItsDeadline() throws Exception {
        javax.net.ssl.SSLContext tls = Tls.server();
        try (WsServer s = new WsServer(b -> b.tls(tls).handshakeTimeout(Duration.ofSeconds(1)))) {
            Socket raw = new Socket("127.0.0.1", s.port);
            raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x10, 0x00}); // a 4 KB handshake record follows
            assertClosedWhileTrickling(raw, "");
            // and a real wss client is served
            SSLSocket ssl = (SSLSocket) Tls.client().getSocketFactory().createSocket("127.0.0.1", s.port);
            ssl.setSoTimeout((int) RawClient.WAIT.toMillis());
            ssl.getOutputStream().write(WsClient.upgradeHead(s.port).getBytes(StandardCharsets.ISO_8859_1));
            byte[] status = ssl.getInputStream().readNBytes(12);
            assertEquals("HTTP/1.1 101", new String(status, StandardCharsets.ISO_8859_1));
            ssl.close();
        }
    }

    /** Sends {@code start}, then one byte every 100 ms (at most 8,000), and waits for the server to close. */
    private static void assertClosedWhileTrickling(Socket socket, String start) throws Exception {
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        try (socket) {
            socket.setSoTimeout((int) RawClient.WAIT.toMillis());
            socket.getOutputStream().write(start.getBytes(StandardCharsets.ISO_8859_1));
            trickler.scheduleAtFixedRate(() -> {
                try {
                    if (sent.incrementAndGet() <= 8000) {
                        socket.getOutputStream().write('a');
                    }
                } catch (IOException closed) {
                    throw new RuntimeException(closed); // stops the schedule
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            // The server closes without an answer: end of stream or a reset. Before the fix this read
            // timed out after RawClient.WAIT with the trickle still accepted.
            try {
                int b;
                while ((b = socket.getInputStream().read()) >= 0) {
                    assertTrue(b >= 0);
                }
            } catch (java.net.SocketException reset) {
                // closed with unread bytes
            }
            assertTrue(sent.get() < 8000, "the server waited for the whole trickle");
        } finally {
            trickler.shutdownNow();
        }
    }

    /**
     * 32 silent sockets from 127.0.0.1 used to fill all 32 handshake places, so 127.0.0.2 was refused;
     * now 127.0.0.1 holds at most 16 (the rest are closed at once) and 127.0.0.2 upgrades.
     */
    @Test
    void oneAddressCannotTakeEveryHandshakePlace() throws IOException {
        List<Socket> silent = new ArrayList<>();
        try (WsServer s = new WsServer(b -> b.maxPendingHandshakes(32))) {
            for (int i = 0; i < 32; i++) {
                Socket socket = new Socket("127.0.0.1", s.port);
                socket.setSoTimeout((int) RawClient.WAIT.toMillis());
                silent.add(socket);
            }
            // The accepting thread takes sockets in order: these 32 are counted before the next one.
            try (WsClient other = WsClient.connect(InetAddress.getByName("127.0.0.2"), s.port)) {
                other.upgrade();
                other.sendLine("HELLO proto=1 name=other");
                assertTrue(other.awaitLine("WELCOME").startsWith("WELCOME"));
            }
            for (Socket extra : silent.subList(16, 32)) {
                assertEquals(-1, readOrEnd(extra), "the 17th and later silent sockets from one address are closed");
            }
        } finally {
            for (Socket socket : silent) {
                socket.close();
            }
        }
    }

    private static int readOrEnd(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }

    /** 300 refused sockets used to log 300 WARN lines; now one line says how many were held back. */
    @Test
    void refusalsLogOneWarnLineNotOnePerSocket() throws IOException {
        List<Socket> held = new ArrayList<>();
        try (LogCapture logs = new LogCapture(); WsServer s = new WsServer(b -> b.maxPendingHandshakes(1))) {
            held.add(new Socket("127.0.0.1", s.port)); // takes the only place
            for (int i = 0; i < 300; i++) {
                Socket refused = new Socket("127.0.0.1", s.port);
                refused.setSoTimeout((int) RawClient.WAIT.toMillis());
                held.add(refused);
            }
            for (Socket refused : held.subList(1, held.size())) {
                assertEquals(-1, readOrEnd(refused), "refused: closed at once");
            }
            long warns = logs.events().stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("refused"))
                    .count();
            assertEquals(1, warns, "WARN lines for 300 refusals within a few seconds");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /**
     * DNS rebinding: a page on evil.example, whose name now resolves to 127.0.0.1, opens a WebSocket;
     * Origin and Host both say evil.example, so a bare same-origin comparison let it in (101).
     */
    @Test
    void aForeignHostIsRefusedBeforeItsOriginIsCompared() throws IOException {
        try (WsServer s = new WsServer()) {
            String rebound = WsClient.upgradeHead(s.port, "Origin: http://evil.example:" + s.port)
                    .replace("Host: 127.0.0.1:" + s.port, "Host: evil.example:" + s.port);
            try (WsClient c = WsClient.connect(s.port)) {
                assertEquals(403, c.status(rebound));
            }
            for (String host : new String[] {"127.0.0.1:" + s.port, "localhost:" + s.port}) {
                String own = WsClient.upgradeHead(s.port, "Origin: http://" + host)
                        .replace("Host: 127.0.0.1:" + s.port, "Host: " + host);
                try (WsClient c = WsClient.connect(s.port)) {
                    assertEquals(101, c.status(own), "the page's own origin at " + host);
                }
            }
            try (WsClient c = WsClient.connect(s.port)) {
                assertEquals(101, c.status(rebound.replace("Origin: http://evil.example:" + s.port + "\r\n", "")),
                        "without Origin (not a browser) Host is not checked");
            }
        }
    }
}
