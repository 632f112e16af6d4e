package dev.parley.chat.net.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides the answer to one HTTP request on the WebSocket port (RFC 6455 section 4.2): the 101
 * upgrade, the chat page, or an error status. Pure: no I/O.
 */
public final class WsHandshake {
    /** The GUID appended to the client's key before hashing (RFC 6455 section 1.3). */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WsHandshake() {
    }

    /**
     * What the transport was configured with.
     *
     * @param path the WebSocket endpoint, e.g. {@code /chat}
     * @param allowedOrigins origins a browser may connect from besides the page's own (an Origin
     *     naming the Host the request was sent to); {@code "*"} allows any
     * @param page the page served at {@code /}, or {@code null} when it is not served
     * @param health the health check served at its path, or {@code null} when there is none
     */
    public record Settings(String path, Set<String> allowedOrigins, WsPage page, Health health) {
        /** Settings without a health check. */
        public Settings(String path, Set<String> allowedOrigins, WsPage page) {
            this(path, allowedOrigins, page, null);
        }
    }

    /**
     * A health check: {@code GET path} answers 200 {@code ok} while {@code healthy} says true, else
     * 503 {@code unavailable}.
     *
     * @param path the path, e.g. {@code /healthz}
     * @param healthy asked once per request, on the request's thread
     */
    public record Health(String path, java.util.function.BooleanSupplier healthy) {
    }

    /**
     * The answer.
     *
     * @param status the HTTP status (101 for an upgrade)
     * @param headers the response headers, without Content-Length and Connection for non-101 answers
     * @param body the body (empty for 101)
     * @param headOnly whether the body must be left out (HEAD request)
     */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean headOnly) {
        /** Whether the connection switches to WebSocket after this response. */
        public boolean upgrade() {
            return status == 101;
        }
    }

    /** {@code Sec-WebSocket-Accept} for a client key: Base64(SHA-1(key + GUID)). */
    public static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /** Answers one request. */
    public static Response respond(WsHttp.Request request, Settings settings) {
        String path = request.path();
        if (path.equals(settings.path())) {
            return upgrade(request, settings);
        }
        if (path.equals("/") && settings.page() != null) {
            return switch (request.method()) {
                case "GET", "HEAD" -> new Response(200, settings.page().headers(), settings.page().html(),
                        request.method().equals("HEAD"));
                default -> error(405, "Only GET and HEAD are allowed here.\n", Map.of("Allow", "GET, HEAD"),
                        false);
            };
        }
        if (settings.health() != null && path.equals(settings.health().path())) {
            boolean head = request.method().equals("HEAD");
            if (!head && !request.method().equals("GET")) {
                return error(405, "Only GET and HEAD are allowed here.\n", Map.of("Allow", "GET, HEAD"), false);
            }
            boolean healthy = settings.health().healthy().getAsBoolean();
            return error(healthy ? 200 : 503, healthy ? "ok\n" : "unavailable\n",
                    Map.of(), head);
        }
        return error(404, "Not found.\n", Map.of(), request.method().equals("HEAD"));
    }

    private static Response upgrade(WsHttp.Request request, Settings settings) {
        boolean head = request.method().equals("HEAD");
        if (!WsHttp.hasToken(request.header("upgrade"), "websocket")
                || !WsHttp.hasToken(request.header("connection"), "upgrade")) {
            return error(426, "This is a WebSocket endpoint: send an Upgrade: websocket request.\n",
                    Map.of("Upgrade", "websocket", "Sec-WebSocket-Version", "13"), head);
        }
        if (!request.method().equals("GET")) {
            return error(405, "A WebSocket handshake is a GET.\n", Map.of("Allow", "GET"), head);
        }
        if (!request.version().equals("HTTP/1.1")) {
            return error(400, "A WebSocket handshake needs HTTP/1.1.\n", Map.of(), false);
        }
        String host = request.header("host");
        if (host == null || host.isEmpty()) {
            return error(400, "Missing Host header.\n", Map.of(), false);
        }
        if (!"13".equals(request.header("sec-websocket-version"))) {
            return error(426, "Only WebSocket version 13 is supported.\n",
                    Map.of("Sec-WebSocket-Version", "13"), false);
        }
        String key = request.header("sec-websocket-key");
        if (!validKey(key)) {
            return error(400, "Sec-WebSocket-Key must be 16 bytes in Base64.\n", Map.of(), false);
        }
        String origin = request.header("origin");
        if (origin != null && !originAllowed(origin, host, settings.allowedOrigins())) {
            return error(403, "Origin not allowed.\n", Map.of(), false);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Accept", acceptKey(key));
        return new Response(101, headers, new byte[0], false);
    }

    /** Whether a client key is the Base64 form of exactly 16 bytes. */
    static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Whether a browser's Origin may connect: the origin's host and port are the request's Host (same
     * origin, so the served page always works), or it is listed (compared case-insensitively), or
     * {@code "*"} is listed.
     */
    static boolean originAllowed(String origin, String host, Set<String> allowed) {
        String o = origin.toLowerCase(Locale.ROOT);
        int sep = o.indexOf("://");
        if (sep > 0 && o.substring(sep + 3).equals(host.toLowerCase(Locale.ROOT))) {
            return true;
        }
        return allowed.contains("*") || allowed.contains(o);
    }

    private static Response error(int status, String text, Map<String, String> extra, boolean head) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "text/plain; charset=utf-8");
        headers.put("Cache-Control", "no-store");
        return new Response(status, headers, text.getBytes(StandardCharsets.UTF_8), head);
    }
}
