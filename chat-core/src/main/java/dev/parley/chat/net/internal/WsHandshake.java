package dev.parley.chat.net.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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
     * @param publicHosts host names (lower case, no port) a browser may name in {@code Host} besides
     *     the address the connection came in on (and {@code localhost} on a loopback address)
     * @param page the page served at {@code /}, or {@code null} when it is not served
     * @param health the health check served at its path, or {@code null} when there is none
     */
    public record Settings(String path, Set<String> allowedOrigins, Set<String> publicHosts, WsPage page,
            Health health) {
        /** Copies the sets. */
        public Settings {
            allowedOrigins = Set.copyOf(allowedOrigins);
            publicHosts = Set.copyOf(publicHosts);
        }

        /** Settings without a health check. */
        public Settings(String path, Set<String> allowedOrigins, Set<String> publicHosts, WsPage page) {
            this(path, allowedOrigins, publicHosts, page, null);
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

    /**
     * Answers one request.
     *
     * @param local the address the connection came in on (the server's side of the socket), which
     *     {@code Host} may name; {@code null} if unknown (then only {@link Settings#publicHosts()} do)
     */
    public static Response respond(WsHttp.Request request, Settings settings, InetAddress local) {
        String path = request.path();
        if (path.equals(settings.path())) {
            return upgrade(request, settings, local);
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

    private static Response upgrade(WsHttp.Request request, Settings settings, InetAddress local) {
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
        if (origin != null) {
            // A browser. Host first: under DNS rebinding the attacker's name resolves to this server, so
            // Origin and Host name the same foreign site and would pass a bare same-origin comparison.
            if (!hostAllowed(host, local, settings.publicHosts())) {
                return error(403, "Host not allowed: not this server's address or one of its public host names.\n",
                        Map.of(), false);
            }
            if (!originAllowed(origin, host, settings.allowedOrigins())) {
                return error(403, "Origin not allowed.\n", Map.of(), false);
            }
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
     * Whether a {@code Host} header names this server: its host part (the port is not compared, so a
     * port-forwarding proxy still works) is one of the public host names, the literal address the
     * connection came in on, or {@code localhost} when that address is a loopback one. Never looks a
     * name up in DNS.
     */
    static boolean hostAllowed(String hostHeader, InetAddress local, Set<String> publicHosts) {
        String name = hostName(hostHeader);
        if (name == null) {
            return false;
        }
        if (publicHosts.contains(name)) {
            return true;
        }
        if (local == null) {
            return false;
        }
        if (name.equals("localhost")) {
            return local.isLoopbackAddress();
        }
        InetAddress literal = literal(name);
        return literal != null && sameAddress(literal, local);
    }

    /**
     * The host part of a {@code Host} header in lower case, without the port and an IPv6 literal's
     * brackets kept off; {@code null} if the header is malformed.
     */
    static String hostName(String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        String name;
        String port;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return null;
            }
            name = h.substring(0, end + 1);
            port = h.substring(end + 1);
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
            port = colon < 0 ? "" : h.substring(colon);
        }
        if (!port.isEmpty() && !port.matches(":[0-9]{1,5}")) {
            return null;
        }
        if (name.startsWith("[") ? !name.matches("\\[[0-9a-f:.]{2,45}]") : !name.matches("[a-z0-9.-]{1,253}")) {
            return null;
        }
        return name.endsWith(".") && !name.startsWith("[") ? name.substring(0, name.length() - 1) : name;
    }

    /** The address a host name spells as a literal (dotted IPv4 or bracketed IPv6), else {@code null}. */
    private static InetAddress literal(String name) {
        if (name.startsWith("[")) {
            try {
                // Bracketed: InetAddress accepts only an IPv6 literal here and never asks DNS.
                return InetAddress.getByName(name);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("[0-9]{1,3}") || Integer.parseInt(parts[i]) > 255) {
                return null;
            }
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean sameAddress(InetAddress a, InetAddress b) {
        if (a instanceof Inet6Address && b instanceof Inet6Address) {
            return Arrays.equals(a.getAddress(), b.getAddress()); // scope ids aside
        }
        return a.equals(b);
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
