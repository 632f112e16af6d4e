package dev.parley.chat.bench;

import dev.parley.chat.bench.codec.CodecSuite;
import dev.parley.chat.bench.load.Client;
import dev.parley.chat.bench.load.Histogram;
import dev.parley.chat.bench.load.LoadGenerator;
import dev.parley.chat.bench.load.Measurement;
import dev.parley.chat.bench.load.MqttWire;
import dev.parley.chat.bench.load.NatsWire;
import dev.parley.chat.bench.load.ParleyWire;
import dev.parley.chat.bench.load.ProcStat;
import dev.parley.chat.bench.load.RespWire;
import dev.parley.chat.bench.load.Trace;
import dev.parley.chat.bench.load.Wire;
import dev.parley.chat.bench.report.Json;
import dev.parley.chat.bench.report.Result;
import dev.parley.chat.bench.report.Table;
import dev.parley.chat.bench.server.ParleyProcess;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The standard suite: every scenario against Parley and the peers, interleaved, then the codec
 * micro-benchmarks; writes {@code results.json} and {@code results.md} to {@code out=DIR}.
 *
 * <p>Arguments ({@code key=value}, any order): {@code out=DIR}; {@code quick} (short runs for a
 * smoke test); {@code only=selfcheck,idle,light,rooms,fanout,durable,history,cluster,codec};
 * {@code targets=parley,redis,nats,mosquitto}; {@code measure=SECONDS}, {@code warmup=SECONDS};
 * {@code jfr} (record the Parley server with JFR into DIR); {@code server-cp=CLASSPATH} (run the Parley
 * server from this class path instead of the suite's own: a bench server built from another commit,
 * as {@code chat-bench/ab.sh} does; {@code @FILE} reads it from a file); {@code probe=COMMAND} (for
 * light, rooms and fanout: just before each target's warm-up, start {@code COMMAND PID WARMUP MEASURE}
 * with the server's pid and the window in seconds, its output into
 * {@code DIR/probe-SCENARIO-TARGET.txt}, and wait for it after the run; {@code chat-bench/syscalls.sh}
 * counts syscalls that way); {@code server-jvm=OPT|OPT...} (more options for the Parley server's JVM,
 * separated by {@code |}, after the defaults: {@code server-jvm=-Xlog:gc*,safepoint:file=gc.log:tn});
 * {@code server-args=ARG|ARG...} (more arguments for the Parley {@link
 * dev.parley.chat.bench.server.BenchServer} of idle, light, rooms and fanout, e.g. {@code server-args=retention=1000});
 * {@code trace} (for light and rooms: every delivery of the window, with its send and receive
 * {@code System.nanoTime()}, into {@code DIR/trace-SCENARIO-TARGET.tsv}; see {@link Trace});
 * {@code server-session=own|shared} (whether the Parley server runs in a session, and so a scheduler
 * autogroup, of its own like the peers: {@code own}, the default; or in the suite's, as before
 * 2026-12-04: see {@link ParleyProcess#start(List, String, List, Path, long, boolean)}).
 */
public final class Suite {
    static final List<String> SCENARIOS =
            List.of("selfcheck", "idle", "light", "rooms", "fanout", "durable", "history", "cluster", "codec");
    static final List<String> TARGETS = List.of("parley", "redis", "nats", "mosquitto");
    static final int PAYLOAD = 100;

    private final Path out;
    private final boolean quick;
    private final Set<String> only;
    private final List<String> targets;
    private final long warmupNanos;
    private final long measureNanos;
    private final boolean jfr;
    private final String serverClassPath;
    private final String probe;
    private final List<String> serverJvm;
    private final List<String> serverArgs;
    private final boolean trace;
    private final boolean ownSession;
    private final List<Result> results = new ArrayList<>();
    private final List<Map<String, Object>> codec = new ArrayList<>();

    static final Set<String> KEYS =
            Set.of("out", "quick", "only", "targets", "warmup", "measure", "jfr", "server-cp", "probe",
                    "server-jvm", "server-args", "trace", "server-session");

    Suite(Map<String, String> args) {
        for (String k : args.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown argument " + k + "; known: " + KEYS);
            }
        }
        this.out = Path.of(args.getOrDefault("out", "bench-results")).toAbsolutePath().normalize();
        this.quick = args.containsKey("quick");
        this.only = new LinkedHashSet<>(split(args.getOrDefault("only", String.join(",", SCENARIOS))));
        this.targets = split(args.getOrDefault("targets", String.join(",", TARGETS)));
        this.warmupNanos = TimeUnit.MILLISECONDS.toNanos((long) (1000 * Double.parseDouble(
                args.getOrDefault("warmup", quick ? "1" : "3"))));
        this.measureNanos = TimeUnit.MILLISECONDS.toNanos((long) (1000 * Double.parseDouble(
                args.getOrDefault("measure", quick ? "3" : "15"))));
        this.jfr = args.containsKey("jfr");
        this.serverClassPath = serverClassPath(args.get("server-cp"));
        this.probe = args.get("probe");
        this.serverJvm = split(args.getOrDefault("server-jvm", ""), "\\|");
        this.serverArgs = split(args.getOrDefault("server-args", ""), "\\|");
        this.trace = args.containsKey("trace");
        this.ownSession = switch (args.getOrDefault("server-session", "own")) {
            case "own" -> true;
            case "shared" -> false;
            default -> throw new IllegalArgumentException("server-session is own or shared");
        };
        for (String s : only) {
            if (!SCENARIOS.contains(s)) {
                throw new IllegalArgumentException("unknown scenario " + s + "; known: " + SCENARIOS);
            }
        }
        for (String t : targets) {
            if (!TARGETS.contains(t)) {
                throw new IllegalArgumentException("unknown target " + t + "; known: " + TARGETS);
            }
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            if (a.isBlank()) {
                continue;
            }
            int eq = a.indexOf('=');
            args.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        new Suite(args).run();
    }

    private static String serverClassPath(String arg) {
        if (arg == null || arg.isEmpty()) {
            return System.getProperty("java.class.path");
        }
        if (arg.startsWith("@")) {
            try {
                return Files.readString(Path.of(arg.substring(1))).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read server-cp " + arg, e);
            }
        }
        return arg;
    }

    private static List<String> split(String s) {
        return split(s, ",");
    }

    /** The non-empty, trimmed pieces of {@code s} between matches of {@code separator} (a regex). */
    private static List<String> split(String s, String separator) {
        return Arrays.stream(s.split(separator)).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    void run() throws Exception {
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve("parley-server.log"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("settings", Map.of("quick", quick, "warmupSeconds", warmupNanos / 1e9,
                "measureSeconds", measureNanos / 1e9, "payloadBytes", PAYLOAD));
        report.put("machine", machine());
        report.put("loadBefore", ProcStat.loadAverage());
        log("load average before: " + ProcStat.loadAverage());

        for (String scenario : SCENARIOS) {
            if (!only.contains(scenario)) {
                continue;
            }
            switch (scenario) {
                case "selfcheck" -> selfcheck();
                case "idle" -> forEachTarget(scenario, this::idle);
                case "light" -> forEachTarget(scenario, this::light);
                case "rooms" -> forEachTarget(scenario, this::rooms);
                case "fanout" -> forEachTarget(scenario, this::fanout);
                case "durable" -> durable();
                case "history" -> history();
                case "cluster" -> {
                    if (targets.contains("parley")) {
                        results.addAll(new ClusterBench(out, quick, warmupNanos, measureNanos).run());
                    }
                }
                case "codec" -> codec.addAll(CodecSuite.run(quick));
                default -> throw new IllegalStateException(scenario);
            }
        }

        report.put("loadAfter", ProcStat.loadAverage());
        report.put("finished", Instant.now().toString());
        log("load average after: " + ProcStat.loadAverage());
        report.put("summary", summary());
        report.put("results", results.stream().map(Result::toMap).toList());
        report.put("codec", codec);
        Files.writeString(out.resolve("results.json"), Json.write(report));
        String md = markdown(report);
        Files.writeString(out.resolve("results.md"), md);
        System.out.println();
        System.out.println(md);
        log("wrote " + out.resolve("results.json") + " and " + out.resolve("results.md"));
    }

    // ---------------------------------------------------------------- targets

    /** A server under test: where it listens, how to speak to it, and its pid for /proc. */
    record Target(String name, Wire wire, InetSocketAddress address, long pid, ParleyProcess parley)
            implements AutoCloseable {
        @Override
        public void close() {
            if (parley != null) {
                parley.close();
            }
        }
    }

    @FunctionalInterface
    interface Scenario {
        Result run(Target target) throws Exception;
    }

    private void forEachTarget(String scenario, Scenario body) {
        for (String name : targets) {
            log(scenario + " / " + name);
            try (Target t = open(name, scenario, serverArgs)) {
                Result r = body.run(t);
                results.add(r);
                log("  " + r.metrics() + (r.notes().isEmpty() ? "" : " " + r.notes()));
            } catch (Exception e) {
                results.add(Result.of(scenario, name).note("failed: " + e));
                log("  failed: " + e);
            }
        }
    }

    private Target open(String name, String scenario, List<String> serverArgs) throws IOException {
        return switch (name) {
            case "parley" -> {
                List<String> jvm = new ArrayList<>(List.of("-Xms64m", "-Xmx2g", "-XX:+UseG1GC"));
                if (jfr) {
                    jvm.add("-XX:StartFlightRecording=filename=" + out.resolve("parley-" + scenario + ".jfr")
                            + ",settings=profile");
                }
                jvm.addAll(serverJvm);
                ParleyProcess p = ParleyProcess.start(jvm, serverClassPath, serverArgs,
                        out.resolve("parley-server.log"), 600, ownSession);
                yield new Target("parley", new ParleyWire(), p.address(), p.pid(), p);
            }
            case "redis" -> peer(name, new RespWire(), 6379, "redis-server");
            case "nats" -> peer(name, new NatsWire(), 4222, "nats-server");
            case "mosquitto" -> peer(name, new MqttWire(), 1883, "mosquitto");
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Target peer(String name, Wire wire, int port, String comm) throws IOException {
        long pid = ProcStat.pidOf(comm).orElseThrow(() -> new IOException(comm + " is not running"));
        return new Target(name, wire, new InetSocketAddress("127.0.0.1", port), pid, null);
    }

    // ---------------------------------------------------------------- scenarios

    /**
     * The generator against a trivially fast peer: 50 connections to a local socket that only pours
     * pre-encoded Parley MSG lines at them (one virtual thread per connection, in this JVM), so that
     * the generator's own receive capacity shows: deliveries/s, and the share of a core its selector
     * thread needed for them.
     */
    void selfcheck() {
        log("selfcheck / generator");
        Result r = Result.of("selfcheck", "generator vs. a blaster");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 128);
            byte[] payload = dev.parley.chat.bench.load.Payload.template(PAYLOAD, 999_999);
            dev.parley.chat.bench.load.Payload.stamp(payload, System.nanoTime());
            java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
            while (block.size() < 64 * 1024) {
                block.writeBytes(("MSG room=fan seq=123456 from=someone time=2026-11-23T10:00:00.123Z :"
                        + new String(payload, StandardCharsets.US_ASCII) + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            byte[] bytes = block.toByteArray();
            byte[] hello = "JOINED room=fan name=x head=0\n".getBytes(StandardCharsets.US_ASCII);
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        java.nio.channels.SocketChannel ch = server.accept();
                        Thread.ofVirtual().start(() -> {
                            try (ch) {
                                ch.write(java.nio.ByteBuffer.wrap(hello));
                                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                                while (true) {
                                    b.clear();
                                    while (b.hasRemaining()) {
                                        ch.write(b);
                                    }
                                }
                            } catch (IOException e) {
                                // the generator closed the connection: done
                            }
                        });
                    }
                } catch (IOException e) {
                    // server closed: done
                }
            });
            InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
            try (LoadGenerator g = new LoadGenerator(new ParleyWire(), address, PAYLOAD)) {
                for (int i = 0; i < 50; i++) {
                    g.add("g" + i, "fan", Client.Mode.LISTEN);
                }
                g.connectAll(50, TimeUnit.SECONDS.toNanos(10));
                Measurement m = g.run(TimeUnit.SECONDS.toNanos(1), Math.min(measureNanos, TimeUnit.SECONDS.toNanos(5)),
                        0, -1);
                r.put("deliveries/s", m.deliveriesPerSecond())
                        .put("generator thread busy", m.generatorThreadBusy())
                        .put("generator ns/delivery", m.generatorThreadCpuNanos() / (double) Math.max(1, m.deliveries()))
                        .put("generator JVM cores", m.generatorProcessCores());
            }
            server.close();
            acceptor.join(1000);
        } catch (Exception e) {
            r.note("failed: " + e);
        }
        results.add(r);
        log("  " + r.metrics() + (r.notes().isEmpty() ? "" : " " + r.notes()));
    }

    /** One room of 50; 5 members publish as fast as the server confirms, 64 in flight each. */
    Result fanout(Target t) throws Exception {
        try (LoadGenerator g = new LoadGenerator(t.wire(), t.address(), PAYLOAD).maxInFlight(64)) {
            for (int i = 0; i < 50; i++) {
                g.add("f" + i, "fan", i < 5 ? Client.Mode.FLOOD : Client.Mode.LISTEN);
            }
            g.connectAll(64, TimeUnit.SECONDS.toNanos(30));
            Process probing = probe("fanout", t);
            Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(3), t.pid());
            awaitProbe(probing);
            Result r = Result.of("fanout", t.name())
                    .put("deliveries/s", m.deliveriesPerSecond())
                    .put("published/s", m.publishedPerSecond())
                    .put("confirmed/s", m.confirmedPerSecond());
            latency(r, m.latency());
            common(r, m);
            return r;
        }
    }

    /** 1000 clients in 500 rooms of two, each sending 20 messages/s. */
    Result rooms(Target t) throws Exception {
        Trace tr = trace ? new Trace(1 << 21) : null;
        try (LoadGenerator g = new LoadGenerator(t.wire(), t.address(), PAYLOAD).pacedRate(20).trace(tr)) {
            for (int i = 0; i < 1000; i++) {
                g.add("r" + i, "pair" + (i / 2), Client.Mode.PACED);
            }
            g.connectAll(64, TimeUnit.SECONDS.toNanos(60));
            Process probing = probe("rooms", t);
            Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(3), t.pid());
            awaitProbe(probing);
            writeTrace(tr, "rooms", t);
            Result r = Result.of("rooms", t.name())
                    .put("offered msg/s", m.publishedPerSecond())
                    .put("deliveries/s", m.deliveriesPerSecond());
            latency(r, m.latency());
            r.put("send lag p99 ms", ms(m.sendLag().percentile(99)));
            common(r, m);
            return r;
        }
    }

    /** 200 clients in 20 rooms of ten, each sending 1 message/s. */
    Result light(Target t) throws Exception {
        Trace tr = trace ? new Trace(1 << 21) : null;
        try (LoadGenerator g = new LoadGenerator(t.wire(), t.address(), PAYLOAD).pacedRate(1).trace(tr)) {
            for (int i = 0; i < 200; i++) {
                g.add("l" + i, "light" + (i / 10), Client.Mode.PACED);
            }
            g.connectAll(64, TimeUnit.SECONDS.toNanos(60));
            Process probing = probe("light", t);
            Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(3), t.pid());
            awaitProbe(probing);
            writeTrace(tr, "light", t);
            Result r = Result.of("light", t.name())
                    .put("deliveries/s", m.deliveriesPerSecond());
            latency(r, m.latency());
            r.put("send lag p99 ms", ms(m.sendLag().percentile(99)));
            common(r, m);
            return r;
        }
    }

    /** 5,000 then 9,000 idle connections, each in a room of ten: connect time and server memory. */
    Result idle(Target t) throws Exception {
        int first = quick ? 1000 : 5000;
        int second = quick ? 2000 : 9000;
        Result r = Result.of("idle", t.name());
        try (LoadGenerator g = new LoadGenerator(t.wire(), t.address(), PAYLOAD)) {
            g.idle(TimeUnit.MILLISECONDS.toNanos(500));
            long rss0 = ProcStat.rssBytes(t.pid());
            long heap0 = t.parley() == null ? -1 : t.parley().heapUsedAfterGc();
            for (int i = 0; i < first; i++) {
                g.add("i" + i, "idle" + (i / 10), Client.Mode.LISTEN);
            }
            long c1 = g.connectAll(100, TimeUnit.SECONDS.toNanos(120));
            g.idle(TimeUnit.SECONDS.toNanos(2));
            long rss1 = ProcStat.rssBytes(t.pid());
            long heap1 = t.parley() == null ? -1 : t.parley().heapUsedAfterGc();
            for (int i = first; i < second; i++) {
                g.add("i" + i, "idle" + (i / 10), Client.Mode.LISTEN);
            }
            long c2 = g.connectAll(100, TimeUnit.SECONDS.toNanos(120));
            g.idle(TimeUnit.SECONDS.toNanos(2));
            long rss2 = ProcStat.rssBytes(t.pid());
            long heap2 = t.parley() == null ? -1 : t.parley().heapUsedAfterGc();
            if (jfr && t.parley() != null) {
                // Profiling run: what the live heap holds per connection, by class.
                jcmd(t.pid(), "GC.class_histogram", out.resolve("parley-idle-histogram.txt"));
            }
            r.put("connect " + first + " s", c1 / 1e9)
                    .put("connect " + second + " s", (c1 + c2) / 1e9)
                    .put("RSS/conn @" + first + " B", (rss1 - rss0) / (double) first)
                    .put("RSS/conn @" + second + " B", (rss2 - rss0) / (double) second)
                    .put("heap/conn @" + second + " B", heap0 < 0 ? null : (heap2 - heap0) / (double) second)
                    .put("server RSS MiB", rss2 / 1048576.0);
            if (heap0 >= 0) {
                r.note(String.format("live heap after full GC: %.0f B/conn at %d, %.0f B/conn at %d",
                        (heap1 - heap0) / (double) first, first, (heap2 - heap0) / (double) second, second));
            }
            if (g.ready() != second) {
                r.note("only " + g.ready() + " of " + second + " still connected at the end");
            }
        }
        return r;
    }

    /** Fan-out against Parley with the JDBC store: acknowledged messages per second. */
    void durable() {
        if (!targets.contains("parley")) {
            return;
        }
        List<String[]> variants = List.of(
                new String[] {"memory", "store=memory"},
                new String[] {"h2 file, group commit", "store=h2", "group-commit=true"},
                new String[] {"h2 file, no group commit", "store=h2", "group-commit=false"},
                new String[] {"postgresql, group commit", "store=postgresql", "group-commit=true"},
                new String[] {"postgresql, no group commit", "store=postgresql", "group-commit=false"});
        for (String[] v : variants) {
            String label = "parley " + v[0];
            log("durable / " + label);
            List<String> args = new ArrayList<>(Arrays.asList(v).subList(1, v.length));
            args.add("data=" + out.resolve("data"));
            try (Target t = open("parley", "durable", args)) {
                Result r = fanout(t);
                Result d = Result.of("durable", label)
                        .put("acked msg/s", r.number("confirmed/s"))
                        .put("deliveries/s", r.number("deliveries/s"))
                        .put("p50 ms", r.number("p50 ms"))
                        .put("p99 ms", r.number("p99 ms"))
                        .put("server CPU cores", r.number("server CPU cores"));
                d.notes().addAll(r.notes());
                results.add(d);
                log("  " + d.metrics() + (d.notes().isEmpty() ? "" : " " + d.notes()));
            } catch (Exception e) {
                results.add(Result.of("durable", label).note("failed: " + e));
                log("  failed: " + e);
            }
        }
    }

    /** HISTORY before a random seq, limit 50, in a room holding one million messages. */
    void history() {
        if (!targets.contains("parley")) {
            return;
        }
        int stored = quick ? 100_000 : 1_000_000;
        List<String[]> variants = List.of(
                new String[] {"memory", "store=memory"},
                new String[] {"h2 file", "store=h2", "group-commit=true"},
                new String[] {"postgresql", "store=postgresql", "group-commit=true"});
        for (String[] v : variants) {
            String label = "parley " + v[0];
            log("history / " + label + " (" + stored + " messages)");
            List<String> args = new ArrayList<>(Arrays.asList(v).subList(1, v.length));
            args.add("data=" + out.resolve("data"));
            args.add("preload=history:" + stored);
            try (Target t = open("parley", "history", args)) {
                ParleyWire wire = (ParleyWire) t.wire();
                Random random = new Random(42);
                try (LoadGenerator g = new LoadGenerator(wire, t.address(), PAYLOAD)) {
                    g.requestWriter((c, ref, buf) ->
                            wire.history("history", 51 + random.nextInt(stored - 49), 50, ref, buf));
                    g.add("h0", "history", Client.Mode.REQUEST);
                    g.connectAll(1, TimeUnit.SECONDS.toNanos(60));
                    Measurement m = g.run(warmupNanos, measureNanos, TimeUnit.SECONDS.toNanos(3), t.pid());
                    Result r = Result.of("history", label)
                            .put("stored", stored)
                            .put("requests/s", m.requests() / m.seconds());
                    latency(r, m.requestLatency());
                    r.put("server CPU cores", m.serverCores());
                    if (m.errors() > 0) {
                        r.note(m.errors() + " errors: " + m.errorSamples());
                    }
                    results.add(r);
                    log("  " + r.metrics() + (r.notes().isEmpty() ? "" : " " + r.notes()));
                }
            } catch (Exception e) {
                results.add(Result.of("history", label).note("failed: " + e));
                log("  failed: " + e);
            }
        }
    }

    /**
     * Starts the {@code probe=} command for this scenario and target, or returns null without one.
     * It runs beside the generator (which starts its warm-up right after), so it gets the window.
     */
    private Process probe(String scenario, Target t) throws IOException {
        if (probe == null || probe.isEmpty()) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(probe));
        cmd.add(Long.toString(t.pid()));
        cmd.add(Double.toString(warmupNanos / 1e9));
        cmd.add(Double.toString(measureNanos / 1e9));
        Path to = out.resolve("probe-" + scenario + "-" + t.name() + ".txt");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(to.toFile()).start();
    }

    private static void awaitProbe(Process p) throws InterruptedException {
        if (p != null && !p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroy();
            log("  probe did not end within 60 s after the run; stopped");
        }
    }

    private void writeTrace(Trace tr, String scenario, Target t) throws IOException {
        if (tr != null) {
            tr.write(out.resolve("trace-" + scenario + "-" + t.name() + ".tsv"));
            if (tr.dropped() > 0) {
                log("  trace: " + tr.dropped() + " deliveries not recorded (full)");
            }
        }
    }

    static void latency(Result r, Histogram h) {
        r.put("p50 ms", ms(h.percentile(50)))
                .put("p99 ms", ms(h.percentile(99)))
                .put("max ms", ms(h.max()));
    }

    static void common(Result r, Measurement m) {
        r.put("server CPU cores", m.serverCores())
                .put("server sys %", 100 * m.serverSystemShare())
                .put("generator thread busy", m.generatorThreadBusy())
                .put("undelivered %", 100 * m.lossRatio())
                .put("host steal ms", m.hostStealMillis());
        if (m.errors() > 0) {
            r.note(m.errors() + " errors/disconnects: " + m.errorSamples());
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void jcmd(long pid, String command, Path to) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), command)
                    .redirectErrorStream(true).redirectOutput(to.toFile()).start();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            log("  jcmd " + command + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- report

    /** The headline metrics with Parley's ratio to each peer (Parley ÷ peer). */
    private List<Map<String, Object>> summary() {
        String[][] rows = {
            {"fanout", "deliveries/s", "higher"},
            {"fanout", "p99 ms", "lower"},
            {"rooms", "p50 ms", "lower"},
            {"rooms", "p99 ms", "lower"},
            {"rooms", "server CPU cores", "lower"},
            {"idle", "connect " + (quick ? 2000 : 9000) + " s", "lower"},
            {"idle", "RSS/conn @" + (quick ? 2000 : 9000) + " B", "lower"},
            {"light", "p50 ms", "lower"},
            {"light", "p99 ms", "lower"},
        };
        List<Map<String, Object>> out = new ArrayList<>();
        for (String[] row : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", row[0]);
            m.put("metric", row[1]);
            m.put("better", row[2]);
            Map<String, Object> values = new LinkedHashMap<>();
            for (String t : TARGETS) {
                values.put(t, find(row[0], t).map(r -> (Object) r.number(row[1])).orElse(null));
            }
            m.put("values", values);
            Map<String, Object> ratios = new LinkedHashMap<>();
            Object p = values.get("parley");
            for (String t : TARGETS.subList(1, TARGETS.size())) {
                Object v = values.get(t);
                ratios.put("parley/" + t, p instanceof Double a && v instanceof Double b && b != 0 ? a / b : null);
            }
            m.put("ratios", ratios);
            out.add(m);
        }
        return out;
    }

    private java.util.Optional<Result> find(String scenario, String target) {
        return results.stream().filter(r -> r.scenario().equals(scenario) && r.target().equals(target)).findFirst();
    }

    @SuppressWarnings("unchecked")
    private String markdown(Map<String, Object> report) {
        StringBuilder sb = new StringBuilder();
        sb.append("### Summary (Parley ÷ peer; \"better\" says which direction wins)\n\n");
        sb.append("| scenario | metric | better | parley | redis | nats | mosquitto | ÷redis | ÷nats | ÷mosquitto |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) report.get("summary")) {
            Map<String, Object> v = (Map<String, Object>) row.get("values");
            Map<String, Object> q = (Map<String, Object>) row.get("ratios");
            sb.append("| ").append(row.get("scenario")).append(" | ").append(row.get("metric"))
                    .append(" | ").append(row.get("better"));
            for (String t : TARGETS) {
                sb.append(" | ").append(Table.format(v.get(t)));
            }
            for (Object ratio : q.values()) {
                sb.append(" | ").append(ratio == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", (Double) ratio));
            }
            sb.append(" |\n");
        }
        sb.append('\n');
        Map<String, List<Result>> byScenario = new LinkedHashMap<>();
        for (Result r : results) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
        }
        byScenario.forEach((s, rs) -> sb.append(Table.scenario(s, rs)));
        if (!codec.isEmpty()) {
            sb.append("#### codec (JMH, -prof gc)\n\n| benchmark | ns/frame | ± | bytes allocated/frame |\n|---|---:|---:|---:|\n");
            for (Map<String, Object> c : codec) {
                sb.append("| ").append(c.get("benchmark")).append(" | ").append(Table.format(c.get("nsPerFrame")))
                        .append(" | ").append(Table.format(c.get("error")))
                        .append(" | ").append(Table.format(c.get("bytesPerFrame"))).append(" |\n");
            }
            sb.append('\n');
        }
        sb.append("Load average before: ").append(report.get("loadBefore"))
                .append("; after: ").append(report.get("loadAfter")).append('\n');
        return sb.toString();
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("memTotal", firstLine("/proc/meminfo"));
        m.put("kernel", read("/proc/sys/kernel/osrelease"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("redis", command("redis-server", "--version"));
        m.put("nats", command("nats-server", "--version"));
        m.put("mosquitto", command("mosquitto", "-h"));
        return m;
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstLine(String path) {
        String s = read(path);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replaceAll("\\s+", " ");
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s;
            try (InputStream in = p.getInputStream()) {
                s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            p.waitFor(5, TimeUnit.SECONDS);
            int nl = s.indexOf('\n');
            return (nl < 0 ? s : s.substring(0, nl)).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    static void log(String s) {
        System.out.println("[" + java.time.LocalTime.now().withNano(0) + "] " + s);
        System.out.flush();
    }
}
