package dev.parley.chat.app;

import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.ServerListener;
import dev.parley.chat.store.MessageStore;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Parley server as a program: {@code java -jar parley-server.jar [options]} or {@code bin/parley}.
 * The options are in {@link ServerOptions}; {@code --help} lists them. {@code parley hash-password
 * [NAME]} makes a line of the {@code --users} file instead ({@link HashPassword}).
 *
 * <p>Prints {@code listening on HOST:PORT} once the TCP port accepts, then {@code page at URL} for the
 * browser page (WebSocket and {@code /healthz} on the same port), and logs who joins and leaves.
 * Ctrl-C or SIGTERM stops it gracefully: it stops accepting, {@code /healthz} answers 503, clients
 * are told {@code BYE reason=shutdown}, queued messages drain, the store is closed. With {@code --node}
 * it is one node of a cluster on the PostgreSQL {@code --jdbc-url} ({@link ClusterNode}). Exit status: 0 for
 * help and version, 1 if the server cannot start, 2 for a mistake in the options, 130/143 after
 * Ctrl-C/SIGTERM (the JVM's usual).
 */
public final class ServerMain {
    private static final Logger log = LoggerFactory.getLogger(ServerMain.class);

    private ServerMain() {
    }

    /** Starts the server and runs until the process is stopped. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals(HashPassword.COMMAND)) {
            System.exit(HashPassword.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.console(),
                    System.in, System.out, System.err));
            return;
        }
        ServerOptions options;
        switch (ServerOptions.parse(args, System.getenv())) {
            case ServerOptions.Exit exit -> {
                (exit.status() == 0 ? System.out : System.err).print(exit.text());
                System.out.flush();
                System.exit(exit.status());
                return;
            }
            case ServerOptions.Run run -> options = run.options();
        }
        Running running;
        try {
            running = start(options, System.out);
        } catch (RuntimeException e) {
            System.err.println("Cannot start the server: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "parley-server-stop"));
        stopped.await();
    }

    /** Parses {@code args} (no environment) and starts: for tests and programs that host a server. */
    public static Running start(String[] args, PrintStream out) {
        return switch (ServerOptions.parse(args, Map.of())) {
            case ServerOptions.Exit exit -> throw new IllegalArgumentException(exit.text().strip());
            case ServerOptions.Run run -> start(run.options(), out);
        };
    }

    /** A started server and its store (and cluster node); closing stops them, the server first. */
    public static final class Running implements AutoCloseable {
        private final ChatServer server;
        private final MessageStore store;
        private final ClusterNode node;
        private volatile boolean closing;

        private Running(ChatServer server, MessageStore store, ClusterNode node) {
            this.server = server;
            this.store = store;
            this.node = node;
        }

        /** The server. */
        public ChatServer server() {
            return server;
        }

        /** Whether /healthz says ok: running and not stopping. */
        boolean healthy() {
            return !closing && server.isRunning();
        }

        @Override
        public void close() {
            closing = true;
            server.close();
            if (node != null) {
                node.close(); // leaves the cluster, closes the store
            } else {
                store.close();
            }
            log.info("stopped");
        }
    }

    /**
     * Opens the store, starts the server, prints {@code listening on HOST:PORT} to {@code out}. When
     * the web port was not chosen (the TCP port + 1) and something else holds it, the server starts
     * without it and says so, rather than not at all.
     */
    static Running start(ServerOptions o, PrintStream out) {
        NetworkOptions net = o.network;
        SSLContext tls = net.tls();
        ClusterNode node = o.cluster.open(o.store);
        MessageStore store = node != null ? node.cluster().store() : o.store.open();
        Running running;
        boolean web = !net.noWeb;
        try {
            try {
                running = start(o, store, tls, web, node);
            } catch (UncheckedIOException e) {
                if (!web || net.webPort != null || !(e.getCause() instanceof BindException)) {
                    throw e;
                }
                web = false;
                running = start(o, store, tls, false, node); // fails again if the TCP port was the one taken
            }
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            } else {
                store.close();
            }
            throw e;
        }
        ChatServer server = running.server;
        out.println("listening on " + hostOf(server.addresses().get(0)) + ":" + server.port() + (tls != null ? " (TLS)" : ""));
        if (!web && !net.noWeb) {
            out.println("port " + net.webPort() + " is taken: no browser page (choose one with --web-port PORT)");
        }
        if (web) {
            InetSocketAddress page = (InetSocketAddress) server.addresses().get(1);
            String host = hostOf(page);
            out.println("page at " + (tls != null ? "https" : "http") + "://" + (host.equals("0.0.0.0") ? "localhost" : host)
                    + ":" + page.getPort() + "/");
        }
        if (node != null) {
            out.println("cluster node " + node.cluster().nodeName() + " (PostgreSQL " + o.store.jdbcUrl + ")");
        }
        out.flush();
        return running;
    }

    private static Running start(ServerOptions o, MessageStore store, SSLContext tls, boolean web, ClusterNode node) {
        // /healthz asks the Running, which exists once start() has returned: until then, not ok.
        java.util.concurrent.atomic.AtomicReference<Running> running = new java.util.concurrent.atomic.AtomicReference<>();
        ChatServer.Builder builder = ChatServer.builder().listen(o.network.tcp(tls));
        if (web) {
            builder.listen(o.network.web(tls, () -> running.get() != null && running.get().healthy()));
        }
        o.limits.applyTo(builder);
        o.access.applyTo(builder);
        o.identity.applyTo(builder, o.store);
        if (node != null) {
            builder.cluster(node.cluster());
        }
        ChatServer server = builder.store(store).listener(new PresenceLog()).build().start();
        running.set(new Running(server, store, node));
        return running.get();
    }

    /** How to show a listening address: 0.0.0.0 for all interfaces, [v6] for IPv6. */
    private static String hostOf(SocketAddress address) {
        if (!(address instanceof InetSocketAddress isa)) {
            return String.valueOf(address);
        }
        if (isa.getAddress() != null && isa.getAddress().isAnyLocalAddress()) {
            return "0.0.0.0";
        }
        String host = isa.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Logs who comes and goes (names escaped: they are typed by users). */
    private static final class PresenceLog implements ServerListener {
        @Override
        public void joined(String room, String name) {
            log.info("{} joined {}", Escaping.forLog(name, 64), room);
        }

        @Override
        public void left(String room, String name, String reason) {
            log.info("{} left {} ({})", Escaping.forLog(name, 64), room, reason);
        }
    }
}
