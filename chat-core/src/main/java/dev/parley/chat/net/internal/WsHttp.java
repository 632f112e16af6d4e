package dev.parley.chat.net.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The little HTTP/1.1 the WebSocket port speaks: read one request head, write one response.
 * No keep-alive: every response that is not a 101 closes the connection.
 */
public final class WsHttp {
    /** The largest request head accepted (request line and headers), in bytes. */
    public static final int MAX_HEAD = 8192;
    /** The most header lines accepted in one request head. */
    public static final int MAX_HEADERS = 100;

    private WsHttp() {
    }

    /** A parsed request head. Header names are lower-case; repeated headers are joined with ", ". */
    public record Request(String method, String target, String version, Map<String, String> headers) {
        /** A header's value, or {@code null}. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The target without its query string. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    /** The request cannot be served; answer with {@link #status()} and close. */
    public static final class HttpException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        /** A failure answered with this status. */
        public HttpException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status to answer with. */
        public int status() {
            return status;
        }
    }

    /**
     * Reads a request head up to and including the empty line, no further (bytes after it belong to
     * the WebSocket stream).
     *
     * @return the request, or {@code null} if the stream ended before any byte
     * @throws HttpException 431 for a head over {@link #MAX_HEAD} bytes or with more than
     *     {@link #MAX_HEADERS} header lines, 400 for a malformed one
     */
    public static Request readRequest(InputStream in) throws IOException {
        byte[] head = new byte[MAX_HEAD];
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (n == 0) {
                    return null;
                }
                throw new HttpException(400, "connection ended inside the request head");
            }
            if (n == MAX_HEAD) {
                throw new HttpException(431, "request head larger than " + MAX_HEAD + " bytes");
            }
            head[n++] = (byte) b;
            if (b == '\n' && (endsWith(head, n, "\r\n\r\n") || endsWith(head, n, "\n\n"))) {
                return parse(new String(head, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
    }

    private static boolean endsWith(byte[] b, int n, String suffix) {
        int k = suffix.length();
        if (n < k) {
            return false;
        }
        for (int i = 0; i < k; i++) {
            if (b[n - k + i] != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a request head (ISO-8859-1 text, CRLF or LF line ends, ending with an empty line).
     *
     * @throws HttpException 400 if it is not an HTTP/1.x request, 431 if it has more than
     *     {@link #MAX_HEADERS} header lines
     */
    public static Request parse(String head) throws HttpException {
        String[] lines = head.split("\r?\n");
        if (lines.length == 0 || lines[0].isEmpty()) {
            throw new HttpException(400, "empty request line");
        }
        String[] parts = lines[0].split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new HttpException(400, "malformed request line");
        }
        String method = parts[0];
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < 'A' || c > 'Z') {
                throw new HttpException(400, "malformed method");
            }
        }
        if (!parts[2].startsWith("HTTP/1.")) {
            throw new HttpException(400, "not HTTP/1.x");
        }
        if (!parts[1].startsWith("/")) {
            throw new HttpException(400, "request target must be a path");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break;
            }
            if (i > MAX_HEADERS) {
                throw new HttpException(431, "more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t'
                    || line.substring(0, colon).contains(" ")) {
                throw new HttpException(400, "malformed header line");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        return new Request(method, parts[1], parts[2], headers);
    }

    /** Whether a comma-separated header value contains this token, ignoring case. */
    public static boolean hasToken(String headerValue, String token) {
        if (headerValue == null) {
            return false;
        }
        for (String t : headerValue.split(",")) {
            if (t.strip().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** The reason phrase for the statuses used here. */
    public static String reason(int status) {
        return switch (status) {
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 426 -> "Upgrade Required";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    /**
     * Writes a complete response. Unless {@code status} is 101, adds {@code Connection: close} and a
     * {@code Content-Length}; {@code head} leaves the body out (a HEAD request).
     */
    public static void write(OutputStream out, int status, Map<String, String> headers, byte[] body, boolean head)
            throws IOException {
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        if (status != 101) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
            sb.append("Connection: close\r\n");
        }
        sb.append("\r\n");
        byte[] h = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (head || body.length == 0) {
            out.write(h);
        } else {
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            out.write(all);
        }
        out.flush();
    }
}
