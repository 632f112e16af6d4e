package dev.parley.chat.bench.store;

import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Group commit against one commit per message, on an H2 file database and on PostgreSQL.
 *
 * <p>{@code senders} virtual threads each append one message per call (as the server does for each
 * {@code SEND}), round-robin over 8 rooms, for {@code seconds} after a warm-up; every call waits for its
 * commit. Reported per mode: messages/s, call latency p50/p99/max, transactions and messages per
 * transaction. Modes: {@code off} ({@code groupCommit(false)}: one transaction per call),
 * {@code group-nowait} (maxWait 0: commit whatever is queued), the default (up to 512 per batch, wait up
 * to 1 ms for the previous batch's callers) and {@code group-wait5ms}.
 *
 * <p>Run: {@code mvn -q -B -pl chat-bench -am -DskipTests -Dexec.skip package exec:exec@store-bench
 * -Dstore.bench.args="db=all senders=32 seconds=10"}. Arguments: {@code db=h2|postgres|all},
 * {@code senders=32}, {@code seconds=10}, {@code warmup=2}, {@code pg=127.0.0.1:5432/test}, {@code user=postgres}.
 */
public final class GroupCommitBench {
    private static final Instant TIME = Instant.parse("2026-11-23T10:00:00Z");
    private static final String TEXT = "x".repeat(100);

    private GroupCommitBench() {
    }

    /** One measured run. */
    private record Result(String db, String mode, long messages, double seconds, long p50, long p99, long max,
            String store) {
    }

    public static void main(String[] args) throws Exception {
        String db = arg(args, "db", "all");
        int senders = Integer.parseInt(arg(args, "senders", "32"));
        int seconds = Integer.parseInt(arg(args, "seconds", "10"));
        int warmup = Integer.parseInt(arg(args, "warmup", "2"));
        String pg = arg(args, "pg", "127.0.0.1:5432/test");
        String user = arg(args, "user", "postgres");

        System.out.printf(Locale.ROOT, "GroupCommitBench: %d senders, %d s measured after %d s warm-up, %d cores, %s%n",
                senders, seconds, warmup, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<Result> results = new ArrayList<>();
        if (db.equals("h2") || db.equals("all")) {
            Path dir = Path.of("target", "store-bench");
            Files.createDirectories(dir);
            Path file = dir.resolve("h2-" + System.nanoTime());
            JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + file.toAbsolutePath(), "sa", "");
            try {
                results.addAll(runModes("h2-file", pool, senders, seconds, warmup));
            } finally {
                pool.dispose();
            }
        }
        if (db.equals("postgres") || db.equals("all")) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl("jdbc:postgresql://" + pg);
            ds.setUser(user);
            results.addAll(runModes("postgresql", ds, senders, seconds, warmup));
        }
        System.out.println();
        System.out.println("| database | mode | messages/s | p50 ms | p99 ms | max ms | messages per transaction |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            String perTx = r.store.replaceAll(".*messagesPerTransaction=([0-9.]+).*", "$1");
            System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.1f | %s |%n", r.db, r.mode,
                    r.messages / r.seconds, r.p50 / 1e6, r.p99 / 1e6, r.max / 1e6, perTx);
        }
    }

    private static List<Result> runModes(String db, DataSource ds, int senders, int seconds, int warmup) throws Exception {
        List<Result> results = new ArrayList<>();
        results.add(run(db, "off", ds, b -> b.groupCommit(false), senders, seconds, warmup));
        results.add(run(db, "group-nowait", ds, b -> b.groupCommit(512, Duration.ZERO), senders, seconds, warmup));
        results.add(run(db, "group (default: 512, 1 ms)", ds, b -> b, senders, seconds, warmup));
        results.add(run(db, "group-wait5ms", ds, b -> b.groupCommit(512, Duration.ofMillis(5)), senders, seconds, warmup));
        return results;
    }

    private interface Tuning {
        JdbcMessageStore.Builder apply(JdbcMessageStore.Builder b);
    }

    private static Result run(String db, String mode, DataSource ds, Tuning tuning, int senders, int seconds, int warmup)
            throws Exception {
        String prefix = "bench" + (System.nanoTime() % 1_000_000) + "_";
        try (JdbcMessageStore store = tuning.apply(JdbcMessageStore.builder(ds).tablePrefix(prefix)).build()) {
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<long[]>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int s = 0; s < senders; s++) {
                    String sender = "s" + s;
                    String room = "#room" + (s % 8);
                    futures.add(pool.submit(() -> {
                        start.await();
                        long[] latencies = new long[1 << 16];
                        int n = 0;
                        while (true) {
                            long t0 = System.nanoTime();
                            if (t0 >= end) {
                                break;
                            }
                            store.append(List.of(new NewMessage(room, sender, TEXT, TIME, null)));
                            long t1 = System.nanoTime();
                            if (t0 >= warmEnd) {
                                if (n == latencies.length) {
                                    latencies = Arrays.copyOf(latencies, n * 2);
                                }
                                latencies[n++] = t1 - t0;
                            }
                        }
                        return Arrays.copyOf(latencies, n);
                    }));
                }
                start.countDown();
                List<long[]> all = new ArrayList<>();
                for (Future<long[]> f : futures) {
                    all.add(f.get());
                }
                long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                Result r = new Result(db, mode, merged.length, seconds,
                        merged.length == 0 ? 0 : merged[merged.length / 2],
                        merged.length == 0 ? 0 : merged[(int) Math.min(merged.length - 1, merged.length * 0.99)],
                        merged.length == 0 ? 0 : merged[merged.length - 1], store.toString());
                System.out.printf(Locale.ROOT, "%s %s: %.0f messages/s (%d in %d s) %s%n", db, mode,
                        r.messages / r.seconds, r.messages, seconds, store);
                return r;
            }
        } finally {
            drop(ds, prefix);
        }
    }

    private static void drop(DataSource ds, String prefix) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String t : List.of("message", "conversation", "schema_version")) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return fallback;
    }
}
