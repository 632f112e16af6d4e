package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WsHandshakeTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();
    private static final WsHandshake.Settings SETTINGS = new WsHandshake.Settings("/chat", Set.of(), Set.of("chat.example"),
            WsPage.load("/chat"));

    private static WsHandshake.Response respond(String head, WsHandshake.Settings settings) throws IOException {
        return WsHandshake.respond(WsHttp.parse(head), settings, LOCAL);
    }

    private static String upgrade(String... extra) {
        StringBuilder sb = new StringBuilder("GET /chat HTTP/1.1\r\nHost: chat.example:7879\r\nUpgrade: websocket\r\n"
                + "Connection: keep-alive, Upgrade\r\n");
        for (String e : extra) {
            sb.append(e).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Test
    void acceptKeyIsTheRfcExample() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsHandshake.acceptKey(KEY));
    }

    @Test
    void upgradesAValidRequest() throws IOException {
        WsHandshake.Response r = respond(upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY,
                "Origin: http://chat.example:7879"), SETTINGS);
        assertEquals(101, r.status());
        assertTrue(r.upgrade());
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", r.headers().get("Sec-WebSocket-Accept"));
        assertEquals("websocket", r.headers().get("Upgrade"));
    }

    @Test
    void otherVersionsGet426NamingVersion13() throws IOException {
        WsHandshake.Response r = respond(upgrade("Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: " + KEY), SETTINGS);
        assertEquals(426, r.status());
        assertEquals("13", r.headers().get("Sec-WebSocket-Version"));
        assertEquals(426, respond(upgrade("Sec-WebSocket-Key: " + KEY), SETTINGS).status(), "no version at all");
    }

    @Test
    void badKeysGet400() throws IOException {
        assertEquals(400, respond(upgrade("Sec-WebSocket-Version: 13"), SETTINGS).status(), "missing");
        assertEquals(400, respond(upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: not base64!!!!!!!!!!!!"),
                SETTINGS).status());
        assertEquals(400, respond(upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: c2hvcnQ="),
                SETTINGS).status(), "5 bytes, not 16");
    }

    @Test
    void originsAreCheckedAgainstTheHostOrTheList() throws IOException {
        String cross = upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY, "Origin: https://evil.example");
        assertEquals(403, respond(cross, SETTINGS).status());
        assertEquals(101, respond(upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY), SETTINGS).status(),
                "no Origin: not a browser");
        WsHandshake.Settings listed = new WsHandshake.Settings("/chat", Set.of("https://evil.example"),
                Set.of("chat.example"), null);
        assertEquals(101, respond(cross, listed).status());
        String same = upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY, "Origin: http://chat.example:7879");
        assertEquals(101, respond(same, listed).status(), "the page's own origin stays allowed");
        String other = upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY, "Origin: https://other.example");
        assertEquals(403, respond(other, listed).status());
        assertEquals(101, respond(cross, new WsHandshake.Settings("/chat", Set.of("*"), Set.of("chat.example"), null)).status());
    }

    @Test
    void endpointWithoutUpgradeGets426() throws IOException {
        WsHandshake.Response r = respond("GET /chat HTTP/1.1\r\nHost: x\r\n\r\n", SETTINGS);
        assertEquals(426, r.status());
        assertEquals("websocket", r.headers().get("Upgrade"));
    }

    @Test
    void upgradeMustBeAGet() throws IOException {
        WsHandshake.Response r = respond(upgrade("Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY)
                .replace("GET", "POST"), SETTINGS);
        assertEquals(405, r.status());
    }

    @Test
    void servesThePageWithGetAndHead() throws IOException {
        WsHandshake.Response get = respond("GET /?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", SETTINGS);
        assertEquals(200, get.status());
        assertFalse(get.headOnly());
        String html = new String(get.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<meta name=\"parley-ws-path\" content=\"/chat\">"), "path filled in");
        assertTrue(get.headers().get("Content-Security-Policy").contains("script-src 'sha256-"));
        assertEquals("text/html; charset=utf-8", get.headers().get("Content-Type"));

        WsHandshake.Response head = respond("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", SETTINGS);
        assertEquals(200, head.status());
        assertTrue(head.headOnly());

        WsHandshake.Response post = respond("POST / HTTP/1.1\r\nHost: x\r\n\r\n", SETTINGS);
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.headers().get("Allow"));
    }

    @Test
    void otherPathsAndAnUnservedPageGet404() throws IOException {
        assertEquals(404, respond("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", SETTINGS).status());
        assertEquals(404, respond("GET /chat/x HTTP/1.1\r\nHost: x\r\n\r\n", SETTINGS).status());
        WsHandshake.Settings noPage = new WsHandshake.Settings("/chat", Set.of(), Set.of(), null);
        assertEquals(404, respond("GET / HTTP/1.1\r\nHost: x\r\n\r\n", noPage).status());
    }

    @Test
    void malformedRequestsAreRejected() {
        assertEquals(400, assertThrows(WsHttp.HttpException.class, () -> WsHttp.parse("HELLO proto=1\r\n\r\n")).status());
        assertEquals(400, assertThrows(WsHttp.HttpException.class,
                () -> WsHttp.parse("GET / SPDY/3\r\n\r\n")).status());
        assertEquals(400, assertThrows(WsHttp.HttpException.class,
                () -> WsHttp.parse("GET / HTTP/1.1\r\nno colon here\r\n\r\n")).status());
    }

    @Test
    void readRequestStopsAtTheEmptyLineAndBoundsTheHead() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nX-A: 2\r\n\r\nFRAME".getBytes(StandardCharsets.ISO_8859_1));
        WsHttp.Request r = WsHttp.readRequest(in);
        assertEquals("1, 2", r.header("x-a"));
        assertEquals('F', in.read(), "bytes after the head are left for the WebSocket stream");

        assertNull(WsHttp.readRequest(new ByteArrayInputStream(new byte[0])));
        byte[] huge = ("GET / HTTP/1.1\r\nX: " + "a".repeat(WsHttp.MAX_HEAD) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(431, assertThrows(WsHttp.HttpException.class,
                () -> WsHttp.readRequest(new ByteArrayInputStream(huge))).status());
    }

    @Test
    void aBrowsersHostMustNameThisServerBeforeItsOriginCounts() throws IOException {
        String key = "Sec-WebSocket-Key: " + KEY;
        // DNS rebinding: the attacker's name now points here, so Origin and Host agree.
        String rebound = upgrade("Sec-WebSocket-Version: 13", key, "Origin: http://evil.example:7879")
                .replace("Host: chat.example:7879", "Host: evil.example:7879");
        assertEquals(403, respond(rebound, SETTINGS).status());
        assertEquals(403, respond(rebound, new WsHandshake.Settings("/chat", Set.of("*"), Set.of(), null)).status(),
                "even with any origin allowed");
        String plain = rebound.replace("Origin: http://evil.example:7879\r\n", "");
        assertEquals(101, respond(plain, SETTINGS).status(), "no Origin: not a browser, Host not checked");

        WsHandshake.Settings none = new WsHandshake.Settings("/chat", Set.of(), Set.of(), null);
        for (String host : new String[] {"127.0.0.1:7879", "localhost:7879", "LOCALHOST", "127.0.0.1", "localhost."}) {
            String name = host.split(":")[0];
            String req = upgrade("Sec-WebSocket-Version: 13", key, "Origin: http://" + host)
                    .replace("Host: chat.example:7879", "Host: " + host);
            assertEquals(101, respond(req, none).status(), host);
            assertTrue(WsHandshake.hostAllowed(host, LOCAL, Set.of()), name);
        }
        assertEquals("[::1]", WsHandshake.hostName("[::1]:7879"));
        assertTrue(WsHandshake.hostAllowed("[::1]:7879", InetAddress.getByName("::1"), Set.of()));
        assertTrue(WsHandshake.hostAllowed("[0:0:0:0:0:0:0:1]", InetAddress.getByName("::1"), Set.of()));
        assertFalse(WsHandshake.hostAllowed("localhost", InetAddress.getByName("192.0.2.7"), Set.of()),
                "localhost only on a loopback address");
        assertTrue(WsHandshake.hostAllowed("192.0.2.7:80", InetAddress.getByName("192.0.2.7"), Set.of()));
        assertFalse(WsHandshake.hostAllowed("192.0.2.8", InetAddress.getByName("192.0.2.7"), Set.of()));
        assertFalse(WsHandshake.hostAllowed("127.0.0.1.evil.example", LOCAL, Set.of()));
        assertFalse(WsHandshake.hostAllowed("127.0.0.256", LOCAL, Set.of()));
        assertFalse(WsHandshake.hostAllowed("127.0.0.1:x", LOCAL, Set.of()), "malformed port");
        assertFalse(WsHandshake.hostAllowed("a b", LOCAL, Set.of()));
        assertFalse(WsHandshake.hostAllowed("[evil.example]", LOCAL, Set.of()));
        assertTrue(WsHandshake.hostAllowed("Chat.Example:443", null, Set.of("chat.example")));
    }

    @Test
    void moreThanAHundredHeaderLinesGet431() throws IOException {
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < WsHttp.MAX_HEADERS; i++) {
            many.append("X-").append(i).append(": a\r\n");
        }
        assertEquals(WsHttp.MAX_HEADERS, WsHttp.parse(many + "\r\n").headers().size());
        assertEquals(431, assertThrows(WsHttp.HttpException.class,
                () -> WsHttp.parse(many + "X-last: a\r\n\r\n")).status());
    }
}
