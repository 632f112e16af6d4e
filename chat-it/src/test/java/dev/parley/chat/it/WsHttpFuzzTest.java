package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.chat.net.internal.WsHandshake;
import dev.parley.chat.net.internal.WsHttp;
import dev.parley.chat.net.internal.WsPage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes the WebSocket port's HTTP side: {@link WsHttp#readRequest} on any bytes, then
 * {@link WsHandshake#respond} on what it parsed and {@link WsHttp#write} of the answer. The first
 * input byte picks the settings (page and health check on or off, which origins and host names are
 * allowed), the rest
 * is what the client sent.
 *
 * <p>Invariants: reading fails only with the statuses docs/websocket.md lists for it (400, 431), and
 * returns {@code null} only for an empty stream; it reads up to the end of the head and not one byte
 * further (the rest belongs to the WebSocket stream); a parsed request has an upper-case method, a
 * target starting with {@code /}, an HTTP/1.x version and at most {@link WsHttp#MAX_HEADERS}
 * lower-case header names; the answer is one of the documented statuses; a 101 is given only to a
 * GET of the endpoint over HTTP/1.1 with version 13, a key of 16 bytes, the right
 * {@code Sec-WebSocket-Accept} and, from a browser, a Host naming this server and an allowed Origin;
 * the written answer's head has exactly one line per header.
 *
 * <p>Regression mode in CI over {@code src/test/resources/dev/parley/chat/it/WsHttpFuzzTestInputs/request/};
 * fuzzing: {@code JAZZER_FUZZ=1 mvn verify -pl chat-it -am -Dtest=WsHttpFuzzTest -Djazzer.max_duration=30m}.
 */
class WsHttpFuzzTest {
    private static final Set<Integer> STATUSES = Set.of(101, 200, 400, 403, 404, 405, 426, 503);
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();
    private static final WsPage PAGE = WsPage.load("/chat");

    @FuzzTest(maxDuration = "30m")
    void request(byte[] input) throws IOException {
        if (input.length < 1) {
            return;
        }
        int mode = input[0] & 0xff;
        WsHandshake.Settings settings = new WsHandshake.Settings("/chat",
                switch (mode & 3) {
                    case 0 -> Set.of();
                    case 1 -> Set.of("*");
                    default -> Set.of("https://chat.example.com");
                },
                (mode & 4) != 0 ? Set.of("chat.example.com") : Set.of(),
                (mode & 8) != 0 ? PAGE : null,
                (mode & 16) != 0 ? new WsHandshake.Health("/healthz", () -> (mode & 32) != 0) : null);
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);

        ByteArrayInputStream in = new ByteArrayInputStream(stream);
        WsHttp.Request request;
        try {
            request = WsHttp.readRequest(in);
        } catch (WsHttp.HttpException e) {
            assertTrue(e.status() == 400 || e.status() == 431, "read failed with " + e.status());
            writeAndCheck(e.status(), Map.of("Content-Type", "text/plain; charset=utf-8"),
                    (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8), false);
            return;
        }
        if (request == null) {
            assertEquals(0, stream.length, "null for a stream that had bytes");
            return;
        }
        int headEnd = headEnd(stream);
        assertTrue(headEnd > 0 && headEnd <= WsHttp.MAX_HEAD, "a request without a complete head");
        assertArrayEquals(Arrays.copyOfRange(stream, headEnd, stream.length), in.readAllBytes(),
                "read past the end of the head");
        checkRequest(request);

        WsHandshake.Response response = WsHandshake.respond(request, settings, LOCAL);
        assertTrue(STATUSES.contains(response.status()), "undocumented status " + response.status());
        if (response.upgrade()) {
            checkUpgrade(request, response, settings);
        }
        writeAndCheck(response.status(), response.headers(), response.body(), response.headOnly());
    }

    /** Where the head ends: just after the first CRLF CRLF or LF LF. */
    private static int headEnd(byte[] b) {
        for (int i = 1; i < b.length; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || (i >= 3 && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r'))) {
                return i + 1;
            }
        }
        return -1;
    }

    private static void checkRequest(WsHttp.Request r) {
        assertFalse(r.method().isEmpty());
        assertTrue(r.method().chars().allMatch(c -> c >= 'A' && c <= 'Z'), "method " + r.method());
        assertTrue(r.target().startsWith("/"), "target " + r.target());
        assertTrue(r.version().startsWith("HTTP/1."), "version " + r.version());
        assertTrue(r.headers().size() <= WsHttp.MAX_HEADERS, "too many headers kept");
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            String name = h.getKey();
            assertFalse(name.isEmpty());
            assertEquals(name.toLowerCase(Locale.ROOT), name, "header names are lower case");
            assertFalse(name.contains(":") || name.contains(" ") || name.contains("\n"), "header name " + name);
            assertFalse(h.getValue().contains("\n"), "LF in a header value");
        }
    }

    private static void checkUpgrade(WsHttp.Request r, WsHandshake.Response response, WsHandshake.Settings s) {
        assertEquals("GET", r.method());
        assertEquals("HTTP/1.1", r.version());
        assertEquals(s.path(), r.path());
        assertEquals("13", r.header("sec-websocket-version"));
        String key = r.header("sec-websocket-key");
        assertNotNull(key);
        assertEquals(16, Base64.getDecoder().decode(key).length);
        assertEquals(expectedAccept(key), response.headers().get("Sec-WebSocket-Accept"));
        String origin = r.header("origin");
        if (origin != null) {
            // A browser: Host must name this server (loopback here) or a listed public name.
            String host = r.header("host").strip().toLowerCase(Locale.ROOT);
            String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                    : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
            if (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            assertTrue(s.publicHosts().contains(name) || name.equals("localhost") || isLoopbackV4(name)
                    || isLocalV6Literal(name), "101 for a browser naming Host " + host);
            String o = origin.toLowerCase(Locale.ROOT);
            assertTrue(s.allowedOrigins().contains("*") || s.allowedOrigins().contains(o)
                    || o.endsWith("://" + host), "101 for Origin " + origin + " at Host " + host);
        }
        assertNull(response.headers().get("Content-Length"));
        assertEquals(0, response.body().length);
    }

    /** Whether a name is the dotted literal of 127.0.0.1 (LOCAL), leading zeros allowed. */
    private static boolean isLoopbackV4(String name) {
        if (!name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return false;
        }
        int[] want = {127, 0, 0, 1};
        String[] parts = name.split("\\.");
        for (int i = 0; i < 4; i++) {
            if (Integer.parseInt(parts[i]) != want[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether a bracketed IPv6 literal is LOCAL (e.g. the IPv4-mapped form of 127.0.0.1). */
    private static boolean isLocalV6Literal(String name) {
        if (!name.startsWith("[")) {
            return false;
        }
        try {
            return InetAddress.getByName(name).equals(LOCAL); // bracketed: a literal or an error, never DNS
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String expectedAccept(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(d);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void writeAndCheck(int status, Map<String, String> headers, byte[] body, boolean head)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WsHttp.write(out, status, headers, body, head);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        assertTrue(end > 0, "no end of the response head");
        String[] lines = text.substring(0, end).split("\r\n", -1);
        assertTrue(lines[0].startsWith("HTTP/1.1 " + status + " "), lines[0]);
        int extra = status == 101 ? 0 : 2; // Content-Length, Connection: close
        assertEquals(1 + headers.size() + extra, lines.length, "one line per header");
        for (String line : lines) {
            assertFalse(line.contains("\n") || line.contains("\r"), "a line break inside a header line");
        }
        assertEquals(head || status == 101 ? 0 : body.length, text.length() - end - 4, "body length");
    }
}
