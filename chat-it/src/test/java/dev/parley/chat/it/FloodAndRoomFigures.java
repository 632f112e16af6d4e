package dev.parley.chat.it;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The one-off measurements behind RELIABILITY.md's figures for issue 17 points 4 and 6. Not a test: it
 * asserts nothing, uses only settings that main has too (so the same file measures main and the fix),
 * prints what it measured, and runs only when asked:
 * {@code mvn -q verify -pl chat-it -am -Dtest=FloodAndRoomFigures -Dparley.figures=true -Dsurefire.failIfNoSpecifiedTests=false}
 * (output in {@code chat-it/target/surefire-reports/dev.parley.chat.it.FloodAndRoomFigures-output.txt}).
 */
@EnabledIfSystemProperty(named = "parley.figures", matches = "true")
class FloodAndRoomFigures {
    private static final long FLOOD_NANOS = 20_000_000_000L;

    /** Another user's PING round trip, idle and while three connections stream PONG lines for 20 s. */
    @Test
    void pingRoundTripDuringAPongFlood() throws Exception {
        try (TestServer s = TestServer.start()) {
            RawClient alice = s.user("alice");
            for (int i = 0; i < 300; i++) {
                alice.call("PING");
            }
            List<Long> idle = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                long t = System.nanoTime();
                alice.call("PING");
                idle.add(System.nanoTime() - t);
            }
            List<RawClient> flooders = List.of(s.user("f1"), s.user("f2"), s.user("f3"));
            AtomicLong pushed = new AtomicLong();
            AtomicInteger running = new AtomicInteger(flooders.size());
            AtomicLong lastStopped = new AtomicLong();
            long start = System.nanoTime();
            List<CompletableFuture<Void>> floods = new ArrayList<>();
            for (RawClient f : flooders) {
                floods.add(CompletableFuture.runAsync(() -> {
                    byte[] batch = "PONG\n".repeat(13_000).getBytes(StandardCharsets.UTF_8);
                    while (System.nanoTime() - start < FLOOD_NANOS && f.trySendBytes(batch)) {
                        pushed.addAndGet(batch.length);
                    }
                    lastStopped.accumulateAndGet(System.nanoTime() - start, Math::max);
                    running.decrementAndGet();
                }));
            }
            List<Long> during = new ArrayList<>();
            List<Long> whileConnected = new ArrayList<>();
            while (System.nanoTime() - start < FLOOD_NANOS) {
                boolean flooding = running.get() > 0;
                long t = System.nanoTime();
                alice.call("PING");
                long rtt = System.nanoTime() - t;
                during.add(rtt);
                if (flooding) {
                    whileConnected.add(rtt);
                }
            }
            for (CompletableFuture<Void> f : floods) {
                f.join();
            }
            System.out.printf(Locale.ROOT, "PING round trip idle: median %.2f ms, max %.2f ms (%d)%n",
                    ms(median(idle)), ms(max(idle)), idle.size());
            System.out.printf(Locale.ROOT, "PONG flood by 3 connections: %.1f MB pushed; last flooder stopped after %.3f s%n",
                    pushed.get() / 1e6, lastStopped.get() / 1e9);
            System.out.printf(Locale.ROOT, "PING round trip over the 20 s: median %.2f ms, max %.2f ms (%d round trips)%n",
                    ms(median(during)), ms(max(during)), during.size());
            if (!whileConnected.isEmpty()) {
                System.out.printf(Locale.ROOT, "PING round trip while a flooder was still sending: median %.2f ms, max %.2f ms (%d)%n",
                        ms(median(whileConnected)), ms(max(whileConnected)), whileConnected.size());
            }
        }
    }

    /** Rooms 16 connections of one address make in 25 s, each paced under its rate limit; the ROOMS answer then. */
    @Test
    void roomsOneAddressMakesIn25Seconds() throws Exception {
        try (TestServer s = TestServer.start()) {
            int connections = 16;
            long start = System.nanoTime();
            long budget = 25_000_000_000L;
            AtomicInteger made = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<CompletableFuture<Void>> makers = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                RawClient u = s.user("maker" + c);
                int id = c;
                makers.add(CompletableFuture.runAsync(() -> {
                    // 3 frames a room at 15 rooms/s: 45 frames/s, under the default 50/s.
                    for (int i = 0; System.nanoTime() - start < budget; i++) {
                        long due = start + i * 1_000_000_000L / 15;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        String room = "m" + id + "-" + i;
                        Frame joined = u.call("JOIN room=" + room);
                        if (!joined.verb().equals("JOINED")) {
                            refused.incrementAndGet();
                            continue;
                        }
                        u.call("SEND room=" + room + " :x");
                        u.call("PART room=" + room);
                        made.incrementAndGet();
                    }
                }));
            }
            for (CompletableFuture<Void> m : makers) {
                m.join();
            }
            RawClient reader = s.user("reader");
            List<Frame> answer = reader.callAll("ROOMS");
            long bytes = 0;
            for (Frame f : answer) {
                bytes += FrameEncoder.encode(f).length;
            }
            System.out.printf(Locale.ROOT, "Rooms made by one address (16 connections) in 25 s: %d (%d JOINs refused)%n",
                    made.get(), refused.get());
            System.out.printf(Locale.ROOT, "First ROOMS answer after that: %d frames, %d bytes, last %s%n",
                    answer.size(), bytes, answer.get(answer.size() - 1));
        }
    }

    /** Heap per room a server holds: 5,000 rooms with one message each loaded from the store. */
    @Test
    void memoryPerRoom() throws Exception {
        int n = 5000;
        InMemoryMessageStore store = InMemoryMessageStore.create();
        List<NewMessage> seed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seed.add(new NewMessage(Conversations.room(String.format("room%05d", i)), "ann", "hi", Instant.now(), null));
        }
        store.append(seed);
        heapWithAServerOn(InMemoryMessageStore.create()); // warm-up: classes and caches
        long without = heapWithAServerOn(InMemoryMessageStore.create());
        long with = heapWithAServerOn(store);
        System.out.printf(Locale.ROOT, "Heap per room (%d rooms loaded, one message each; the store is held in both): %.0f bytes%n",
                n, (with - without) / (double) n);
        store.close();
    }

    /** Heap after a GC with a server on this store, one user connected and its ROOMS answered. */
    private static long heapWithAServerOn(InMemoryMessageStore store) {
        try (TestServer s = TestServer.start(store, b -> b)) {
            RawClient u = s.user("u");
            u.callAll("ROOMS");
            u.callAll("ROOMS");
            return heap();
        }
    }

    private static long heap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long median(List<Long> xs) {
        List<Long> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static long max(List<Long> xs) {
        return Collections.max(xs);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
