package dev.parley.chat.examples;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.net.WebSocketTransport;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.server.ServerListener;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example chat server.
 *
 * <pre>
 * ServerMain [--port PORT] [--web-port PORT | --no-web] [--host HOST]
 *            [--data DIR | --memory | --jdbc-url URL [--jdbc-user U] [--jdbc-password P] [--node ID]]
 * </pre>
 *
 * Messages are kept in an H2 database file under {@code ./parley-data} unless told otherwise. Prints
 * {@code listening on HOST:PORT} once ready, then {@code page at http://HOST:PORT/} for the browser
 * chat page (WebSocket on the same port); logs who joins and leaves. Ctrl-C stops it gracefully
 * (clients are told {@code BYE reason=shutdown} and reconnect when it is back). With {@code --node ID}
 * and a PostgreSQL {@code --jdbc-url}, it is one node of a cluster: every server started on the same
 * database (and schema) serves the same chat ({@link ClusterNode}).
 */
public final class ServerMain {
    private static final Logger log = LoggerFactory.getLogger(ServerMain.class);

    static final String USAGE = """
            Usage: ServerMain [options]

              --port PORT           the TCP port (default 7878; 0 picks a free one)
              --web-port PORT       the browser chat page and WebSocket port
                                    (default: the TCP port + 1, so 7879; 0 with --port 0)
              --no-web              no browser page and no WebSocket port
              --host HOST           the address to listen on (default: all interfaces)
              --data DIR            keep messages in an H2 database in DIR (default ./parley-data)
              --memory              keep messages in memory only (lost when the server stops)
              --jdbc-url URL        keep messages in PostgreSQL or MariaDB, e.g.
                                    jdbc:postgresql://localhost/chat or jdbc:mariadb://localhost/chat
              --jdbc-user USER      the database user
              --jdbc-password PASS  the database password (or set PARLEY_JDBC_PASSWORD)
              --node ID             be node ID of a cluster: every server started with --node
                                    on the same PostgreSQL --jdbc-url is part of one chat
              --help                this text
            """;

    private ServerMain() {
    }

    /** Starts the server and runs until the process is stopped (Ctrl-C). */
    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.print(USAGE);
            return;
        }
        Running running;
        try {
            running = start(o, System.out);
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

    /** A started server and its store (and cluster node, with --node); closing stops them. */
    record Running(ChatServer server, MessageStore store, ClusterNode node) implements AutoCloseable {
        Running(ChatServer server, MessageStore store) {
            this(server, store, null);
        }

        @Override
        public void close() {
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
     * the page's port was not chosen (the TCP port + 1) and something else holds it, the server starts
     * without the page and says so, rather than not at all.
     */
    static Running start(Options o, PrintStream out) {
        ClusterNode node = o.node == null ? null : ClusterNode.open(o.node, o.jdbcUrl, o.jdbcUser, o.jdbcPassword);
        MessageStore store = node != null ? node.cluster().store() : openStore(o);
        ChatServer server;
        boolean web = !o.noWeb;
        try {
            try {
                server = build(o, store, web, node).start();
            } catch (java.io.UncheckedIOException e) {
                if (!web || o.webPort != null || !(e.getCause() instanceof java.net.BindException)) {
                    throw e;
                }
                web = false;
                server = build(o, store, false, node).start(); // fails again if the TCP port was the one taken
            }
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            } else {
                store.close();
            }
            throw e;
        }
        out.println("listening on " + hostOf(server.addresses().get(0)) + ":" + server.port());
        if (!web && !o.noWeb) {
            out.println("port " + o.webPort() + " is taken: no browser page (choose one with --web-port PORT)");
        }
        if (web) {
            InetSocketAddress page = (InetSocketAddress) server.addresses().get(1);
            String host = hostOf(page);
            out.println("page at http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + page.getPort() + "/");
        }
        if (node != null) {
            out.println("cluster node " + node.cluster().nodeName() + " (PostgreSQL " + o.jdbcUrl + ")");
        }
        out.flush();
        return new Running(server, store, node);
    }

    private static ChatServer build(Options o, MessageStore store, boolean web, ClusterNode node) {
        TcpTransport.Builder tcp = TcpTransport.builder().port(o.port);
        if (o.host != null) {
            tcp.host(o.host);
        }
        ChatServer.Builder builder = ChatServer.builder().listen(tcp.build());
        if (web) {
            WebSocketTransport.Builder page = WebSocketTransport.builder().port(o.webPort()).servePage(true);
            if (o.host != null) {
                page.host(o.host);
            }
            builder.listen(page.build());
        }
        if (node != null) {
            builder.cluster(node.cluster());
        }
        return builder.store(store).listener(new PresenceLog()).build();
    }

    /** How to show the listening address: 0.0.0.0 for all interfaces, [v6] for IPv6. */
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

    static MessageStore openStore(Options o) {
        if (o.memory) {
            log.info("store: in memory (messages are lost when the server stops)");
            return InMemoryMessageStore.create();
        }
        DataSource ds;
        if (o.jdbcUrl != null) {
            ds = dataSource(o.jdbcUrl, o.jdbcUser, o.jdbcPassword);
            log.info("store: {}", o.jdbcUrl);
        } else {
            Path dir = o.dataDir.toAbsolutePath().normalize();
            JdbcDataSource h2 = new JdbcDataSource();
            // DB_CLOSE_DELAY=-1: keep the database open between connections (there is no pool).
            // TRACE_LEVEL_FILE=0: no parley.trace.db full of the store's expected "table not found" probes.
            h2.setURL("jdbc:h2:file:" + dir.resolve("parley") + ";DB_CLOSE_DELAY=-1;TRACE_LEVEL_FILE=0");
            ds = h2;
            log.info("store: H2 database in {}", dir);
        }
        return JdbcMessageStore.builder(ds).build();
    }

    /** A data source from the database's own driver: no pool needed for an example. */
    static DataSource dataSource(String url, String user, String password) {
        try {
            if (url.startsWith("jdbc:postgresql:")) {
                PGSimpleDataSource pg = new PGSimpleDataSource();
                pg.setURL(url);
                if (user != null) {
                    pg.setUser(user);
                }
                if (password != null) {
                    pg.setPassword(password);
                }
                return pg;
            }
            if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
                MariaDbDataSource maria = new MariaDbDataSource(url.replaceFirst("^jdbc:mysql:", "jdbc:mariadb:"));
                if (user != null) {
                    maria.setUser(user);
                }
                if (password != null) {
                    maria.setPassword(password);
                }
                return maria;
            }
            if (url.startsWith("jdbc:h2:")) {
                JdbcDataSource h2 = new JdbcDataSource();
                h2.setURL(url);
                h2.setUser(user == null ? "" : user);
                h2.setPassword(password == null ? "" : password);
                return h2;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalArgumentException("--jdbc-url " + url + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("--jdbc-url must start with jdbc:postgresql:, jdbc:mariadb: or jdbc:h2:, was " + url);
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

    /** The command line. */
    static final class Options {
        int port = 7878;
        /** {@code null}: the TCP port + 1, or 0 when the TCP port is 0. */
        Integer webPort;
        boolean noWeb;
        String host;
        Path dataDir = Path.of("parley-data");
        boolean memory;
        String jdbcUrl;
        String jdbcUser;
        String jdbcPassword = System.getenv("PARLEY_JDBC_PASSWORD");
        String node;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            boolean data = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help", "-h" -> o.help = true;
                    case "--port" -> o.port = port(ClientMain.Options.value(args, ++i, a));
                    case "--web-port" -> o.webPort = port(ClientMain.Options.value(args, ++i, a));
                    case "--no-web" -> o.noWeb = true;
                    case "--host" -> o.host = ClientMain.Options.value(args, ++i, a);
                    case "--data" -> {
                        o.dataDir = Path.of(ClientMain.Options.value(args, ++i, a));
                        data = true;
                    }
                    case "--memory" -> o.memory = true;
                    case "--jdbc-url" -> o.jdbcUrl = ClientMain.Options.value(args, ++i, a);
                    case "--jdbc-user" -> o.jdbcUser = ClientMain.Options.value(args, ++i, a);
                    case "--jdbc-password" -> o.jdbcPassword = ClientMain.Options.value(args, ++i, a);
                    case "--node" -> o.node = ClientMain.Options.value(args, ++i, a);
                    default -> throw new IllegalArgumentException("Unknown option: " + a);
                }
            }
            int stores = (data ? 1 : 0) + (o.memory ? 1 : 0) + (o.jdbcUrl != null ? 1 : 0);
            if (stores > 1) {
                throw new IllegalArgumentException("Choose one of --data, --memory and --jdbc-url");
            }
            if (o.node != null && (o.jdbcUrl == null || !o.jdbcUrl.startsWith("jdbc:postgresql:"))) {
                throw new IllegalArgumentException("--node needs --jdbc-url jdbc:postgresql://...: clustering needs PostgreSQL");
            }
            if (o.noWeb && o.webPort != null) {
                throw new IllegalArgumentException("Choose --web-port or --no-web");
            }
            if (!o.noWeb && o.webPort == null && o.port == 65535) {
                throw new IllegalArgumentException("--port 65535 needs --web-port PORT or --no-web");
            }
            return o;
        }

        /** The WebSocket port: --web-port, else the TCP port + 1, or 0 when the TCP port is 0. */
        int webPort() {
            if (webPort != null) {
                return webPort;
            }
            return port == 0 ? 0 : port + 1;
        }

        static int port(String s) {
            try {
                int p = Integer.parseInt(s);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--port must be a number from 0 to 65535, was " + s);
        }
    }
}
