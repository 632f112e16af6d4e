package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connect/disconnect churn: clients that register, talk, and leave in every way there is (QUIT, close,
 * reset, never registering), for {@code -Dparley.soak.seconds} (default 15 in CI; 180 by hand). Afterwards
 * file descriptors, live platform threads and heap after GC must be back at their baseline.
 */
class SoakTest {
    private static final long SECONDS = Long.getLong("parley.soak.seconds", 15);

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void churnLeavesNoDescriptorsThreadsOrHeapBehind() throws Exception {
        // Unrecorded: the test's own event log would otherwise hold every disconnect and message.
        try (TestServer s = TestServer.startUnrecorded(InMemoryMessageStore.withRetention(200), b -> b
                .rateLimit(100_000, 100_000).maxConnectionsPerAddress(10_000))) {
            AtomicLong connections = new AtomicLong();
            AtomicLong messages = new AtomicLong();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            // Warm up (classes, JIT, pools), then take the baseline.
            churn(s, pool, 1, connections, messages);
            awaitIdle(s);
            Snapshot baseline = Snapshot.take();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            int rounds = 0;
            while (System.nanoTime() < deadline) {
                churn(s, pool, rounds, connections, messages);
                rounds++;
            }
            awaitIdle(s);
            pool.close();
            Snapshot after = Snapshot.take();
            String summary = "soak " + SECONDS + " s: " + rounds + " rounds, " + connections.get() + " connections, "
                    + messages.get() + " messages; baseline " + baseline + ", after " + after;
            Files.writeString(Path.of("target", "soak-results.txt"), summary + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            assertTrue(rounds > 0, summary);
            assertTrue(after.fds <= baseline.fds + 16, "file descriptors leaked: " + summary);
            assertTrue(after.threads <= baseline.threads + 4, "platform threads leaked: " + summary);
            assertTrue(after.heap <= baseline.heap + (32L << 20), "heap grew: " + summary);
            assertEquals(0, s.server.stats().connections(), summary);
            assertEquals(0, s.server.stats().users(), "users left registered: " + summary);
        }
    }

    /** One round: 40 clients at once, each ending differently. */
    private static void churn(TestServer s, ExecutorService pool, int round, AtomicLong connections,
            AtomicLong messages) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            running.add(pool.submit(() -> {
                RawClient c = s.connect("s" + round + "-" + n);
                connections.incrementAndGet();
                switch (n % 5) {
                    case 0 -> c.close(); // never registers
                    case 1 -> {
                        c.hello("u" + round + "x" + n);
                        c.join("room" + n % 4);
                        c.call("SEND room=room" + n % 4 + " :churn " + round);
                        messages.incrementAndGet();
                        c.send("QUIT");
                        c.assertClosed();
                    }
                    case 2 -> {
                        c.hello("u" + round + "x" + n);
                        c.join("room" + n % 4);
                        c.call("SEND room=room" + n % 4 + " :churn " + round);
                        messages.incrementAndGet();
                        c.close();
                    }
                    case 3 -> {
                        c.hello("u" + round + "x" + n);
                        c.join("room" + n % 4);
                        c.callAll("HISTORY room=room" + n % 4 + " limit=20");
                        c.reset();
                    }
                    default -> {
                        c.sendBytes("HELLO proto=1 na".getBytes(StandardCharsets.US_ASCII)); // half a frame
                        c.reset();
                    }
                }
                c.close();
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void awaitIdle(TestServer s) {
        RawClient.awaitTrue("server has no connections left", () -> s.server.stats().connections() == 0);
    }

    /** File descriptors, live platform threads, heap used after GC. */
    record Snapshot(long fds, int threads, long heap) {
        static Snapshot take() throws IOException {
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = mem.getHeapMemoryUsage().getUsed();
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            return new Snapshot(fds, threads, heap);
        }

        @Override
        public String toString() {
            return "fds=" + fds + " threads=" + threads + " heap=" + (heap >> 20) + " MiB";
        }
    }
}
