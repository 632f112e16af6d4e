package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parley.chat.net.WebSocketTransport;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The optional health check on the WebSocket port: 200 while healthy, 503 when not, 404 when not configured. */
class WsHealthCheckTest {
    private static WsHandshake.Response get(String method, String path, WsHandshake.Settings settings) throws Exception {
        return WsHandshake.respond(WsHttp.parse(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"), settings);
    }

    @Test
    void answersOkThenUnavailableAsTheSupplierSays() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        WsHandshake.Settings settings = new WsHandshake.Settings("/chat", Set.of(), null,
                new WsHandshake.Health("/healthz", healthy::get));
        WsHandshake.Response ok = get("GET", "/healthz", settings);
        assertEquals(200, ok.status());
        assertEquals("ok\n", new String(ok.body(), StandardCharsets.UTF_8));
        assertEquals("no-store", ok.headers().get("Cache-Control"));
        healthy.set(false);
        WsHandshake.Response down = get("HEAD", "/healthz", settings);
        assertEquals(503, down.status());
        assertEquals(true, down.headOnly());
        assertEquals(405, get("POST", "/healthz", settings).status());
        assertEquals(404, get("GET", "/healthz", new WsHandshake.Settings("/chat", Set.of(), null)).status());
    }

    @Test
    void itsPathIsCheckedAndMustNotBeTheWebSocketPath() {
        assertThrows(IllegalArgumentException.class, () -> WebSocketTransport.builder().healthCheck("healthz", () -> true));
        assertThrows(IllegalArgumentException.class, () -> WebSocketTransport.builder().healthCheck("/chat", () -> true).build());
    }
}
