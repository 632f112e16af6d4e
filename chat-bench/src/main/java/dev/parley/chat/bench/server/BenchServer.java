package dev.parley.chat.bench.server;

import dev.parley.chat.cluster.PostgresCluster;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.jdbc.JdbcDialect;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The Parley server the suite measures: a {@link ChatServer} on TCP 127.0.0.1 (ephemeral port) with
 * limits opened up for load (rate limit far above what the generator sends, 20,000 connections, no
 * per-address cap below that); everything else is the server's defaults. Run by {@link ParleyProcess}
 * in its own JVM.
 *
 * <p>Arguments: {@code store=memory|h2|postgresql} (default memory), {@code group-commit=true|false}
 * (JDBC), {@code data=DIR} (the H2 file goes there; default bench-results/data),
 * {@code pg-url=JDBC_URL} (default jdbc:postgresql://127.0.0.1:5432/test, user postgres),
 * {@code preload=ROOM:N} (stores N messages in ROOM through the store API before listening),
 * {@code cluster=NODE} (with {@code store=postgresql}: be node NODE of a {@link PostgresCluster} on
 * {@code pg-url}, whose tables the suite prepares: nothing is dropped), {@code lease=MILLIS} (the
 * cluster lease), {@code retention=N} (with {@code store=memory}: keep the newest N messages per
 * conversation, {@link InMemoryMessageStore#withRetention}; default: every message).
 *
 * <p>Talks to its parent on stdin/stdout: prints {@code READY port=N} once listening; answers a line
 * {@code gc} with {@code HEAP used=BYTES} after a full GC; stops on {@code stop} or end of input.
 */
public final class BenchServer {
    /** Tables of the JDBC store in PostgreSQL: dropped and recreated at every start. */
    static final String PG_PREFIX = "pbench_";

    private BenchServer() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        String storeKind = args.getOrDefault("store", "memory");
        boolean groupCommit = Boolean.parseBoolean(args.getOrDefault("group-commit", "true"));
        Path data = Path.of(args.getOrDefault("data", "bench-results/data"));
        List<AutoCloseable> resources = new ArrayList<>();
        SimplePool pool = null;
        PGSimpleDataSource pgForCleanup = null;
        PostgresCluster cluster = null;
        String node = args.get("cluster");
        if (node != null && !storeKind.equals("postgresql")) {
            throw new IllegalArgumentException("cluster= needs store=postgresql");
        }
        MessageStore store = switch (storeKind) {
            case "memory" -> args.containsKey("retention")
                    ? InMemoryMessageStore.withRetention(Integer.parseInt(args.get("retention")))
                    : InMemoryMessageStore.create();
            case "h2" -> {
                Files.createDirectories(data);
                Path file = data.resolve("parley-bench");
                Files.deleteIfExists(Path.of(file + ".mv.db"));
                Files.deleteIfExists(Path.of(file + ".trace.db"));
                JdbcDataSource h2 = new JdbcDataSource();
                h2.setURL("jdbc:h2:file:" + file.toAbsolutePath());
                pool = new SimplePool(h2, 16);
                resources.add(pool);
                yield JdbcMessageStore.builder(pool).groupCommit(groupCommit).build();
            }
            case "postgresql" -> {
                PGSimpleDataSource pg = new PGSimpleDataSource();
                pg.setURL(args.getOrDefault("pg-url", "jdbc:postgresql://127.0.0.1:5432/test"));
                pg.setUser(args.getOrDefault("pg-user", "postgres"));
                if (node != null) {
                    pool = new SimplePool(pg, 12);
                    resources.add(pool);
                    PostgresCluster.Builder b = PostgresCluster.builder(pool).nodeName(node)
                            .store(sb -> sb.groupCommit(groupCommit));
                    if (args.containsKey("lease")) {
                        b.lease(java.time.Duration.ofMillis(Long.parseLong(args.get("lease"))));
                    }
                    cluster = b.build();
                    yield cluster.store();
                }
                dropTables(pg);
                pgForCleanup = pg;
                pool = new SimplePool(pg, 16);
                resources.add(pool);
                yield JdbcMessageStore.builder(pool).tablePrefix(PG_PREFIX).groupCommit(groupCommit).build();
            }
            default -> throw new IllegalArgumentException("store must be memory, h2 or postgresql, was " + storeKind);
        };
        resources.add(0, store);

        String preload = args.get("preload");
        if (preload != null) {
            int colon = preload.indexOf(':');
            String room = preload.substring(0, colon);
            int count = Integer.parseInt(preload.substring(colon + 1));
            if (store instanceof JdbcMessageStore jdbc) {
                preloadSql(pool, jdbc, room, count);
            } else {
                preload(store, room, count);
            }
        }

        ChatServer.Builder builder = ChatServer.builder()
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).backlog(4096).build())
                .store(store)
                .maxConnections(20_000)
                .maxConnectionsPerAddress(20_000)
                .rateLimit(1_000_000, 1_000_000)
                // every generator client comes from 127.0.0.1: the rooms scenarios make 500 rooms at once
                .newRoomLimit(1_000_000, 1_000_000);
        if (cluster != null) {
            builder.cluster(cluster);
            resources.set(0, cluster); // closes the store too
        }
        ChatServer server = builder.build().start();
        System.out.println("READY port=" + server.port());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("stop")) {
            if (line.equals("gc")) {
                System.gc();
                System.gc();
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.println("HEAP used=" + used);
                System.out.flush();
            }
        }
        server.close();
        for (AutoCloseable r : resources) {
            r.close();
        }
        if (pgForCleanup != null) {
            dropTables(pgForCleanup); // leave the shared test database as we found it
        }
    }

    /** Stores {@code count} messages of ~100 bytes in {@code room}, in batches, through the store API. */
    static void preload(MessageStore store, String room, int count) {
        String key = Conversations.room(room);
        String filler = "history-".repeat(12).substring(0, 92);
        Instant now = Instant.now();
        int batch = 2000;
        long start = System.nanoTime();
        for (int done = 0; done < count; done += batch) {
            int n = Math.min(batch, count - done);
            List<NewMessage> messages = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                messages.add(new NewMessage(key, "seed", String.format("%08d", done + i) + filler, now, null));
            }
            store.append(messages);
        }
        System.err.printf("preloaded %d messages into %s in %.1f s%n", count, key, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Bulk-loads {@code count} messages into {@code room} with one INSERT ... SELECT in the store's own
     * tables (the shipped schema: message and conversation head), before the store has written anything
     * for that room. Much faster than appending a million messages through the group-commit writer.
     */
    static void preloadSql(DataSource dataSource, JdbcMessageStore store, String room, int count) throws SQLException {
        String key = Conversations.room(room);
        String filler = "history-".repeat(12).substring(0, 92);
        String prefix = store.tablePrefix();
        long start = System.nanoTime();
        String rows = switch (store.dialect()) {
            case H2 -> "SELECT ?, X, 'seed', NULL, CONCAT(LPAD(CAST(X AS VARCHAR), 8, '0'), ?), ? FROM SYSTEM_RANGE(?, ?)";
            case POSTGRESQL -> "SELECT ?, g, 'seed', NULL, lpad(g::text, 8, '0') || ?, ? FROM generate_series(?, ?) AS g";
            default -> throw new IllegalArgumentException("no bulk load for " + store.dialect());
        };
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // Chunks of 50,000 rows per transaction: H2 slows down badly with one huge transaction.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + prefix
                    + "message (conversation, seq, sender, client_id, body, created_ms) " + rows)) {
                long now = System.currentTimeMillis();
                for (long from = 1; from <= count; from += 50_000) {
                    ps.setString(1, key);
                    ps.setString(2, filler);
                    ps.setLong(3, now);
                    ps.setLong(4, from);
                    ps.setLong(5, Math.min(count, from + 49_999));
                    ps.executeUpdate();
                    c.commit();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + prefix + "conversation (conversation, head) VALUES (?, ?)")) {
                ps.setString(1, key);
                ps.setLong(2, count);
                ps.executeUpdate();
            }
            c.commit();
            if (store.dialect() == JdbcDialect.POSTGRESQL) {
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute("ANALYZE " + prefix + "message");
                }
            }
        }
        if (store.head(key) != count) {
            throw new IllegalStateException("bulk load: head of " + key + " is " + store.head(key) + ", not " + count);
        }
        System.err.printf("bulk-loaded %d messages into %s (SQL) in %.1f s%n", count, key, (System.nanoTime() - start) / 1e9);
    }

    private static void dropTables(PGSimpleDataSource pg) throws SQLException {
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            for (String t : List.of("message", "conversation", "schema_version")) {
                s.execute("DROP TABLE IF EXISTS " + PG_PREFIX + t + " CASCADE");
            }
        }
    }
}
