package dev.parley.chat.net;

import dev.parley.chat.net.internal.NioConnection;
import dev.parley.chat.net.internal.Poller;
import dev.parley.chat.net.internal.SocketConnection;
import dev.parley.chat.net.internal.WarnLimiter;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Connector;
import dev.parley.chat.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport, plain or TLS: protocol lines over a socket.
 *
 * <pre>{@code
 * ChatServer.builder().listen(TcpTransport.port(7878))...
 * ChatServer.builder().listen(TcpTransport.builder().port(7879).tls(sslContext).build())...
 * }</pre>
 *
 * <p>One named platform thread accepts per binding; it survives any failure, an
 * {@code OutOfMemoryError} included, and stops only when the binding is closed. Plain connections are non-blocking channels
 * watched by one poller thread per binding, so the server can try a write without ever blocking the
 * sender's thread; TLS connections are blocking {@link SSLSocket}s whose handshake runs in the
 * connection's own virtual thread, bounded by {@link Builder#handshakeTimeout(Duration)} (an absolute
 * deadline).
 * TLS is TLS 1.3 only by default (it has no renegotiation); TLS 1.2 can be enabled as well with
 * {@link Builder#tlsProtocols(String...)}, see there about renegotiation.
 * Immutable; one instance may be bound several times (each bind opens its own port).
 */
public final class TcpTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(TcpTransport.class);
    /** The longest pause of the accepting thread after repeated accept failures. */
    private static final long MAX_ACCEPT_BACKOFF_MILLIS = 100;

    /** The TLS versions a server accepts unless {@link Builder#tlsProtocols(String...)} says otherwise. */
    public static final List<String> DEFAULT_TLS_PROTOCOLS = List.of("TLSv1.3");

    /** The TLS versions that may be enabled at all (and that client connectors offer). */
    public static final List<String> SUPPORTED_TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final String host;
    private final int port;
    private final SSLContext tls;
    private final String[] tlsProtocols;
    private final Duration handshakeTimeout;
    private final int backlog;

    private TcpTransport(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.tlsProtocols = b.tlsProtocols.clone();
        this.handshakeTimeout = b.handshakeTimeout;
        this.backlog = b.backlog;
    }

    /** Plain TCP on all interfaces at this port (0: an ephemeral port, see {@code ChatServer.port()}). */
    public static TcpTransport port(int port) {
        return builder().port(port).build();
    }

    /** A builder: all interfaces, port 0, no TLS (TLS 1.3 when enabled), handshake timeout 10 s, backlog 1024. */
    public static Builder builder() {
        return new Builder();
    }

    /** A client-side connector for plain TCP. */
    public static Connector connector(String host, int port) {
        return connector(host, port, null);
    }

    /**
     * A client-side connector, TLS when {@code sslContext} is not {@code null} (offers TLS 1.3 and
     * 1.2, host name verification on).
     */
    public static Connector connector(String host, int port, SSLContext sslContext) {
        Objects.requireNonNull(host, "host");
        checkPort(port);
        return () -> {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), 10_000);
                if (sslContext != null) {
                    SSLSocket ssl = (SSLSocket) sslContext.getSocketFactory().createSocket(socket, host, port, true);
                    ssl.setUseClientMode(true);
                    SSLParameters params = ssl.getSSLParameters();
                    params.setProtocols(SUPPORTED_TLS_PROTOCOLS.toArray(String[]::new));
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(params);
                    return new SocketConnection(ssl, socket, "tls", Duration.ofSeconds(10), () -> { });
                }
                return new SocketConnection(socket, socket, "tcp", Duration.ofSeconds(10), () -> { });
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        };
    }

    @Override
    public String name() {
        return tls == null ? "tcp" : "tls";
    }

    @Override
    public Binding bind(Acceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port), backlog);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
        TcpBinding binding = new TcpBinding(server, local, acceptor);
        binding.start();
        return binding;
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
    }

    private final class TcpBinding implements Binding {
        private final ServerSocketChannel server;
        private final InetSocketAddress local;
        private final Acceptor acceptor;
        private final Poller poller;
        /** 1 for the binding itself plus one per open connection; the poller stops at 0. */
        private final AtomicInteger users = new AtomicInteger(1);
        private final AtomicBoolean closed = new AtomicBoolean();
        private final WarnLimiter acceptWarnings = new WarnLimiter(Duration.ofSeconds(10));
        private final Thread thread;

        TcpBinding(ServerSocketChannel server, InetSocketAddress local, Acceptor acceptor) throws IOException {
            this.server = server;
            this.local = local;
            this.acceptor = acceptor;
            this.poller = tls == null ? new Poller("parley-poll-" + name() + "-" + local.getPort()) : null;
            this.thread = Thread.ofPlatform().name("parley-accept-" + name() + "-" + local.getPort())
                    .daemon(true).unstarted(this::acceptLoop);
        }

        void start() {
            thread.start();
        }

        private void release() {
            if (users.decrementAndGet() == 0 && poller != null) {
                poller.close();
            }
        }

        /**
         * The only thread accepting on the port: it must outlive anything one connection can do to it,
         * so it catches every {@code Throwable} (an {@code OutOfMemoryError} from {@code accept()}
         * itself included), backs off a little while failures repeat (no open files left, no memory),
         * and stops only when the binding closes.
         */
        private void acceptLoop() {
            long backoffMillis = 0;
            while (!closed.get()) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (AsynchronousCloseException e) {
                    break;
                } catch (Throwable t) {
                    if (closed.get() || !server.isOpen()) {
                        break;
                    }
                    backoffMillis = Math.min(MAX_ACCEPT_BACKOFF_MILLIS, Math.max(1, backoffMillis * 2));
                    acceptFailed(t, backoffMillis);
                    continue;
                }
                backoffMillis = 0;
                users.incrementAndGet();
                Connection connection;
                try {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    connection = wrap(channel);
                } catch (Throwable e) {
                    // An Error too (a class that failed to load, memory): this thread is the only one
                    // accepting on the port, and it must outlive any one connection.
                    try {
                        if (e instanceof IOException) {
                            log.debug("could not set up an accepted connection", e);
                        } else {
                            log.warn("could not set up an accepted connection", e);
                        }
                    } catch (Throwable ignored) {
                        // out of memory: nothing more to say
                    }
                    try {
                        channel.close();
                    } catch (Throwable ignored) {
                        // gone already
                    }
                    release();
                    continue;
                }
                try {
                    acceptor.accept(connection);
                } catch (Throwable e) {
                    try {
                        log.error("acceptor failed; connection closed, still accepting on {}", local, e);
                    } catch (Throwable ignored) {
                        // out of memory: nothing more to say
                    }
                    connection.close();
                }
            }
        }

        /** Logs a failed accept (at most once per interval: it may repeat fast) and waits a little. */
        private void acceptFailed(Throwable t, long backoffMillis) {
            try {
                long held = acceptWarnings.tryAcquire();
                if (held >= 0) {
                    log.warn("accept failed on {} ({} more since the last report), still accepting", local, held, t);
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

        private Connection wrap(SocketChannel channel) throws IOException {
            AtomicBoolean released = new AtomicBoolean();
            Runnable onClose = () -> {
                if (released.compareAndSet(false, true)) {
                    release();
                }
            };
            if (tls == null) {
                return new NioConnection(channel, poller, "tcp", onClose);
            }
            Socket plain = channel.socket();
            SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
            ssl.setUseClientMode(false);
            SSLParameters params = ssl.getSSLParameters();
            params.setProtocols(tlsProtocols);
            ssl.setSSLParameters(params);
            return new SocketConnection(ssl, plain, "tls", handshakeTimeout, onClose);
        }

        @Override
        public SocketAddress localAddress() {
            return local;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                server.close();
            } catch (IOException e) {
                log.debug("closing listener", e);
            }
            AcceptThread.awaitExit(thread);
            release();
        }
    }

    /** Settings of a {@link TcpTransport}. */
    public static final class Builder {
        private String host;
        private int port;
        private SSLContext tls;
        private String[] tlsProtocols = DEFAULT_TLS_PROTOCOLS.toArray(String[]::new);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int backlog = 1024;

        private Builder() {
        }

        /** The interface to listen on, by name or address; default all interfaces. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port, 0..65535; default 0 (ephemeral). */
        public Builder port(int port) {
            checkPort(port);
            this.port = port;
            return this;
        }

        /** Serves TLS with this context (its key manager holds the server certificate); default none. */
        public Builder tls(SSLContext sslContext) {
            this.tls = Objects.requireNonNull(sslContext, "tls");
            return this;
        }

        /**
         * The TLS versions to accept, a subset of {@code TLSv1.3} and {@code TLSv1.2}; default
         * {@code TLSv1.3} alone, which has no renegotiation. With {@code TLSv1.2} enabled, the JDK
         * accepts a client-initiated renegotiation unless the JVM-wide system property
         * {@code jdk.tls.rejectClientInitiatedRenegotiation=true} is set; without it this transport
         * closes a connection once it sees a second handshake completed, which happens shortly
         * after, not before, the renegotiation. Set the property when enabling TLS 1.2.
         */
        public Builder tlsProtocols(String... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("tlsProtocols must name at least one protocol");
            }
            for (String p : protocols) {
                if (!SUPPORTED_TLS_PROTOCOLS.contains(p)) {
                    throw new IllegalArgumentException("tlsProtocols: only TLSv1.3 and TLSv1.2 are allowed, not " + p);
                }
            }
            this.tlsProtocols = Arrays.copyOf(protocols, protocols.length);
            return this;
        }

        /**
         * How long a TLS handshake may take, in all, before the connection is closed: an absolute
         * deadline, so a client trickling its handshake a byte at a time is closed all the same;
         * default 10 s.
         */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /** The listen backlog; default 1024. */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** The transport. */
        public TcpTransport build() {
            return new TcpTransport(this);
        }
    }
}
