package dev.parley.chat.net;

import dev.parley.chat.net.internal.AddressCounts;
import dev.parley.chat.net.internal.Deadlines;
import dev.parley.chat.net.internal.WarnLimiter;
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
    private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);
    /** At most one WARN line per kind (refusals, accept failures) per binding in this time. */
    private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    /** The longest pause of the accepting thread after repeated accept failures. */
    private static final long MAX_ACCEPT_BACKOFF_MILLIS = 100;

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
                servePage ? WsPage.load(path) : null);
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
                + (allowedOrigins.isEmpty() ? "same-origin" : allowedOrigins) + ", hosts="
                + (publicHostNames.isEmpty() ? "bound address" : publicHostNames) + "]";
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
        /** Sockets in their handshake per remote address. */
        private final AddressCounts perAddress = new AddressCounts(maxPendingHandshakesPerAddress);
        private final WarnLimiter refusalWarnings = new WarnLimiter(WARN_INTERVAL);
        private final WarnLimiter acceptWarnings = new WarnLimiter(WARN_INTERVAL);
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

        /**
         * The only thread accepting on the port: it must outlive anything one socket can do to it, so it
         * catches every {@code Throwable} (an {@code OutOfMemoryError} from {@code accept()} itself
         * included), backs off a little while failures repeat, and stops only when the binding closes.
         */
        private void acceptLoop() {
            long backoffMillis = 0;
            while (!closed.get()) {
                Socket socket = null;
                try {
                    socket = server.accept();
                    if (closed.get()) { // accepted while close() was waiting for this thread
                        closeQuietly(socket);
                        return;
                    }
                    admit(socket);
                    backoffMillis = 0;
                } catch (Throwable t) {
                    if (socket != null) {
                        closeQuietly(socket);
                    }
                    if (closed.get() || server.isClosed()) {
                        return;
                    }
                    backoffMillis = Math.min(MAX_ACCEPT_BACKOFF_MILLIS, Math.max(1, backoffMillis * 2));
                    acceptFailed(t, backoffMillis);
                }
            }
        }

        /** Logs a failed accept (at most once per interval: it may repeat fast) and waits a little. */
        private void acceptFailed(Throwable t, long backoffMillis) {
            try {
                long held = acceptWarnings.tryAcquire();
                if (held >= 0) {
                    log.warn("{} accept failed on {} ({} more since the last report), still accepting", name(),
                            localAddress, held, t);
                }
            } catch (Throwable ignored) {
                // logging failed too (memory): keep accepting all the same
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (Throwable ignored) {
                // interrupted or out of memory: go on
            }
        }

        /** Starts a socket's handshake, or closes it if too many are in progress (overall or from its address). */
        private void admit(Socket socket) {
            String id = name() + "-" + ids.incrementAndGet();
            InetAddress from = socket.getInetAddress();
            String refused = null;
            if (pending.size() >= maxPendingHandshakes) {
                refused = maxPendingHandshakes + " handshakes already in progress";
            } else if (!perAddress.tryAcquire(from)) {
                refused = maxPendingHandshakesPerAddress + " handshakes already in progress from " + from.getHostAddress();
            }
            if (refused != null) {
                long held = refusalWarnings.tryAcquire();
                if (held >= 0) {
                    log.warn("{} refused: {} ({} more refusals since the last report)", id, refused, held);
                } else {
                    log.debug("{} refused: {}", id, refused);
                }
                closeQuietly(socket);
                return;
            }
            pending.add(socket);
            Handshake h = null;
            try {
                h = new Handshake(id, socket, from);
                h.deadline = Deadlines.after(handshakeTimeout, "parley-" + id + "-deadline", h::expire);
                Thread.ofVirtual().name("parley-" + id).start(h::run);
            } catch (Throwable t) {
                if (h == null) {
                    pending.remove(socket);
                    perAddress.release(from);
                } else {
                    h.end();
                }
                throw t;
            }
        }

        /** One socket's handshake, run in its own virtual thread, closed at its absolute deadline. */
        private final class Handshake {
            private final String id;
            private final Socket socket;
            private final InetAddress from;
            private final AtomicBoolean over = new AtomicBoolean();
            private volatile boolean expired;
            private volatile Deadlines.Deadline deadline;

            Handshake(String id, Socket socket, InetAddress from) {
                this.id = id;
                this.socket = socket;
                this.from = from;
            }

            /** The deadline passed: the socket is closed, which ends whatever read or write it is in. */
            void expire() {
                if (over.compareAndSet(false, true)) {
                    expired = true;
                    release();
                    closeQuietly(socket);
                }
            }

            /**
             * Ends the handshake: cancels the deadline and stops counting the socket as pending. Returns
             * false if it had ended already (the deadline came first).
             */
            boolean end() {
                if (!over.compareAndSet(false, true)) {
                    return false;
                }
                Deadlines.Deadline d = deadline;
                if (d != null) {
                    d.cancel();
                }
                release();
                return true;
            }

            private void release() {
                pending.remove(socket);
                perAddress.release(from);
            }

            void run() {
                boolean handedOver = false;
                try {
                    handedOver = handshake();
                } catch (SocketTimeoutException e) {
                    log.debug("{} handshake timed out after {} ms", id, handshakeTimeout.toMillis());
                } catch (SSLException e) {
                    log.debug("{} TLS handshake failed: {}", id, e.getMessage());
                } catch (IOException e) {
                    if (expired) {
                        log.debug("{} handshake not done {} ms after the connection: closed", id,
                                handshakeTimeout.toMillis());
                    } else {
                        log.debug("{} handshake failed: {}", id, e.toString());
                    }
                } catch (Throwable t) {
                    // An Error too: it ends this socket, not the listener.
                    try {
                        log.warn("{} unexpected failure in the handshake", id, t);
                    } catch (Throwable ignored) {
                        // out of memory: nothing more to say
                    }
                } finally {
                    end();
                    if (!handedOver) {
                        closeQuietly(socket);
                    }
                }
            }

            /** Returns whether the connection was handed to the acceptor. */
            private boolean handshake() throws IOException {
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
                    return false;
                }
                if (request == null) {
                    log.debug("{} closed before sending a request", id);
                    return false;
                }
                WsHandshake.Response response = WsHandshake.respond(request, handshakeSettings, socket.getLocalAddress());
                if (!response.upgrade()) {
                    log.debug("{} {} {} -> {}", id, request.method(), request.path(), response.status());
                    WsHttp.write(out, response.status(), response.headers(), response.body(), response.headOnly());
                    return false;
                }
                if (closed.get()) {
                    log.debug("{} listener closed during the handshake, dropped", id);
                    return false;
                }
                WsHttp.write(out, 101, response.headers(), response.body(), false);
                Connection connection = new WebSocketConnection(id, name(), socket, in, maxMessageSize);
                acceptLock.lock();
                try {
                    if (closed.get()) {
                        log.debug("{} upgraded after the listener closed, dropped", id);
                        return false;
                    }
                    if (!end()) {
                        return false; // the deadline came first and closed it
                    }
                    socket.setSoTimeout(0);
                    log.debug("{} upgraded, from {} origin {}", id, socket.getRemoteSocketAddress(),
                            request.header("origin"));
                    try {
                        acceptor.accept(connection);
                    } catch (Throwable t) {
                        try {
                            log.error("{} acceptor failed; connection closed, still accepting", id, t);
                        } catch (Throwable ignored) {
                            // out of memory
                        }
                        connection.close();
                    }
                    return true;
                } finally {
                    acceptLock.unlock();
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
        private int maxPendingHandshakesPerAddress = 16;
        private final Set<String> publicHostNames = new LinkedHashSet<>();

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

        /** The transport. */
        public WebSocketTransport build() {
            return new WebSocketTransport(this);
        }
    }
}
