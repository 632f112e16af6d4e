package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.testing.RawClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server in a child JVM with a small heap ({@link SmallHeapServerMain}), issue 17 points 1 and 2:
 * idle WebSocket connections keep no buffer sized by the history they once read, and a server whose
 * heap ran out accepts TCP and WebSocket connections again once memory is back.
 */
@Timeout(180)
class MemoryExhaustionTest {
    /** 500 messages of 4,000 characters: one HISTORY answer is 2 MB. */
    private static final int MESSAGES = 500;
    private static final String TEXT = "x".repeat(4000);

    /**
     * 80 WebSocket connections each read a 2 MB HISTORY and stay open, in a 64 MB heap. Each used to
     * keep a write buffer the size of its largest write for life: the heap ran out after a few dozen
     * (OutOfMemoryError in the writer), and histories stopped arriving. Now every one of them gets its
     * history, answers a PING afterwards, and a new user is served.
     */
    @Test
    void idleWebSocketConnectionsAfterALargeHistoryFitInASmallHeap() throws Exception {
        try (Child child = Child.start("-Xmx64m")) {
            RawClient writer = RawClient.connect(child.tcp, "writer").hello("writer");
            writer.join("big");
            for (int i = 0; i < MESSAGES; i++) {
                writer.send("SEND room=big id=m" + i + " :" + TEXT);
            }
            for (int i = 0; i < MESSAGES; i++) {
                writer.awaitVerb("ACK");
            }
            List<WsClient> readers = new ArrayList<>();
            try {
                for (int i = 0; i < 80; i++) {
                    WsClient ws = WsClient.connect(child.ws).upgrade();
                    readers.add(ws);
                    ws.sendLine("HELLO proto=1 name=r" + i);
                    ws.awaitLine("WELCOME");
                    ws.sendLine("JOIN room=big ref=j");
                    ws.awaitLine("JOINED");
                    ws.sendLine("HISTORY room=big limit=500 ref=h");
                    String end = ws.awaitLine("END");
                    assertTrue(end.contains("count=500"), "reader " + i + ": " + end);
                }
                for (WsClient ws : readers) {
                    ws.sendLine("PING ref=alive");
                    ws.awaitLine("PONG");
                }
            } finally {
                for (WsClient ws : readers) {
                    ws.close();
                }
            }
            RawClient fresh = RawClient.connect(child.tcp, "fresh").hello("fresh");
            assertEquals("PONG", fresh.call("PING").verb());
            writer.close();
            fresh.close();
        }
    }

    /**
     * The heap is filled until nothing can be allocated, a TCP and a WebSocket client knock meanwhile,
     * then the memory is let go. Both accepting threads used to die of the OutOfMemoryError (and the
     * TCP poller with them), so nothing was ever answered again; now both ports serve new users.
     */
    @Test
    void theServerAcceptsAgainAfterItsHeapRanOut() throws Exception {
        try (Child child = Child.start("-Xmx48m")) {
            servedOverBoth(child, "before");
            child.command('f', "full");
            knock(child.tcp, "HELLO proto=1 name=k1\n");
            knock(child.ws, WsClient.upgradeHead(child.ws));
            child.command('r', "freed");
            servedOverBoth(child, "after");
        }
    }

    /**
     * The JDK starts its poller for virtual threads blocked on sockets in a class initialiser, at the
     * first such block; if the heap was full then, that failed for good, and every WebSocket connection
     * after it failed in its first read although memory had come back (one run of the test above in
     * about 40). The server now starts that poller itself, before any connection: its threads exist
     * while nobody has connected yet.
     */
    @Test
    void theJdkPollerForVirtualThreadsRunsBeforeTheFirstConnection() throws Exception {
        try (Child child = Child.start("-Xmx48m")) {
            List<String> threads = List.of(child.command('t', "threads").split(" "));
            assertTrue(threads.contains("MasterPoller") || threads.contains("Read-Poller"),
                    "no JDK poller thread among " + threads);
        }
    }

