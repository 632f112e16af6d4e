package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built-in transport over real sockets: the behaviour every WebSocket transport shares
 * ({@link WebSocketTransportContract}), then its own HTTP answers, handshake limits and settings.
 */
@Timeout(20)
class WebSocketTransportTest extends WebSocketTransportContract {
    private Binding binding;

    @AfterEach
    void closeBinding() {
        if (binding != null) {
            binding.close();
        }
    }

    @Override
    protected SocketAddress startTransport(int maxMessageSize, Transport.Acceptor acceptor) throws IOException {
        binding = WebSocketTransport.builder().host("127.0.0.1").port(0).maxMessageSize(maxMessageSize).build()
                .bind(acceptor);
        return binding.localAddress();
    }

    private Binding bind(WebSocketTransport.Builder builder) throws IOException {
        binding = builder.host("127.0.0.1").port(0).build().bind(this::echo);
        address = binding.localAddress();
        return binding;
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
