package dev.parley.chat.net;

import dev.parley.chat.net.internal.AddressCounts;
import dev.parley.chat.net.internal.Deadlines;
import dev.parley.chat.net.internal.WarnLimiter;
import dev.parley.chat.net.internal.WebSocketConnection;
import dev.parley.chat.net.internal.WsHandshake;
import dev.parley.chat.net.internal.WsHttp;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Transport.Acceptor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket of a {@link WebSocketTransport} and the handshakes in progress on it: the
 * accepting thread, the caps on pending handshakes, and each socket's handshake up to the hand-over
 * of the upgraded connection to the server.
 */
final class WebSocketBinding implements Binding {
    /** Logged under the transport's name, where users look for it. */
    private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);
    /** At most one WARN line per kind (refusals, accept failures) per binding in this time. */
    private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    /** The longest pause of the accepting thread after repeated accept failures. */
    private static final long MAX_ACCEPT_BACKOFF_MILLIS = 100;

    private final WebSocketTransport transport;
    private final String name;
    private final String path;
    private final boolean servePage;
    private final Duration handshakeTimeout;
    private final int maxPendingHandshakes;
    private final int maxPendingHandshakesPerAddress;
    private final WsHandshake.Settings handshakeSettings;
    private final int maxMessageSize;
    private final ServerSocket server;
    private final Acceptor acceptor;
    private final SocketAddress localAddress;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong ids = new AtomicLong();
    /** Sockets still in their handshake; closed with the binding. */
    private final Set<Socket> pending = ConcurrentHashMap.newKeySet();
    /** Sockets in their handshake per remote address. */
    private final AddressCounts perAddress;
    private final WarnLimiter refusalWarnings = new WarnLimiter(WARN_INTERVAL);
    private final WarnLimiter acceptWarnings = new WarnLimiter(WARN_INTERVAL);
    /** Serializes calls of the acceptor. */
    private final ReentrantLock acceptLock = new ReentrantLock();
    private volatile Thread acceptThread;

    WebSocketBinding(WebSocketTransport transport, ServerSocket server, Acceptor acceptor) {
        this.transport = transport;
        this.name = transport.name();
        this.path = transport.path();
        this.servePage = transport.servesPage();
        this.handshakeTimeout = transport.handshakeTimeout();
        this.maxPendingHandshakes = transport.maxPendingHandshakes();
        this.maxPendingHandshakesPerAddress = transport.maxPendingHandshakesPerAddress();
        this.handshakeSettings = transport.handshakeSettings();
        this.maxMessageSize = transport.maxMessageSize();
        this.perAddress = new AddressCounts(maxPendingHandshakesPerAddress);
        this.server = server;
        this.acceptor = acceptor;
        this.localAddress = server.getLocalSocketAddress();
    }

    void start() {
        acceptThread = Thread.ofPlatform()
                .name("parley-" + name + "-accept-" + server.getLocalPort())
                .daemon(true)
                .start(this::acceptLoop);
        log.info("{} listening on {}{}{}", name, localAddress, path, servePage ? " (chat page at /)" : "");
        log.debug("{}", transport);
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
                log.warn("{} accept failed on {} ({} more since the last report), still accepting", name,
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
        String id = name + "-" + ids.incrementAndGet();
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
            Connection connection = new WebSocketConnection(id, name, socket, in, maxMessageSize);
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
        log.info("{} listener on {} closed", name, localAddress);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close failed: {}", e.toString());
        }
    }
}
