package dev.parley.chat.net;

import dev.parley.chat.net.internal.WsHandshake;
import dev.parley.chat.net.internal.WsPage;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A {@link Transport} that speaks WebSocket (RFC 6455, version 13), written on the JDK alone, so that
 * browsers can chat with the same server, rooms and history as TCP clients.
 *
 * <p>Each WebSocket text message carries exactly one protocol line; the connection hands the server
 * the message's bytes followed by LF, and sends every line the server writes as one text message.
 * Binary messages are refused (close 1003). The same port can serve a self-contained chat page at
 * {@code GET /} ({@link Builder#servePage(boolean)}).
 *
 * <pre>{@code
 * ChatServer server = ChatServer.builder()
 *         .listen(WebSocketTransport.builder().port(7879).servePage(true).build())
 *         .build();
 * }</pre>
 *
 * <p>Threads: one platform thread accepts sockets; it survives any failure, an
 * {@code OutOfMemoryError} included, and stops only when the binding is closed. Each accepted socket
 * gets a virtual thread that reads its HTTP request (and runs the TLS handshake for wss) before an
 * absolute deadline ({@link Builder#handshakeTimeout}; at most {@link Builder#maxPendingHandshakes}
 * at once, {@link Builder#maxPendingHandshakesPerAddress} from one address);
 * a page or error request is answered and closed there; an upgraded connection is handed to the
 * {@link Acceptor} from that virtual thread, the calls being serialized by a lock so the acceptor
 * never runs twice at once. See docs/websocket.md for limits and close codes.
 *
 * <p>Instances are immutable and may be bound more than once.
 */
public final class WebSocketTransport implements Transport {
    private final String host;
    private final int port;
    private final String path;
    private final Set<String> allowedOrigins;
    private final int maxMessageSize;
    private final SSLContext tls;
    private final boolean servePage;
    private final Duration handshakeTimeout;
    private final int maxPendingHandshakes;
    private final int maxPendingHandshakesPerAddress;
    private final Set<String> publicHostNames;
    private final WsHandshake.Settings handshakeSettings;

    private WebSocketTransport(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.path = b.path;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.maxMessageSize = b.maxMessageSize;
        this.tls = b.tls;
        this.servePage = b.servePage;
        this.handshakeTimeout = b.handshakeTimeout;
        this.maxPendingHandshakes = b.maxPendingHandshakes;
        this.maxPendingHandshakesPerAddress = b.maxPendingHandshakesPerAddress;
        Set<String> hosts = new LinkedHashSet<>(b.publicHostNames);
        if (host != null && !host.matches("[0-9.]+|.*:.*")) {
            hosts.add(host.toLowerCase(Locale.ROOT)); // bound by name: that name is this server's
        }
        this.publicHostNames = Set.copyOf(hosts);
        this.handshakeSettings = new WsHandshake.Settings(path, allowedOrigins, publicHostNames,
                servePage ? WsPage.load(path) : null,
                b.healthPath == null ? null : new WsHandshake.Health(b.healthPath, b.healthy));
    }

    /** A builder with the defaults listed on each setting. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code ws}, or {@code wss} with TLS. */
    @Override
    public String name() {
        return tls == null ? "ws" : "wss";
    }

    /** The WebSocket endpoint's path, e.g. {@code /chat}. */
    public String path() {
        return path;
    }

    /** Whether {@code GET /} serves the chat page. */
    public boolean servesPage() {
        return servePage;
    }

    // Settings WebSocketBinding reads.

    Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    int maxPendingHandshakesPerAddress() {
        return maxPendingHandshakesPerAddress;
    }

    WsHandshake.Settings handshakeSettings() {
        return handshakeSettings;
    }

    /** The largest incoming message accepted, in bytes (larger ones close with 1009). */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public Binding bind(Acceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        ServerSocket server = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
        try {
            if (server instanceof SSLServerSocket ssl) {
                ssl.setEnabledProtocols(TcpTransport.DEFAULT_TLS_PROTOCOLS.toArray(String[]::new));
            }
            server.setReuseAddress(true);
            InetAddress address = host == null ? null : InetAddress.getByName(host);
            server.bind(new InetSocketAddress(address, port), 512);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        WebSocketBinding binding = new WebSocketBinding(this, server, acceptor);
        binding.start();
        return binding;
    }

    @Override
    public String toString() {
        return "WebSocketTransport[" + name() + " " + (host == null ? "*" : host) + ":" + port + path
                + (servePage ? " page" : "") + ", maxMessageSize=" + maxMessageSize + ", origins="
                + (allowedOrigins.isEmpty() ? "same-origin" : allowedOrigins) + ", hosts="
                + (publicHostNames.isEmpty() ? "bound address" : publicHostNames) + "]";
    }

    /** Settings for a {@link WebSocketTransport}; validated when set. Not thread safe. */
    public static final class Builder {
        private String host;
        private int port;
        private String path = "/chat";
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private int maxMessageSize = 65536;
        private SSLContext tls;
        private boolean servePage;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxPendingHandshakes = 1024;
        private int maxPendingHandshakesPerAddress = 16;
        private final Set<String> publicHostNames = new LinkedHashSet<>();
        private String healthPath;
        private java.util.function.BooleanSupplier healthy;

        private Builder() {
        }

        /** The address to listen on (name or literal). Default: every interface. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; 0 picks a free one ({@link Binding#localAddress()} tells which). Default 0. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The WebSocket endpoint. Default {@code /chat}. Must start with {@code /}, not be {@code /}
         * itself (that is the page), and hold only letters, digits and {@code / - . _ ~}.
         */
        public Builder path(String path) {
            if (path == null || !path.matches("/[A-Za-z0-9._~/-]{1,200}")) {
                throw new IllegalArgumentException("path must be / followed by 1..200 of [A-Za-z0-9._~/-], was "
                        + path);
            }
            this.path = path;
            return this;
        }

        /**
         * Origins browsers may connect from besides the same origin, as {@code scheme://host[:port]},
         * or {@code "*"} for any. Replaces earlier calls. Default: none listed, meaning same origin
         * only: a browser's {@code Origin} must name the host and port the request was sent to (the
         * served page's own origin), which is always allowed once that {@code Host} passed the check
         * described at {@link #publicHostNames}. Requests without an {@code Origin} header
         * (non-browser clients) are always allowed.
         */
        public Builder allowedOrigins(Collection<String> origins) {
            Set<String> copy = new LinkedHashSet<>();
            for (String o : origins) {
                if (o == null || !(o.equals("*") || o.matches("[A-Za-z][A-Za-z0-9+.-]*://[^/\\s]+"))) {
                    throw new IllegalArgumentException(
                            "allowedOrigins entries must be scheme://host[:port] or *, was " + o);
                }
                copy.add(o.toLowerCase(Locale.ROOT));
            }
            allowedOrigins.clear();
            allowedOrigins.addAll(copy);
            return this;
        }

        /** Same as {@link #allowedOrigins(Collection)}. */
        public Builder allowedOrigins(String... origins) {
            return allowedOrigins(Arrays.asList(origins));
        }

        /**
         * The largest message (the sum of its fragments) accepted from a client, in bytes; a frame
         * that would pass it is refused with close 1009 before anything is allocated.
         * Default 65536; 256..16 MiB.
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 256 || bytes > 16 << 20) {
                throw new IllegalArgumentException("maxMessageSize must be 256..16777216, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /** Serves wss (WebSocket over TLS) with this context; {@code null} for plain ws. Default: plain. */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** Whether {@code GET /} answers with the browser chat page. Default false (404). */
        public Builder servePage(boolean servePage) {
            this.servePage = servePage;
            return this;
        }

        /**
         * How long a new socket may take, from the moment it is accepted, to complete TLS (1.3 or 1.2),
         * send its HTTP request and receive the answer: an absolute deadline, not a pause between
         * bytes, so a client trickling its request one byte at a time is closed all the same.
         * Default 10 s.
         */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * How many sockets may be in their handshake at once; more are closed at once (a WARN line
         * says so, at most once per 10 s with the number held back). Default 1024.
         */
        public Builder maxPendingHandshakes(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingHandshakes must be at least 1, was " + max);
            }
            this.maxPendingHandshakes = max;
            return this;
        }

        /**
         * How many sockets from one remote address may be in their handshake at once; more from that
         * address are closed at once, so one address cannot take all of {@link #maxPendingHandshakes}.
         * Default 16 (a browser opens a few at a time; a handshake lasts milliseconds).
         */
        public Builder maxPendingHandshakesPerAddress(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingHandshakesPerAddress must be at least 1, was " + max);
            }
            this.maxPendingHandshakesPerAddress = max;
            return this;
        }

        /**
         * Host names (without port) that browsers may use to reach this server besides the address
         * they connected to, e.g. {@code "chat.example.com"} behind a reverse proxy or for a server
         * reached by name. A browser's upgrade ({@code Origin} present) must name in {@code Host} one
         * of these, the literal address the connection came in on, or {@code localhost} on a loopback
         * address; otherwise 403. This is checked before the origin, against DNS rebinding (a foreign
         * name pointed at this server makes Origin and Host agree). A name given to {@link #host} is
         * included. Replaces earlier calls. Default: none.
         */
        public Builder publicHostNames(Collection<String> names) {
            Set<String> copy = new LinkedHashSet<>();
            for (String n : names) {
                if (n == null || !n.matches("[A-Za-z0-9.-]{1,253}")) {
                    throw new IllegalArgumentException("publicHostNames entries must be host names without port, was " + n);
                }
                copy.add(n.toLowerCase(Locale.ROOT));
            }
            publicHostNames.clear();
            publicHostNames.addAll(copy);
            return this;
        }

        /** Same as {@link #publicHostNames(Collection)}. */
        public Builder publicHostNames(String... names) {
            return publicHostNames(Arrays.asList(names));
        }

        /**
         * Serves a health check for load balancers and orchestrators: {@code GET path} answers
         * {@code 200 ok} while {@code healthy} returns true and {@code 503 unavailable} otherwise
         * (text/plain, not cached). {@code healthy} is called on the request's thread and must be
         * quick. Default: none (404). The path follows the rules of {@link #path(String)} and must
         * differ from it.
         */
        public Builder healthCheck(String path, java.util.function.BooleanSupplier healthy) {
            if (path == null || !path.matches("/[A-Za-z0-9._~/-]{1,200}")) {
                throw new IllegalArgumentException("health check path must be / followed by 1..200 of [A-Za-z0-9._~/-], was "
                        + path);
            }
            this.healthPath = path;
            this.healthy = Objects.requireNonNull(healthy, "healthy");
            return this;
        }

        /** The transport. */
        public WebSocketTransport build() {
            if (healthPath != null && healthPath.equals(path)) {
                throw new IllegalArgumentException("the health check path must differ from the WebSocket path " + path);
            }
            return new WebSocketTransport(this);
        }
    }
}
