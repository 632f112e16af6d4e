package dev.parley.chat.bench;

import dev.parley.chat.bench.load.Client;
import dev.parley.chat.bench.load.LoadGenerator;
import dev.parley.chat.bench.load.Measurement;
import dev.parley.chat.bench.load.ParleyWire;
import dev.parley.chat.bench.report.Result;
import dev.parley.chat.bench.server.ParleyProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster scenarios (issue 15): Parley nodes, each a bench server process, sharing one
 * PostgreSQL database (schema {@value #SCHEMA}, dropped before each variant and after the last).
 * Clients of one generator are spread over the nodes, so a room's members are on different nodes and
 * its deliveries, latency and loss are counted as for one server; the server CPU is the sum of the
 * nodes'. Each throughput scenario also runs on a cluster of one node on the same database, the
 * baseline it is compared with.
 *
 * <ul>
 *   <li>{@code cluster fanout}: the fanout scenario (one room of 50, 5 flooding) with the members
 *       spread over the nodes;</li>
 *   <li>{@code cluster rooms}: 1000 clients in 500 rooms of two at 20 msg/s each, the two of a pair
 *       on different nodes;</li>
 *   <li>{@code cluster one room}: the highest msg/s one room reaches: 6 publishers flooding it, two
 *       per node, with 4 listeners per node;</li>
 *   <li>{@code cluster cross-node latency}: 200 clients in 100 rooms of two at 5 msg/s each, the pair
 *       on one node, then on two nodes: the difference of the latencies is what crossing costs;</li>
 *   <li>{@code cluster kill}: 20 users of a node in a room with an observer on another node; the node
 *       is killed (SIGKILL) and the time until the observer has every LEFT is measured, with the
 *       default lease (10 s), three times.</li>
 * </ul>
 */
final class ClusterBench {
    static final String SCHEMA = "pbench_cluster";
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int PAYLOAD = Suite.PAYLOAD;

    private final Path out;
    private final boolean quick;
    private final long warmupNanos;
    private final long measureNanos;
    private final List<Result> results = new ArrayList<>();

    ClusterBench(Path out, boolean quick, long warmupNanos, long measureNanos) {
        this.out = out;
        this.quick = quick;
        this.warmupNanos = warmupNanos;
        this.measureNanos = measureNanos;
    }

    List<Result> run() {
        for (int nodes : new int[] {1, 3}) {
            variant("cluster fanout", nodes, this::fanout);
            variant("cluster rooms", nodes, this::rooms);
        }
        variant("cluster one room", 3, this::oneRoom);
        variant("cluster cross-node latency", 3, this::crossLatency);
        kill();
        dropSchema();
        return results;
    }

    @FunctionalInterface
    private interface Body {
        Result run(List<ParleyProcess> nodes, String label) throws Exception;
    }

    private void variant(String scenario, int nodeCount, Body body) {
        String label = "parley " + nodeCount + (nodeCount == 1 ? " node" : " nodes");
        Suite.log(scenario + " / " + label);
        List<ParleyProcess> nodes = new ArrayList<>();
        try {
            dropSchema();
            for (int i = 0; i < nodeCount; i++) {
                nodes.add(startNode("n" + i, List.of()));
            }
            Result r = body.run(nodes, label);
            results.add(r);
            Suite.log("  " + r.metrics() + (r.notes().isEmpty() ? "" : " " + r.notes()));
        } catch (Exception e) {
            results.add(Result.of(scenario, label).note("failed: " + e));
            Suite.log("  failed: " + e);
        } finally {
            nodes.forEach(ParleyProcess::close);
        }
    }

    private ParleyProcess startNode(String name, List<String> extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("store=postgresql", "group-commit=true", "cluster=" + name,
                "pg-url=" + PG + "?currentSchema=" + SCHEMA));
        args.addAll(extra);
        return ParleyProcess.start(List.of("-Xms64m", "-Xmx1g", "-XX:+UseG1GC"), args,
                out.resolve("parley-cluster-" + name + ".log"), 600);
    }

    private static long[] pids(List<ParleyProcess> nodes) {
        return nodes.stream().mapToLong(ParleyProcess::pid).toArray();
    }

    private static InetSocketAddress on(List<ParleyProcess> nodes, int i) {
        return nodes.get(i % nodes.size()).address();
    }

    /** One room of 50 spread over the nodes; 5 members (on different nodes) flood it. */
    private Result fanout(List<ParleyProcess> nodes, String label) throws Exception {
        try (LoadGenerator g = new LoadGenerator(new ParleyWire(), on(nodes, 0), PAYLOAD).maxInFlight(64)) {
            for (int i = 0; i < 50; i++) {
                g.add("f" + i, "fan", i < 5 ? Client.Mode.FLOOD : Client.Mode.LISTEN, on(nodes, i));
            }
            g.connectAll(64, TimeUnit.SECONDS.toNanos(60));
            Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(5), pids(nodes));
            Result r = Result.of("cluster fanout", label)
                    .put("deliveries/s", m.deliveriesPerSecond())
                    .put("confirmed/s", m.confirmedPerSecond());
            Suite.latency(r, m.latency());
            Suite.common(r, m);
            return r;
        }
    }

    /** 500 rooms of two at 20 msg/s per client; with several nodes the two of a pair are on different ones. */
    private Result rooms(List<ParleyProcess> nodes, String label) throws Exception {
        try (LoadGenerator g = new LoadGenerator(new ParleyWire(), on(nodes, 0), PAYLOAD).pacedRate(20)) {
            for (int i = 0; i < 1000; i++) {
                int pair = i / 2;
                g.add("r" + i, "pair" + pair, Client.Mode.PACED, on(nodes, pair + i % 2));
            }
            g.connectAll(64, TimeUnit.SECONDS.toNanos(120));
            Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(5), pids(nodes));
            Result r = Result.of("cluster rooms", label)
                    .put("offered msg/s", m.publishedPerSecond())
                    .put("deliveries/s", m.deliveriesPerSecond());
            Suite.latency(r, m.latency());
            r.put("send lag p99 ms", m.sendLag().percentile(99) / 1e6);
            Suite.common(r, m);
            return r;
        }
    }

    /** One room, 6 flooding publishers (2 per node) and 4 listeners per node: its highest msg/s. */
    private Result oneRoom(List<ParleyProcess> nodes, String label) throws Exception {
        try (LoadGenerator g = new LoadGenerator(new ParleyWire(), on(nodes, 0), PAYLOAD).maxInFlight(64)) {
            for (int i = 0; i < 6 + 4 * nodes.size(); i++) {
                g.add("o" + i, "one", i < 6 ? Client.Mode.FLOOD : Client.Mode.LISTEN, on(nodes, i));
            }
            g.connectAll(64, TimeUnit.SECONDS.toNanos(60));
            Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(5), pids(nodes));
            Result r = Result.of("cluster one room", label)
                    .put("room msg/s", m.confirmedPerSecond())
                    .put("deliveries/s", m.deliveriesPerSecond());
            Suite.latency(r, m.latency());
            Suite.common(r, m);
            return r;
        }
    }

    /** Rooms of two at a light load, pairs on one node, then across two: what crossing adds. */
    private Result crossLatency(List<ParleyProcess> nodes, String label) throws Exception {
        Result r = Result.of("cluster cross-node latency", label);
        double[] p50 = new double[2];
        double[] p99 = new double[2];
        for (int cross = 0; cross < 2; cross++) {
            try (LoadGenerator g = new LoadGenerator(new ParleyWire(), on(nodes, 0), PAYLOAD).pacedRate(5)) {
                for (int i = 0; i < 200; i++) {
                    int pair = i / 2;
                    g.add("x" + cross + "-" + i, "x" + cross + "-" + pair, Client.Mode.PACED,
                            on(nodes, pair + (cross == 1 ? i % 2 : 0)));
                }
                g.connectAll(64, TimeUnit.SECONDS.toNanos(60));
                Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(5), pids(nodes));
                p50[cross] = m.latency().percentile(50) / 1e6;
                p99[cross] = m.latency().percentile(99) / 1e6;
                if (m.lossRatio() > 0) {
                    r.note((cross == 1 ? "across" : "same node") + ": undelivered " + 100 * m.lossRatio() + " %");
                }
            }
        }
        return r.put("same node p50 ms", p50[0]).put("same node p99 ms", p99[0])
                .put("across nodes p50 ms", p50[1]).put("across nodes p99 ms", p99[1])
                .put("extra p50 ms", p50[1] - p50[0]).put("extra p99 ms", p99[1] - p99[0]);
    }

    /** SIGKILL a node whose 20 users are in a room with an observer elsewhere: time to every LEFT. */
    private void kill() {
        int runs = quick ? 1 : 3;
        int users = 20;
        String label = "parley 2 nodes, lease 10 s";
        Suite.log("cluster kill / " + label);
        Result r = Result.of("cluster kill", label);
        List<ParleyProcess> nodes = new ArrayList<>();
        double worst = 0;
        double sum = 0;
        try {
            dropSchema();
            nodes.add(startNode("n0", List.of()));
            for (int run = 0; run < runs; run++) {
                ParleyProcess victim = startNode("n1", List.of()); // a restart takes over its dead self
                List<Socket> held = new ArrayList<>();
                try (Socket observer = new Socket()) {
                    observer.connect(nodes.get(0).address(), 5_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(observer.getInputStream(), StandardCharsets.UTF_8));
                    send(observer, "HELLO proto=1 name=observer\nJOIN room=kill\n");
                    for (int i = 0; i < users; i++) {
                        Socket s = new Socket();
                        s.connect(victim.address(), 5_000);
                        send(s, "HELLO proto=1 name=victim" + run + "x" + i + "\nJOIN room=kill\n");
                        held.add(s);
                    }
                    int joined = 0;
                    while (joined < users) {
                        String line = in.readLine();
                        if (line == null) {
                            throw new IOException("observer disconnected");
                        }
                        if (line.startsWith("JOINED room=kill name=victim")) {
                            joined++;
                        }
                    }
                    long t0 = System.nanoTime();
                    victim.kill();
                    int left = 0;
                    long first = 0;
                    while (left < users) {
                        String line = in.readLine();
                        if (line == null) {
                            throw new IOException("observer disconnected");
                        }
                        if (line.startsWith("LEFT room=kill name=victim")) {
                            if (left++ == 0) {
                                first = System.nanoTime() - t0;
                            }
                        }
                    }
                    double all = (System.nanoTime() - t0) / 1e9;
                    worst = Math.max(worst, all);
                    sum += all;
                    r.note(String.format(java.util.Locale.ROOT, "run %d: first LEFT %.2f s, all %d LEFTs %.2f s",
                            run + 1, first / 1e9, users, all));
                } finally {
                    for (Socket s : held) {
                        s.close();
                    }
                    victim.close();
                }
            }
            r.put("runs", runs).put("SIGKILL to all LEFT mean s", sum / runs).put("SIGKILL to all LEFT max s", worst);
        } catch (Exception e) {
            r.note("failed: " + e);
        } finally {
            nodes.forEach(ParleyProcess::close);
        }
        results.add(r);
        Suite.log("  " + r.metrics() + " " + r.notes());
    }

    private static void send(Socket s, String lines) throws IOException {
        OutputStream o = s.getOutputStream();
        o.write(lines.getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    private static void dropSchema() {
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop schema " + SCHEMA + ": " + e.getMessage(), e);
        }
    }
}
