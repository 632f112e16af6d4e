package dev.parley.chat.bench;

import dev.parley.chat.bench.load.Client;
import dev.parley.chat.bench.load.LoadGenerator;
import dev.parley.chat.bench.load.ParleyWire;
import dev.parley.chat.bench.load.ProcStat;
import dev.parley.chat.bench.server.ParleyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where an idle connection's memory goes: holds 5,000 then 9,000 idle connections against a bench
 * server as {@link Suite}'s idle scenario does (rooms of ten, at most 100 handshakes at once), with the
 * Suite's JVM flags plus {@code -XX:NativeMemoryTracking=summary}, and writes into {@code out=DIR}:
 * {@code /proc/PID/smaps} and {@code GC.heap_info} before and after (split by
 * {@code chat-bench/tools/smaps_split.py}), {@code VM.native_memory summary.diff} against a baseline
 * taken before the first connection, {@code GC.class_histogram} before and after, and
 * {@code report.txt}: RSS and live heap per connection and the histogram's delta per connection by
 * class. {@code hold=SECONDS} keeps the connections open afterwards (its pid is in {@code DIR/pid}) for a
 * heap dump ({@code chat-bench/tools/hprof_owners.py} attributes one).
 *
 * <p>Arguments: {@code out=DIR}, {@code server-cp=FILE} (the bench server's class path, as
 * {@code chat-bench/ab.sh} writes it; default this JVM's), {@code n1=5000}, {@code n2=9000},
 * {@code gc=-XX:+UseG1GC} (the collector flag), {@code jvm="MORE FLAGS"}, {@code nmt=false}, {@code hold=S}.
 */
public final class IdleProbe {
    private IdleProbe() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        Path out = Path.of(args.getOrDefault("out", "bench-results/idle-probe"));
        Files.createDirectories(out);
        String cp = args.containsKey("server-cp") ? Files.readString(Path.of(args.get("server-cp"))).trim()
                : System.getProperty("java.class.path");
        int n1 = Integer.parseInt(args.getOrDefault("n1", "5000"));
        int n2 = Integer.parseInt(args.getOrDefault("n2", "9000"));
        List<String> jvm = new ArrayList<>(List.of("-Xms64m", "-Xmx2g", args.getOrDefault("gc", "-XX:+UseG1GC")));
        if (!args.getOrDefault("nmt", "true").equals("false")) {
            jvm.add("-XX:NativeMemoryTracking=summary");
        }
        if (args.containsKey("jvm")) {
            jvm.addAll(Arrays.asList(args.get("jvm").trim().split("\\s+")));
        }
        try (ParleyProcess p = ParleyProcess.start(jvm, cp, List.of(), out.resolve("server.log"), 120);
                LoadGenerator g = new LoadGenerator(new ParleyWire(), p.address(), Suite.PAYLOAD)) {
            long pid = p.pid();
            g.idle(TimeUnit.MILLISECONDS.toNanos(500));
            long rss0 = ProcStat.rssBytes(pid);
            long heap0 = p.heapUsedAfterGc();
            copy("/proc/" + pid + "/smaps", out.resolve("smaps0.txt"));
            jcmd(pid, "VM.native_memory", "baseline");
            String h0 = jcmd(pid, "GC.class_histogram");
            Files.writeString(out.resolve("histo0.txt"), h0);
            Files.writeString(out.resolve("heapinfo0.txt"), jcmd(pid, "GC.heap_info"));
            for (int i = 0; i < n1; i++) {
                g.add("i" + i, "idle" + (i / 10), Client.Mode.LISTEN);
            }
            g.connectAll(100, TimeUnit.SECONDS.toNanos(120));
            g.idle(TimeUnit.SECONDS.toNanos(2));
            long rss1 = ProcStat.rssBytes(pid);
            long heap1 = p.heapUsedAfterGc();
            for (int i = n1; i < n2; i++) {
                g.add("i" + i, "idle" + (i / 10), Client.Mode.LISTEN);
            }
            g.connectAll(100, TimeUnit.SECONDS.toNanos(120));
            g.idle(TimeUnit.SECONDS.toNanos(2));
            long rss2 = ProcStat.rssBytes(pid);
            long heap2 = p.heapUsedAfterGc();
            String h2 = jcmd(pid, "GC.class_histogram");
            Files.writeString(out.resolve("histo2.txt"), h2);
            Files.writeString(out.resolve("nmt-diff.txt"), jcmd(pid, "VM.native_memory", "summary.diff"));
            Files.writeString(out.resolve("heapinfo2.txt"), jcmd(pid, "GC.heap_info"));
            copy("/proc/" + pid + "/smaps", out.resolve("smaps2.txt"));
            StringBuilder r = new StringBuilder();
            r.append(String.format("connected %d of %d; server RSS %d -> %d -> %d bytes%n", g.ready(), n2, rss0, rss1, rss2));
            r.append(String.format("RSS/conn @%d %.0f B, @%d %.0f B%n", n1, (rss1 - rss0) / (double) n1, n2,
                    (rss2 - rss0) / (double) n2));
            r.append(String.format("live heap after full GC /conn @%d %.0f B, @%d %.0f B%n", n1,
                    (heap1 - heap0) / (double) n1, n2, (heap2 - heap0) / (double) n2));
            r.append(histogramDelta(h0, h2, n2));
            Files.writeString(out.resolve("report.txt"), r.toString());
            System.out.print(r);
            if (args.containsKey("hold")) {
                Files.writeString(out.resolve("pid"), pid + "\n");
                g.idle(TimeUnit.SECONDS.toNanos(Long.parseLong(args.get("hold"))));
            }
        }
    }

    /** Bytes per connection by class, of the classes that grew by at least half a byte per connection. */
    private static String histogramDelta(String before, String after, int n) {
        Map<String, long[]> a = histogram(before);
        Map<String, long[]> b = histogram(after);
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : b.entrySet()) {
            long[] was = a.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - was[0], e.getValue()[1] - was[1]};
            total += d[1];
            if (Math.abs(d[1]) * 2 >= n) {
                rows.add(Map.entry(e.getKey(), d));
            }
        }
        rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        StringBuilder s = new StringBuilder(String.format("histogram delta %.0f B/conn%n", total / (double) n));
        for (Map.Entry<String, long[]> e : rows) {
            s.append(String.format("  %8.1f B/conn %6.2f objects/conn  %s%n", e.getValue()[1] / (double) n,
                    e.getValue()[0] / (double) n, e.getKey()));
        }
        return s.toString();
    }

    private static Map<String, long[]> histogram(String text) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                try {
                    m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                } catch (NumberFormatException e) {
                    // a header line
                }
            }
        }
        return m;
    }

    private static void copy(String from, Path to) throws Exception {
        Files.writeString(to, Files.readString(Path.of(from)));
    }

    private static String jcmd(long pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return s;
    }
}
