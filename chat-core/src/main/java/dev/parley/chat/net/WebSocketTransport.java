package dev.parley.chat.net;

import dev.parley.chat.net.internal.WebSocketConnection;
import dev.parley.chat.net.internal.WsHandshake;
import dev.parley.chat.net.internal.WsHttp;
import dev.parley.chat.net.internal.WsPage;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Transport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Threads: one platform thread accepts sockets. Each accepted socket gets a virtual thread that
 * reads its HTTP request (and runs the TLS handshake for wss) within {@link Builder#handshakeTimeout};
 * a page or error request is answered and closed there; an upgraded connection is handed to the
 * {@link Acceptor} from that virtual thread, the calls being serialized by a lock so the acceptor
 * never runs twice at once. See docs/websocket.md for limits and close codes.
 *
 * <p>Instances are immutable and may be bound more than once.
 */
public final class WebSocketTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

    private final String host;
    private final int port;
    private final String path;
    private final Set<String> allowedOrigins;
    private final int maxMessageSize;
    private final SSLContext tls;
    private final boolean servePage;
    private final Duration handshakeTimeout;
    private final int maxPendingHandshakes;
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
        this.handshakeSettings = new WsHandshake.Settings(path, allowedOrigins, servePage ? WsPage.load(path) : null,
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
        WsBinding binding = new WsBinding(server, acceptor);
        binding.start();
        return binding;
    }

    @Override
    public String toString() {
        return "WebSocketTransport[" + name() + " " + (host == null ? "*" : host) + ":" + port + path
                + (servePage ? " page" : "") + ", maxMessageSize=" + maxMessageSize + ", origins="
                + (allowedOrigins.isEmpty() ? "same-origin" : allowedOrigins) + "]";
    }

    /** One listening socket and the handshakes in progress on it. */
    private final class WsBinding implements Binding {
        private final ServerSocket server;
        private final Acceptor acceptor;
        private final SocketAddress localAddress;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicLong ids = new AtomicLong();
        /** Sockets still in their handshake; closed with the binding. */
        private final Set<Socket> pending = ConcurrentHashMap.newKeySet();
        /** Serializes calls of the acceptor. */
        private final ReentrantLock acceptLock = new ReentrantLock();
        private volatile Thread acceptThread;

        WsBinding(ServerSocket server, Acceptor acceptor) {
            this.server = server;
            this.acceptor = acceptor;
            this.localAddress = server.getLocalSocketAddress();
        }

        void start() {
            acceptThread = Thread.ofPlatform()
                    .name("parley-" + name() + "-accept-" + server.getLocalPort())
                    .daemon(true)
                    .start(this::acceptLoop);
            log.info("{} listening on {}{}{}", name(), localAddress, path, servePage ? " (chat page at /)" : "");
            log.debug("{}", WebSocketTransport.this);
        }

        private void acceptLoop() {
            while (!closed.get()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    if (!closed.get()) {
                        log.warn("{} accept failed on {}, listener stops", name(), localAddress, e);
                    }
                    return;
                }
                if (closed.get()) { // accepted while close() was waiting for this thread
                    closeQuietly(socket);
                    return;
                }
                String id = name() + "-" + ids.incrementAndGet();
                if (pending.size() >= maxPendingHandshakes) {
                    log.warn("{} refused: {} handshakes already in progress", id, pending.size());
                    closeQuietly(socket);
                    continue;
                }
                pending.add(socket);
                Thread.ofVirtual().name("parley-" + id).start(() -> handshake(id, socket));
            }
        }

        /** Runs in the socket's own virtual thread. */
        private void handshake(String id, Socket socket) {
            boolean handedOver = false;
            try {
                socket.setSoTimeout((int) handshakeTimeout.toMillis());
                socket.setTcpNoDelay(true);
                if (socket instanceof SSLSocket ssl) {
                    // As TcpTransport does: a second handshake (TLS 1.2 renegotiation) closes the connection.
                    AtomicInteger handshakes = new AtomicInteger();
                    ssl.addHandshakeCompletedListener(e -> {
                        if (handshakes.incrementAndGet() > 1) {
                            log.debug("{} TLS renegotiation refused, closing", id);
                            closeQuietly(socket);
                        }
                    });
                }
                InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
                OutputStream out = socket.getOutputStream();
                WsHttp.Request request;
                try {
                    request = WsHttp.readRequest(in);
                } catch (WsHttp.HttpException e) {
                    log.debug("{} bad request from {}: {}", id, socket.getRemoteSocketAddress(), e.getMessage());
                    byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
                    WsHttp.write(out, e.status(), Map.of("Content-Type", "text/plain; charset=utf-8"), body, false);
                    return;
                }
                if (request == null) {
                    log.debug("{} closed before sending a request", id);
                    return;
                }
                WsHandshake.Response response = WsHandshake.respond(request, handshakeSettings);
                if (!response.upgrade()) {
                    log.debug("{} {} {} -> {}", id, request.method(), request.path(), response.status());
                    WsHttp.write(out, response.status(), response.headers(), response.body(), response.headOnly());
                    return;
                }
                if (closed.get()) {
                    log.debug("{} listener closed during the handshake, dropped", id);
                    return;
                }
                WsHttp.write(out, 101, response.headers(), response.body(), false);
                socket.setSoTimeout(0);
                Connection connection = new WebSocketConnection(id, name(), socket, in, maxMessageSize);
                acceptLock.lock();
                try {
                    if (closed.get()) {
                        log.debug("{} upgraded after the listener closed, dropped", id);
                        return;
                    }
                    pending.remove(socket);
                    handedOver = true;
                    log.debug("{} upgraded, from {} origin {}", id, socket.getRemoteSocketAddress(),
                            request.header("origin"));
                    acceptor.accept(connection);
                } finally {
                    acceptLock.unlock();
                }
            } catch (SocketTimeoutException e) {
                log.debug("{} handshake timed out after {} ms", id, handshakeTimeout.toMillis());
            } catch (SSLException e) {
                log.debug("{} TLS handshake failed: {}", id, e.getMessage());
            } catch (SocketException e) {
                log.debug("{} socket closed during the handshake: {}", id, e.getMessage());
            } catch (IOException e) {
                log.debug("{} handshake failed: {}", id, e.toString());
            } catch (RuntimeException e) {
                log.warn("{} unexpected failure in the handshake", id, e);
            } finally {
                if (!handedOver) {
                    pending.remove(socket);
                    closeQuietly(socket);
                }
            }
        }

        @Override
        public SocketAddress localAddress() {
            return localAddress;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            closeQuietly(server);
            AcceptThread.awaitExit(acceptThread);
            acceptLock.lock();
            try {
                for (Socket s : pending) {
                    closeQuietly(s);
                }
                pending.clear();
            } finally {
                acceptLock.unlock();
            }
            log.info("{} listener on {} closed", name(), localAddress);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close failed: {}", e.toString());
        }
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
         * served page's own origin), which is always allowed. Requests without an {@code Origin}
         * header (non-browser clients) are always allowed.
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
         * How long a new socket may take to complete TLS (1.3 or 1.2) and send its HTTP request.
         * Default 10 s.
         */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /** How many sockets may be in their handshake at once; more are closed at once. Default 1024. */
        public Builder maxPendingHandshakes(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingHandshakes must be at least 1, was " + max);
            }
            this.maxPendingHandshakes = max;
            return this;
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
