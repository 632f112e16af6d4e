package dev.parley.chat.jakarta.internal;

import dev.parley.chat.transport.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parley's endpoint as registered with a container: the endpoint configuration (origin check in the
 * handshake, one {@link ParleyEndpoint} per connection) and the acceptor of the server currently
 * bound, which each opened session is handed to.
 */
public final class Mount {
    private static final Logger log = LoggerFactory.getLogger(Mount.class);
    /** Where Jetty (and containers that follow it) put the peer's address in the session's user properties. */
    static final String REMOTE_ADDRESS_PROPERTY = "jakarta.websocket.endpoint.remoteAddress";
    /** User property set by the handshake when the Origin is not allowed: the session is closed on open. */
    static final String REFUSED_ORIGIN = "dev.parley.chat.jakarta.refusedOrigin";
    /** Stands for a peer whose address the container does not tell (Tomcat). */
    static final SocketAddress UNKNOWN_PEER = InetSocketAddress.createUnresolved("unknown-peer", 0);

    private final String transportName;
    private final String path;
    private final Set<String> allowedOrigins;
    private final int maxMessageSize;
    private final int inboxMessages;
    private final long idleTimeoutMillis;
    private final AtomicReference<Transport.Acceptor> acceptor = new AtomicReference<>();
    /** Serializes calls of the acceptor, as a transport's single accepting thread would. */
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong();

    public Mount(String transportName, String path, Set<String> allowedOrigins, int maxMessageSize, int inboxMessages,
            long idleTimeoutMillis) {
        this.transportName = transportName;
        this.path = path;
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.maxMessageSize = maxMessageSize;
        this.inboxMessages = inboxMessages;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /** The configuration to register with a {@code ServerContainer}. */
    public ServerEndpointConfig endpointConfig() {
        return ServerEndpointConfig.Builder.create(ParleyEndpoint.class, path)
                .configurator(new Configurator())
                .build();
    }

    /** Starts handing sessions to {@code a}; false if another acceptor is bound. */
    public boolean bind(Transport.Acceptor a) {
        return acceptor.compareAndSet(null, a);
    }

    /** Stops handing sessions to {@code a} (new ones are closed with 1013); already accepted ones stay. */
    public void unbind(Transport.Acceptor a) {
        acceptLock.lock();
        try {
            acceptor.compareAndSet(a, null);
        } finally {
            acceptLock.unlock();
        }
    }

    /** Whether a server is bound. */
    public boolean bound() {
        return acceptor.get() != null;
    }

    /** Opens a session: checks, limits, handlers, then hands it to the server. Null if it was closed instead. */
    JakartaConnection open(Session session, EndpointConfig config) {
        String id = transportName + "-j" + ids.incrementAndGet();
        Object refused = config.getUserProperties().get(REFUSED_ORIGIN);
        if (refused != null) {
            log.debug("{} origin {} not allowed, closing with 1008", id, refused);
            closeQuietly(session, CloseReason.CloseCodes.VIOLATED_POLICY, "origin not allowed");
            return null;
        }
        session.setMaxTextMessageBufferSize(maxMessageSize);
        session.setMaxBinaryMessageBufferSize(maxMessageSize);
        // Keepalive is the protocol's PING/PONG under the server's own timeouts; the container's idle
        // timeout only reaps sessions the server has given up on (a close frame a dead peer never takes).
        session.setMaxIdleTimeout(idleTimeoutMillis);
        Object address = config.getUserProperties().get(REMOTE_ADDRESS_PROPERTY);
        SocketAddress remote = address instanceof SocketAddress sa ? sa : UNKNOWN_PEER;
        JakartaConnection connection = new JakartaConnection(id, transportName, session, remote, inboxMessages);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) connection::onText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> connection.onBinary());
        acceptLock.lock();
        try {
            Transport.Acceptor a = acceptor.get();
            if (a == null) {
                log.debug("{} no server is bound, closing with 1013", id);
                closeQuietly(session, CloseReason.CloseCodes.TRY_AGAIN_LATER, "chat server not running");
                return null;
            }
            log.debug("{} opened from {}", id, remote);
            a.accept(connection);
        } finally {
            acceptLock.unlock();
        }
        return connection;
    }

    private static void closeQuietly(Session session, CloseReason.CloseCode code, String reason) {
        try {
            session.close(new CloseReason(code, reason));
        } catch (IOException | RuntimeException e) {
            log.debug("close failed: {}", e.toString());
        }
    }

    /**
     * Whether a browser's Origin may connect: its host and port are the request's Host (same origin,
     * so the served page always works), or it is listed (compared case-insensitively), or {@code *}
     * is listed. The same rule as the built-in transport's.
     */
    static boolean originAllowed(String origin, String host, Set<String> allowed) {
        String o = origin.toLowerCase(Locale.ROOT);
        int sep = o.indexOf("://");
        if (host != null && sep > 0 && o.substring(sep + 3).equals(host.toLowerCase(Locale.ROOT))) {
            return true;
        }
        return allowed.contains("*") || allowed.contains(o);
    }

    private static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** Decides the origin in the handshake (where the Host header is known) and makes the endpoints. */
    private final class Configurator extends ServerEndpointConfig.Configurator {
        @Override
        public boolean checkOrigin(String originHeaderValue) {
            return true; // decided in modifyHandshake, which also sees the Host
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            String origin = header(request.getHeaders(), "Origin");
            if (origin != null && !originAllowed(origin, header(request.getHeaders(), "Host"), allowedOrigins)) {
                sec.getUserProperties().put(REFUSED_ORIGIN, origin);
            }
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(new ParleyEndpoint(Mount.this));
        }
    }

    /** One per connection: forwards the container's events to its {@link JakartaConnection}. */
    public static final class ParleyEndpoint extends Endpoint {
        private final Mount mount;
        private volatile JakartaConnection connection;

        ParleyEndpoint(Mount mount) {
            this.mount = mount;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            connection = mount.open(session, config);
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            JakartaConnection c = connection;
            if (c != null) {
                c.onClose(closeReason);
            }
        }

        @Override
        public void onError(Session session, Throwable thr) {
            JakartaConnection c = connection;
            if (c != null) {
                c.onError(thr);
            }
        }
    }
}
