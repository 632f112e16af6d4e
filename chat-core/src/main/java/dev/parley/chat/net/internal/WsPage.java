package dev.parley.chat.net.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The browser chat page served at {@code /}: the resource {@code dev/parley/chat/net/chat-page.html}
 * with the WebSocket path filled in, and a Content-Security-Policy that allows exactly its inline
 * script and style (by SHA-256 hash), WebSocket connections to its own origin and nothing else.
 */
public final class WsPage {
    private static final String RESOURCE = "/dev/parley/chat/net/chat-page.html";
    private static final String PATH_PLACEHOLDER = "{{WS_PATH}}";

    private final byte[] html;
    private final Map<String, String> headers;

    private WsPage(byte[] html, Map<String, String> headers) {
        this.html = html;
        this.headers = headers;
    }

    /**
     * Loads the page for a WebSocket path.
     *
     * @param wsPath the endpoint path, already validated to hold only URL-safe characters
     */
    public static WsPage load(String wsPath) {
        String page;
        try (InputStream in = WsPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        page = page.replace(PATH_PLACEHOLDER, wsPath);
        String csp = "default-src 'none'; script-src " + hashes(page, "script")
                + "; style-src " + hashes(page, "style")
                + "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/html; charset=utf-8");
        headers.put("Cache-Control", "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Content-Security-Policy", csp);
        return new WsPage(page.getBytes(StandardCharsets.UTF_8), Map.copyOf(headers));
    }

    /** The page's bytes (UTF-8). Never modified. */
    public byte[] html() {
        return html;
    }

    /** The response headers for the page. */
    public Map<String, String> headers() {
        return headers;
    }

    private static String hashes(String page, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL).matcher(page);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append("'sha256-").append(sha256(m.group(1))).append('\'');
        }
        return sb.isEmpty() ? "'none'" : sb.toString();
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
