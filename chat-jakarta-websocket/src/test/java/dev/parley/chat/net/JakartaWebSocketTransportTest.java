package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.jakarta.JakartaWebSocketTransport;
import dev.parley.chat.net.internal.WsFrames;
import dev.parley.chat.net.internal.WsTestFrames;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Jakarta transport in an embedded Jetty 12: the wire behaviour every Parley WebSocket transport
 * shares ({@link WebSocketTransportContract}, the built-in transport's own tests), then what is its
 * own: origins, the page servlet, binding and unbinding.
 */
@Timeout(20)
class JakartaWebSocketTransportTest extends WebSocketTransportContract {
    private EmbeddedJetty jetty;
    private Binding binding;

    @AfterEach
    void stopJetty() throws Exception {
        if (binding != null) {
            binding.close();
        }
        if (jetty != null) {
            jetty.close();
        }
    }

    @Override
    protected SocketAddress startTransport(int maxMessageSize, Transport.Acceptor acceptor) throws Exception {
        return start(JakartaWebSocketTransport.builder().maxMessageSize(maxMessageSize), acceptor);
    }

    /** Jetty calls a length with the top bit set too big rather than a protocol error. */
    @Override
    protected int topBitLengthCloseCode() {
        return 1009;
    }

    private SocketAddress start(JakartaWebSocketTransport.Builder builder, Transport.Acceptor acceptor) throws Exception {
        JakartaWebSocketTransport transport = builder.build();
        jetty = EmbeddedJetty.start(transport);
        binding = transport.bind(acceptor);
        address = new InetSocketAddress("127.0.0.1", jetty.port());
        return address;
    }

    private static String upgradeFrom(String origin, int port) {
        return "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "Sec-WebSocket-Key: " + RawWebSocket.KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    @Test
    void foreignOriginIsClosedWith1008BeforeTheServerSeesIt() throws Exception {
        start(JakartaWebSocketTransport.builder().allowedOrigins("https://chat.example.com"), this::echo);
        int port = jetty.port();
        try (RawWebSocket ws = new RawWebSocket(address)) {
            assertTrue(ws.request(upgradeFrom("http://evil.example", port)).startsWith("HTTP/1.1 101 "));
            RawWebSocket.ServerFrame f = ws.readFrame();
            assertEquals(WsFrames.CLOSE, f.opcode());
            assertEquals(1008, f.closeCode());
        }
        for (String allowed : new String[] {"http://127.0.0.1:" + port, "https://CHAT.example.com", null}) {
            try (RawWebSocket ws = new RawWebSocket(address)) {
                assertTrue(ws.request(upgradeFrom(allowed, port)).startsWith("HTTP/1.1 101 "), allowed);
                ws.send(WsTestFrames.text("PING token=1"));
                assertEquals("ECHO PING token=1", ws.readFrame().text(), "same origin, a listed one, or none: " + allowed);
            }
        }
        assertEquals(3, connectionsSeen(), "the refused one never reached the acceptor");
    }

    private int connectionsSeen() {
        return connections.size();
    }

    @Test
    void sessionsWhileNoServerIsBoundAreClosedWith1013() throws Exception {
        start(JakartaWebSocketTransport.builder(), this::echo);
        binding.close();
        try (RawWebSocket ws = upgraded()) {
            RawWebSocket.ServerFrame f = ws.readFrame();
            assertEquals(WsFrames.CLOSE, f.opcode());
            assertEquals(1013, f.closeCode());
        }
        assertNull(connections.poll());
    }

    @Test
    void oneServerAtATime() throws Exception {
        JakartaWebSocketTransport transport = JakartaWebSocketTransport.builder().build();
        Binding first = transport.bind(c -> { });
        assertThrows(IOException.class, () -> transport.bind(c -> { }));
        assertEquals("jakarta-websocket:/chat", first.localAddress().toString());
        first.close();
        transport.bind(c -> { }).close();
    }

    @Test
    void pageIsServedAtTheContextRootOnlyWhenAsked() throws Exception {
        start(JakartaWebSocketTransport.builder().path("/ws/parley").servePage(true), this::echo);
        try (RawWebSocket ws = new RawWebSocket(address)) {
            String head = ws.request("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            String lower = head.toLowerCase(java.util.Locale.ROOT);
            assertTrue(lower.contains("content-type: text/html;charset=utf-8") || lower.contains("content-type: text/html; charset=utf-8"), head);
            assertTrue(lower.contains("content-security-policy: default-src 'none'"), head);
            assertTrue(lower.contains("cache-control: no-store"), head);
            String body = ws.readToEnd();
            assertTrue(body.contains("<title>Parley</title>"));
            assertTrue(body.contains("/ws/parley"), "the page connects to the configured path");
        }
        jetty.close();
        binding.close();
        start(JakartaWebSocketTransport.builder(), this::echo);
        try (RawWebSocket ws = new RawWebSocket(address)) {
            assertTrue(ws.request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 404 "));
        }
    }

    @Test
    void builderValidatesSettings() {
        JakartaWebSocketTransport.Builder b = JakartaWebSocketTransport.builder();
        assertThrows(IllegalArgumentException.class, () -> b.path("chat"));
        assertThrows(IllegalArgumentException.class, () -> b.maxMessageSize(10));
        assertThrows(IllegalArgumentException.class, () -> b.allowedOrigins("evil.example"));
        assertThrows(IllegalArgumentException.class, () -> b.inboxMessages(0));
        JakartaWebSocketTransport t = b.path("/p").servePage(true).build();
        assertEquals("ws", t.name());
        assertEquals("/p", t.path());
        assertTrue(t.servesPage());
    }
}
