package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.chat.protocol.Frame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash recovery: a child JVM runs {@link CrashServerMain} on a database while clients send; it is
 * killed with SIGKILL ({@link Process#destroyForcibly()} on Linux) at a random moment, restarted, and
 * every message that was acknowledged must be in history, with its seq, with no seq gap and no
 * duplicate. Messages sent but not acknowledged before the kill are resent with the same id after the
 * restart: stored at most once.
 *
 * <p>After every restart the test reads what was stored since the last verified head and checks it: seqs
 * continue without gap or duplicate, every acknowledged id is there with its acknowledged seq, no id is
 * stored twice, no text was stored that nobody sent. Every {@code -Dparley.crash.fullEvery} cycles
 * (default 100) and after the last one it re-reads the whole room from seq 1 and checks every
 * acknowledgement ever received, so a message lost long after it was verified is still caught, and a
 * long run does not slow down as the room grows.
 *
 * <p>Cycles per database: {@code -Dparley.crash.cycles} (default 10, for CI). The long run:
 * {@code mvn verify -pl chat-it -am -Dtest=CrashTest -Dparley.crash.cycles=1000
 * -Djunit.jupiter.execution.timeout.mode=disabled} (the 30-minute {@code @Timeout} is sized for CI),
 * optionally bounded with {@code -Dparley.crash.minutes=N} per database; every verified cycle is
 * appended to {@code target/crash-progress.txt}, the totals to {@code target/crash-results.txt}.
 * PostgreSQL (127.0.0.1:5432, database test, user postgres, trust) is skipped when unreachable unless
 * {@code PARLEY_REQUIRE_DATABASES=1}.
 */
class CrashTest {
    private static final int CYCLES = Integer.getInteger("parley.crash.cycles", 10);
    /** For long runs by hand: stop after this many minutes per database and report the cycles done. */
    private static final long MINUTES = Long.getLong("parley.crash.minutes", 0); // 0: no time limit
    private static final long SEED = Long.getLong("parley.crash.seed", System.nanoTime());
    /** A full re-read of the room every this many cycles (and after the last); incremental checks between. */
    private static final int FULL_EVERY = Integer.getInteger("parley.crash.fullEvery", 100);
    private static final int WRITERS = 3;
    private static final int WINDOW = 16;
    private static final String ROOM = "crash";
    private static final java.util.concurrent.ExecutorService THREADS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void h2FileDatabaseSurvivesSigkill() throws Exception {
        Path dir = Path.of("target", "crash", "h2-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(dir);
        // H2's default URL, as the example server uses it: no ;WRITE_DELAY=0. H2 would write a commit
        // to its file up to 500 ms later and a SIGKILL lost acknowledged messages (44 and 49 in the first
        // cycle of two runs), until JdbcMessageStore began to SET WRITE_DELAY 0 on every H2 database.
        String url = "jdbc:h2:file:" + dir.resolve("parley");
        Result r = run(url, "parley_", null);
        report("H2 file", r);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void postgresqlSurvivesSigkill() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:5432/test";
        requireReachable(url, "postgres");
        String prefix = "crash_" + Long.toHexString(System.nanoTime() & 0xffffffL) + "_";
        try {
            Result r = run(url, prefix, "postgres");
            report("PostgreSQL", r);
        } finally {
            try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
                for (String t : List.of("message", "conversation", "schema_version")) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + t);
                }
            }
        }
    }

    /** What one database's run measured. */
    record Result(int cycles, int acknowledged, int lost, int resent, long seqHead, int fullChecks) {
    }

    /** What the checks so far established: seqs 1..head stored without gap, and the id stored at each. */
    private static final class Verified {
        long head;
        final Map<String, Long> stored = new HashMap<>(); // id -> seq
        int fullChecks;
    }

    private static void report(String db, Result r) {
        // One line per database in target/crash-results.txt, for RELIABILITY.md.
        String line = db + ": cycles=" + r.cycles() + " acknowledged=" + r.acknowledged() + " lost=" + r.lost()
                + " resent-after-crash=" + r.resent() + " head=" + r.seqHead() + " full-checks=" + r.fullChecks()
                + " seed=" + SEED + "\n";
        try {
            Files.writeString(Path.of("target", "crash-results.txt"), line, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(0, r.lost(), db + ": acknowledged messages lost");
        if (MINUTES == 0) {
            assertEquals(CYCLES, r.cycles());
        } else {
            assertTrue(r.cycles() >= 1, "no cycle within the time budget");
        }
    }

    private Result run(String url, String prefix, String user) throws Exception {
        Random random = new Random(SEED);
        Map<String, Long> acked = new LinkedHashMap<>(); // id -> seq, over all cycles
        Map<String, Long> unverified = new HashMap<>();  // id -> seq, acknowledged since the last check
        Map<String, String> texts = new HashMap<>();     // id -> text, every id ever sent
        List<String> unacked = new ArrayList<>();         // sent in the last cycle, no ACK seen
        Verified verified = new Verified();
        int resent = 0;
        int[] next = new int[WRITERS];
        long started = System.nanoTime();
        int cycles = 0;
        for (int cycle = 0; cycle <= CYCLES; cycle++) {
            try (Child child = Child.start(url, prefix, user)) {
                try {
                    boolean last = cycle == CYCLES
                            || (MINUTES > 0 && System.nanoTime() - started > TimeUnit.MINUTES.toNanos(MINUTES));
                    // Check what the previous cycle left behind.
                    boolean full = last || (cycle > 0 && cycle % FULL_EVERY == 0);
                    verify(child.port, verified, full ? acked : unverified, texts, full);
                    unverified.clear();
                    if (cycle > 0) {
                        cycles = cycle;
                        progress(url, cycles, acked.size(), verified.head, full);
                    }
                    if (last) {
                        break;
                    }
                    // Resend what was never acknowledged, with the same ids: stored at most once.
                    List<RawClient> writers = new ArrayList<>();
                    for (int w = 0; w < WRITERS; w++) {
                        RawClient c = RawClient.connect(child.port, "w" + w);
                        c.hello("w" + w);
                        c.join(ROOM);
                        writers.add(c);
                    }
                    for (String id : unacked) {
                        RawClient c = writers.get(Integer.parseInt(id.substring(1, id.indexOf('-'))));
                        Frame ack = c.call("SEND room=" + ROOM + " id=" + id + " :" + texts.get(id));
                        assertEquals("ACK", ack.verb(), "resend of " + id + ": " + ack);
                        acked.put(id, Long.parseLong(ack.field("seq")));
                        unverified.put(id, Long.parseLong(ack.field("seq")));
                        resent++;
                    }
                    unacked.clear();
                    // Send from all writers until a random number of ACKs has arrived, then SIGKILL.
                    AtomicInteger acks = new AtomicInteger();
                    int killAfter = 1 + random.nextInt(300);
                    List<CompletableFuture<Map<String, Long>>> running = new ArrayList<>();
                    List<List<String>> sentBy = new ArrayList<>();
                    for (int w = 0; w < WRITERS; w++) {
                        List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
                        sentBy.add(sent);
                        int writer = w;
                        RawClient c = writers.get(w);
                        running.add(CompletableFuture.supplyAsync(
                                () -> write(c, writer, next, texts, sent, acks), THREADS));
                    }
                    RawClient.awaitTrue(killAfter + " ACKs before the kill", () -> acks.get() >= killAfter);
                    child.kill();
                    for (int w = 0; w < WRITERS; w++) {
                        Map<String, Long> got = running.get(w).get(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS);
                        acked.putAll(got);
                        unverified.putAll(got);
                        for (String id : sentBy.get(w)) {
                            if (!got.containsKey(id)) {
                                unacked.add(id);
                            }
                        }
                    }
                } catch (Throwable t) {
                    child.dumpThreads(t);
                    throw t;
                }
            }
        }
        return new Result(cycles, acked.size(), 0, resent, verified.head, verified.fullChecks);
    }

    /** One line per verified cycle, so a long run interrupted by hand still tells how far it got. */
    private static void progress(String url, int cycles, int acknowledged, long head, boolean full) {
        try {
            Files.writeString(Path.of("target", "crash-progress.txt"), java.time.Instant.now() + " " + url
                    + " cycles=" + cycles + " acknowledged=" + acknowledged + " head=" + head
                    + " check=" + (full ? "full" : "new") + " lost=0\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sends with a window of {@link #WINDOW} until the connection dies; returns the ACKs it saw (id -> seq). */
    private static Map<String, Long> write(RawClient c, int writer, int[] next, Map<String, String> texts,
            List<String> sent, AtomicInteger acks) {
        Map<String, Long> got = new HashMap<>();
        java.util.ArrayDeque<String> window = new java.util.ArrayDeque<>();
        while (true) {
            while (window.size() < WINDOW) {
                String id = "w" + writer + "-" + next[writer]++;
                String text = "crash text " + id + " \u00e9\u20ac";
                synchronized (texts) {
                    texts.put(id, text);
                }
                sent.add(id);
                if (!c.trySendBytes(("SEND room=" + ROOM + " id=" + id + " ref=" + id + " :" + text + "\n")
                        .getBytes(StandardCharsets.UTF_8))) {
                    return drain(c, got, acks);
                }
                window.add(id);
            }
            String id = window.poll();
            Frame f = c.poll(fr -> id.equals(fr.field("ref")), RawClient.WAIT);
            if (f == null) {
                return drain(c, got, acks); // the server died
            }
            if (!f.verb().equals("ACK")) {
                fail("SEND " + id + " answered " + f);
            }
            got.put(id, Long.parseLong(f.field("seq")));
            acks.incrementAndGet();
        }
    }

    /** Every ACK that arrived before the connection died. */
    private static Map<String, Long> drain(RawClient c, Map<String, Long> got, AtomicInteger acks) {
        c.awaitClosed(RawClient.WAIT);
        for (Frame f : c.received()) {
            if (f.verb().equals("ACK") && f.has("id") && !got.containsKey(f.field("id"))) {
                got.put(f.field("id"), Long.parseLong(f.field("seq")));
                acks.incrementAndGet();
            }
        }
        c.close();
        return got;
    }

    /**
     * Reads the room after {@code verified.head} (from seq 1 when {@code full}) and asserts: the seqs read
     * continue the verified ones without gap or duplicate, each text is one that was sent under its id, no
     * id is stored twice, and every acknowledgement in {@code mustHold} (id -> seq) is stored at that seq.
     * On success {@code verified} covers the new head.
     */
    private static void verify(int port, Verified verified, Map<String, Long> mustHold, Map<String, String> texts,
            boolean full) {
        RawClient reader = RawClient.connect(port, "reader");
        reader.hello("reader");
        reader.join(ROOM); // HISTORY of a room needs membership
        long from = full ? 0 : verified.head;
        Map<Long, Frame> bySeq = new LinkedHashMap<>();
        long after = from;
        while (true) {
            List<Frame> page = reader.callAll("HISTORY room=" + ROOM + " after=" + after + " limit=500");
            Frame end = page.get(page.size() - 1);
            assertEquals("END", end.verb(), page.toString());
            for (Frame f : page) {
                if (f.verb().equals("MSG")) {
                    long seq = Long.parseLong(f.field("seq"));
                    if (bySeq.put(seq, f) != null) {
                        fail("seq " + seq + " returned twice");
                    }
                    after = Math.max(after, seq);
                }
            }
            if (!"1".equals(end.field("more")) && Integer.parseInt(end.field("count")) < 500) {
                break;
            }
        }
        reader.close();
        long head = from + bySeq.size();
        for (long seq = from + 1; seq <= head; seq++) {
            if (!bySeq.containsKey(seq)) {
                fail("seq gap: " + seq + " missing of " + (from + 1) + ".." + head);
            }
        }
        if (full && head < verified.head) {
            fail("head went back from " + verified.head + " to " + head);
        }
        Map<String, Long> earlier = full ? Map.of() : verified.stored; // ids verified before, still valid
        Map<String, Long> idToSeq = new HashMap<>();
        for (Frame f : bySeq.values()) {
            String text = f.text();
            String id = text.substring("crash text ".length(), text.indexOf(' ', "crash text ".length()));
            String expected;
            synchronized (texts) {
                expected = texts.get(id);
            }
            assertEquals(expected, text, "a stored message nobody sent");
            Long previous = idToSeq.put(id, Long.parseLong(f.field("seq")));
            if (previous == null) {
                previous = earlier.get(id);
            }
            if (previous != null) {
                fail("id " + id + " stored twice: seqs " + previous + " and " + f.field("seq"));
            }
        }
        int lost = 0;
        StringBuilder missing = new StringBuilder();
        for (Map.Entry<String, Long> e : mustHold.entrySet()) {
            Long seq = idToSeq.getOrDefault(e.getKey(), earlier.get(e.getKey()));
            if (!e.getValue().equals(seq)) {
                lost++;
                if (missing.length() < 500) {
                    missing.append(e.getKey()).append(" acked seq ").append(e.getValue()).append(" found ")
                            .append(seq).append("; ");
                }
            }
        }
        assertEquals(0, lost, "acknowledged but lost or moved: " + missing);
        verified.head = head;
        if (full) {
            verified.stored.clear();
        }
        verified.stored.putAll(idToSeq);
        if (full) {
            verified.fullChecks++;
        }
    }

    private static void requireReachable(String url, String user) {
        try (Connection c = DriverManager.getConnection(url + "?connectTimeout=5", user, null)) {
            c.isValid(5);
        } catch (SQLException e) {
            String message = "PostgreSQL not reachable at " + url + " (" + e.getMessage() + ")";
            if ("1".equals(System.getenv("PARLEY_REQUIRE_DATABASES"))) {
                fail(message + "; PARLEY_REQUIRE_DATABASES=1 requires it");
            }
            Assumptions.abort(message + " (set PARLEY_REQUIRE_DATABASES=1 to fail instead)");
        }
    }

    /** The child JVM running {@link CrashServerMain}. */
    static final class Child implements AutoCloseable {
        final Process process;
        final int port;

        private Child(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Child start(String url, String prefix, String user) throws Exception {
            String javaCommand = ProcessHandle.current().info().command().orElseThrow();
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of(javaCommand, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Xmx256m", "-Dparley.test.log=target/crash-child.log",
                    "-cp", cp, CrashServerMain.class.getName(), url, prefix));
            if (user != null) {
                cmd.add(user);
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    StringBuilder seen = new StringBuilder();
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("listening on ")) {
                            // keep draining the child's output so it never blocks on a full pipe
                            Thread.ofVirtual().start(() -> drainQuietly(out));
                            return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
                        }
                        seen.append(line).append('\n');
                    }
                    throw new IllegalStateException("child exited before listening:\n" + seen);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, THREADS);
            try {
                return new Child(p, port.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                p.destroyForcibly();
                throw e;
            }
        }

        private static void drainQuietly(BufferedReader out) {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException e) {
                // child gone
            }
        }

        /**
         * A cycle failed while this child runs: its thread dump goes to target/crash-threads-PID.txt and
         * is named in the failure, so a server that stopped answering can be looked at afterwards.
         */
        void dumpThreads(Throwable failure) {
            if (!process.isAlive()) {
                return;
            }
            Path dump = Path.of("target", "crash-threads-" + process.pid() + ".txt").toAbsolutePath();
            try {
                Path javaCommand = Path.of(ProcessHandle.current().info().command().orElseThrow());
                Process jcmd = new ProcessBuilder(javaCommand.resolveSibling("jcmd").toString(),
                        Long.toString(process.pid()), "Thread.dump_to_file", dump.toString())
                        .redirectErrorStream(true).start();
                jcmd.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                if (jcmd.waitFor(30, TimeUnit.SECONDS) && Files.exists(dump)) {
                    failure.addSuppressed(new AssertionError("the server's threads at the failure: " + dump));
                }
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** SIGKILL, and wait until the process is gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("child did not die after SIGKILL");
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }
    }
}