    /**
     * The in-memory store keeps its messages' bytes in direct buffers, outside the heap, up to half of
     * the maximum heap. Here the JVM's direct memory limit (2 MiB) is far below that: when the JVM
     * refuses a block's buffer, the store goes on in the heap. Every SEND of 8 MB is acknowledged and
     * readable, the first ones (in direct buffers) and the last (on the heap), and the server goes on
     * answering a new user.
     */
    @Test
    void aStoreRefusedDirectMemoryGoesOnInTheHeap() throws Exception {
        try (Child child = Child.start(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=2m"), "keep-all")) {
            RawClient member = RawClient.connect(child.tcp, "member").hello("member");
            member.join("big");
            RawClient writer = RawClient.connect(child.tcp, "writer").hello("writer");
            writer.join("big");
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                writer.send("SEND room=big id=m" + i + " ref=s" + i + " :" + TEXT);
            }
            Frame last = writer.reply("s" + (n - 1));
            assertEquals("ACK", last.verb(), last.toString());
            assertEquals(Long.toString(n), last.field("seq"));
            assertTrue(writer.received().stream().noneMatch(f -> f.verb().equals("ERROR")), "an ERROR among the replies");

            for (long before : new long[] {21, n + 1}) {
                List<Frame> history = member.callAll("HISTORY room=big before=" + before + " limit=20");
                assertEquals("END", history.get(history.size() - 1).verb(), history.toString());
                assertEquals(20, history.size() - 1, history.toString());
                assertEquals(Long.toString(before - 20), history.get(0).field("seq"));
                assertEquals(TEXT, history.get(19).text());
            }
            RawClient fresh = RawClient.connect(child.tcp, "fresh").hello("fresh");
            assertEquals("JOINED", fresh.join("big").verb());
            assertEquals("PONG", fresh.call("PING").verb());
            writer.close();
            member.close();
            fresh.close();
        }
    }

    private static void servedOverBoth(Child child, String name) throws IOException {
        RawClient tcp = RawClient.connect(child.tcp, name + "-tcp").hello(name + "-tcp");
        assertEquals("PONG", tcp.call("PING").verb());
        tcp.close();
        try (WsClient ws = WsClient.connect(child.ws).upgrade()) {
            ws.sendLine("HELLO proto=1 name=" + name + "-ws ref=h");
            ws.awaitLine("WELCOME");
            ws.sendLine("PING ref=p");
            ws.awaitLine("PONG");
        }
    }

    /**
     * Connects while the server's heap is full and sends a request. Whatever happens to it (answered,
     * closed, or nothing) is fine; it only has to make the accepting thread work with no memory. Each
     * waits at most 2 s for a sign of life, so the heap stays full that long at least.
     */
    private static void knock(int port, String request) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getInputStream().read();
        } catch (IOException e) {
            // refused, reset, closed or timed out: all fine here
        }
    }

    /** The child JVM running {@link SmallHeapServerMain}. */
    static final class Child implements AutoCloseable {
        final Process process;
        /** Every line the child printed, read as it comes so the child never blocks on a full pipe. */
        final LinkedBlockingQueue<String> lines;
        final OutputStream in;
        final int tcp;
        final int ws;

        private Child(Process process, LinkedBlockingQueue<String> lines, int tcp, int ws) {
            this.process = process;
            this.lines = lines;
            this.in = process.getOutputStream();
            this.tcp = tcp;
            this.ws = ws;
        }

        static Child start(String heap) throws Exception {
            return start(List.of(heap));
        }

        /** A child with these JVM options and these arguments for {@link SmallHeapServerMain}. */
        static Child start(List<String> jvm, String... args) throws Exception {
            String java = ProcessHandle.current().info().command().orElseThrow();
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            command.addAll(jvm);
            command.addAll(List.of("-Dparley.test.log=target/small-heap-child.log", "-cp", cp,
                    SmallHeapServerMain.class.getName()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the child is gone
                }
                lines.add(EOF);
            });
            try {
                String[] parts = awaitLine(lines, "listening ").split("[ =]");
                return new Child(p, lines, Integer.parseInt(parts[2]), Integer.parseInt(parts[4]));
            } catch (Exception | AssertionError e) {
                p.destroyForcibly();
                throw e;
            }
        }

        /** Sends a one-byte command and waits for the line that says it is done. */
        String command(char c, String done) throws Exception {
            in.write(c);
            in.flush();
            return awaitLine(lines, done);
        }

        private static final String EOF = "\u0000eof";

        private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix) throws InterruptedException {
            StringBuilder seen = new StringBuilder();
            while (true) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                if (line == null || line.equals(EOF)) {
                    throw new AssertionError("child " + (line == null ? "silent for 60 s" : "ended") + " before '"
                            + prefix + "'; it printed:\n" + seen);
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
                seen.append(line).append('\n');
            }
        }

        @Override
        public void close() throws Exception {
            in.close(); // the child exits when its standard input ends
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
