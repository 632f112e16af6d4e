package dev.parley.chat.jakarta;

import dev.parley.chat.jakarta.internal.ChatPageServlet;
import dev.parley.chat.jakarta.internal.Mount;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Transport;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that mounts Parley's WebSocket endpoint in the application's own Jakarta
 * WebSocket 2.1 container (Tomcat 10.1+, Jetty 12, Spring Boot's embedded servers), on the
 * application's port and path, instead of a port of its own. It behaves as the built-in
 * {@code WebSocketTransport}: one protocol line per text message, binary refused (1003), messages
 * over {@link Builder#maxMessageSize} refused (1009), invalid UTF-8 1007, protocol violations 1002,
 * the same origin rule, and the same chat page. The container does the framing.
 *
 * <pre>{@code
 * JakartaWebSocketTransport ws = JakartaWebSocketTransport.builder().path("/chat").build();
 * ws.register(servletContext);      // while the application deploys: endpoint + page at /
 * ChatServer server = ChatServer.builder().listen(ws).store(store).build().start();
 * }</pre>
 *
 * <p>Two steps, because containers take endpoints only while the application deploys, while a
 * server starts and stops when it likes: {@link #register} adds the endpoint once;
 * {@link #bind} (called by {@code ChatServer.start()}) starts handing its sessions to the server,
 * and closing the binding (in {@code ChatServer.close()}) stops that. A session that opens while no
 * server is bound is closed with 1013 (try again later).
 *
 * <p>Differences that come from the container: the HTTP answers to bad handshakes are the
 * container's own; a browser whose {@code Origin} is not allowed gets the upgrade and then close 1008
 * (policy violation) at once, never reaching the server (the standard API cannot answer 403 with the
 * Host in hand); the peer's address is the one the container tells ({@code Jetty} does, Tomcat does
 * not: there {@code maxConnectionsPerAddress} cannot apply). Reading is back-pressured: at most
 * {@link Builder#inboxMessages} messages wait per connection, then the container's thread waits.
 * Writing goes through the container's asynchronous send, one message at a time, so a peer that does
 * not read is held to the server's write timeout and outbound queue limit, and closed as a slow
 * consumer.
 *
 * <p>Threads: the container's threads deliver messages and open and close sessions; the server's
 * connection thread reads and its writer writes, as with every transport. Instances are safe to share.
 */
public final class JakartaWebSocketTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(JakartaWebSocketTransport.class);
    /** The servlet context attribute under which containers publish their {@code ServerContainer}. */
    public static final String SERVER_CONTAINER_ATTRIBUTE = "jakarta.websocket.server.ServerContainer";

    private final String path;
    private final boolean servePage;
    private final int maxMessageSize;
    private final Set<String> allowedOrigins;
    private final Mount mount;
    private final AtomicBoolean registered = new AtomicBoolean();

    private JakartaWebSocketTransport(Builder b) {
        this.path = b.path;
        this.servePage = b.servePage;
        this.maxMessageSize = b.maxMessageSize;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.mount = new Mount(name(), path, allowedOrigins, maxMessageSize, b.inboxMessages, b.idleTimeout.toMillis());
    }

    /** A builder with the defaults listed on each setting. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code ws}, as the built-in transport (the container decides whether it is also served as wss). */
    @Override
    public String name() {
        return "ws";
    }

    /** The endpoint's path within the application, e.g. {@code /chat}. */
    public String path() {
        return path;
    }

    /** Whether {@link #register(ServletContext)} also serves the chat page at the context root. */
    public boolean servesPage() {
        return servePage;
    }

    /** The largest incoming message, in bytes. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * The endpoint's configuration, for applications that register endpoints themselves
     * ({@code serverContainer.addEndpoint(transport.endpointConfig())}); {@link #register} does it for you.
     */
    public ServerEndpointConfig endpointConfig() {
        return mount.endpointConfig();
    }

    /**
     * Adds the endpoint to a container. Call it while the application deploys (a
     * {@code ServletContextListener}, a {@code ServletContainerInitializer}, Jetty's
     * {@code JakartaWebSocketServletContainerInitializer.configure} callback); once per transport.
     *
     * @throws DeploymentException if the container refuses it (path taken, deployment over)
     * @throws IllegalStateException if this transport was registered already
     */
    public void register(ServerContainer container) throws DeploymentException {
        Objects.requireNonNull(container, "container");
        if (!registered.compareAndSet(false, true)) {
            throw new IllegalStateException("already registered: " + this);
        }
        container.addEndpoint(mount.endpointConfig());
        log.info("ws endpoint registered at {}", path);
    }

    /**
     * Adds the endpoint to the servlet context's WebSocket container and, with
     * {@link Builder#servePage(boolean)}, the chat page at the context root (the servlet mapping
     * {@code ""}, which takes nothing from the application's other mappings).
     *
     * @throws IllegalStateException if the context has no WebSocket container, or already registered
     * @throws DeploymentException if the container refuses the endpoint
     */
    public void register(ServletContext context) throws DeploymentException {
        Object container = context.getAttribute(SERVER_CONTAINER_ATTRIBUTE);
        if (!(container instanceof ServerContainer sc)) {
            throw new IllegalStateException("the servlet context has no Jakarta WebSocket container (attribute "
                    + SERVER_CONTAINER_ATTRIBUTE + "); add the container's WebSocket support");
        }
        register(sc);
        if (servePage) {
            ServletRegistration.Dynamic page = context.addServlet("parley-chat-page", pageServlet(context.getContextPath()));
            if (page == null) {
                throw new IllegalStateException("a servlet named parley-chat-page is already registered");
            }
            page.addMapping("");
            log.info("chat page at {}/", context.getContextPath());
        }
    }

    /**
     * The chat page as a servlet, for applications that map it themselves; it connects to
     * {@code contextPath + path()}.
     */
    public HttpServlet pageServlet(String contextPath) {
        return new ChatPageServlet((contextPath == null ? "" : contextPath) + path);
    }

    /**
     * Starts handing the endpoint's new sessions to {@code acceptor} (what {@code ChatServer.start()}
     * calls). The endpoint must be registered, before or after.
     *
     * @throws IOException if another server is bound to this transport
     */
    @Override
    public Binding bind(Acceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        if (!mount.bind(acceptor)) {
            throw new IOException("another server is bound to " + this);
        }
        if (!registered.get()) {
            log.warn("{} is bound but not registered with a container yet: no session can reach it", this);
        }
        return new JakartaBinding(acceptor);
    }

    @Override
    public String toString() {
        return "JakartaWebSocketTransport[" + path + (servePage ? " page" : "") + ", maxMessageSize="
                + maxMessageSize + ", origins=" + (allowedOrigins.isEmpty() ? "same-origin" : allowedOrigins) + "]";
    }

    /** Where a Jakarta transport "listens": a path in the container, not a port of its own. */
    public static final class EndpointAddress extends SocketAddress {
        private static final long serialVersionUID = 1L;
        private final String path;

        EndpointAddress(String path) {
            this.path = path;
        }

        /** The endpoint's path. */
        public String path() {
            return path;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof EndpointAddress a && a.path.equals(path);
        }

        @Override
        public int hashCode() {
            return path.hashCode();
        }

        @Override
        public String toString() {
            return "jakarta-websocket:" + path;
        }
    }

    private final class JakartaBinding implements Binding {
        private final Acceptor acceptor;
        private final AtomicBoolean closed = new AtomicBoolean();

        JakartaBinding(Acceptor acceptor) {
            this.acceptor = acceptor;
        }

        @Override
        public SocketAddress localAddress() {
            return new EndpointAddress(path);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                mount.unbind(acceptor);
                log.info("ws endpoint {} no longer accepts", path);
            }
        }
    }

    /** Settings for a {@link JakartaWebSocketTransport}; validated when set. Not thread safe. */
    public static final class Builder {
        private String path = "/chat";
        private boolean servePage;
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private int maxMessageSize = 65536;
        private int inboxMessages = 16;
        private Duration idleTimeout = Duration.ofMinutes(5);

        private Builder() {
        }

        /**
         * The endpoint's path within the application. Default {@code /chat}. {@code /} followed by
         * 1..200 of letters, digits and {@code / - . _ ~}.
         */
        public Builder path(String path) {
            if (path == null || !path.matches("/[A-Za-z0-9._~/-]{1,200}")) {
                throw new IllegalArgumentException("path must be / followed by 1..200 of [A-Za-z0-9._~/-], was " + path);
            }
            this.path = path;
            return this;
        }

        /** Whether {@link #register(ServletContext)} serves the chat page at the context root. Default false. */
        public Builder servePage(boolean servePage) {
            this.servePage = servePage;
            return this;
        }

        /**
         * Origins browsers may connect from besides the same origin, as {@code scheme://host[:port]},
         * or {@code "*"} for any; replaces earlier calls. Default: same origin only. Requests without
         * {@code Origin} (non-browser clients) are always allowed. The built-in transport's rule.
         */
        public Builder allowedOrigins(Collection<String> origins) {
            Set<String> copy = new LinkedHashSet<>();
            for (String o : origins) {
                if (o == null || !(o.equals("*") || o.matches("[A-Za-z][A-Za-z0-9+.-]*://[^/\\s]+"))) {
                    throw new IllegalArgumentException("allowedOrigins entries must be scheme://host[:port] or *, was " + o);
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

        /** The largest message accepted from a client, in bytes; larger ones close with 1009. Default 65536; 256..16 MiB. */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 256 || bytes > 16 << 20) {
                throw new IllegalArgumentException("maxMessageSize must be 256..16777216, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Messages received and not yet read by the server, per connection, before the container's
         * delivering thread waits (back-pressure). Default 16; 1..1024.
         */
        public Builder inboxMessages(int messages) {
            if (messages < 1 || messages > 1024) {
                throw new IllegalArgumentException("inboxMessages must be 1..1024, was " + messages);
            }
            this.inboxMessages = messages;
            return this;
        }

        /**
         * The container's idle timeout for each session: one with no traffic at all for this long is
         * closed by the container. The server's own PING (every {@code pingInterval} of silence, 30 s
         * by default) keeps live connections busy, so this only reaps sessions the server already gave
         * up on, such as a peer that never takes its close frame. Must be well above the server's
         * {@code pingInterval + pingTimeout}. Default 5 minutes; at least 1 s.
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 1000) {
                throw new IllegalArgumentException("idleTimeout must be at least 1s, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** The transport. */
        public JakartaWebSocketTransport build() {
            return new JakartaWebSocketTransport(this);
        }
    }
}
