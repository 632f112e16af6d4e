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
    /** One thread per flooder or room maker (the common pool has one thread on a 2-core machine). */
    private static final java.util.concurrent.Executor THREADS = task -> Thread.ofPlatform().daemon().start(task);

    /** Another user's PING round trip (40 a second), idle and while three connections stream PONG lines for 20 s. */
    @Test
    void pingRoundTripDuringAPongFlood() throws Exception {
        try (TestServer s = TestServer.start()) {
            // Alice pings 40 times a second, under her own rate limit (50/s).
            RawClient alice = s.user("alice");
            for (int i = 0; i < 50; i++) {
                alice.call("PING");
            }
            List<Long> idle = new ArrayList<>();
            long idleStart = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                pace(idleStart, i);
                idle.add(roundTrip(alice));
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
                }, THREADS));
            }
            List<Long> during = new ArrayList<>();
            List<Long> whileConnected = new ArrayList<>();
            for (int i = 0; System.nanoTime() - start < FLOOD_NANOS; i++) {
                pace(start, i);
                boolean flooding = running.get() > 0;
                long rtt = roundTrip(alice);
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
                }, THREADS));
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

    /** Heap per room a server holds: 20,000 rooms with one message each loaded from the store; three runs. */
    @Test
    void memoryPerRoom() throws Exception {
        int n = 20_000;
        InMemoryMessageStore store = InMemoryMessageStore.create();
        List<NewMessage> seed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seed.add(new NewMessage(Conversations.room(String.format("room%05d", i)), "ann", "hi", Instant.now(), null));
        }
        store.append(seed);
        heapWithAServerOn(InMemoryMessageStore.create()); // warm-up: classes and caches
        for (int run = 0; run < 3; run++) {
            long without = heapWithAServerOn(InMemoryMessageStore.create());
            long with = heapWithAServerOn(store);
            System.out.printf(Locale.ROOT, "Heap per room (%d rooms loaded, one message each; the store is held in both): %.0f bytes%n",
                    n, (with - without) / (double) n);
        }
        store.close();
    }

    /**
     * Heap after a GC with a server on this store (which loads its rooms at start), after one user came
     * and went (the client, which keeps every frame it read, is gone before the heap is measured).
     */
    private static long heapWithAServerOn(InMemoryMessageStore store) {
        try (TestServer s = TestServer.start(store, b -> b)) {
            try (RawClient u = s.user("u")) {
                u.call("WHO room=room00000");
            }
            return heap();
        }
    }

    /** One PING round trip; waits up to 2 minutes for the PONG (a flood may hold it up for long). */
    private static long roundTrip(RawClient c) {
        String ref = c.ref();
        long t = System.nanoTime();
        c.send("PING ref=" + ref);
        Frame pong = c.poll(f -> ref.equals(f.field("ref")), java.time.Duration.ofMinutes(2));
        if (pong == null) {
            throw new AssertionError("no PONG within 2 minutes");
        }
        return System.nanoTime() - t;
    }

    /** Waits until the {@code i}-th of 40 steps a second after {@code start}. */
    private static void pace(long start, int i) {
        long wait = start + i * 25_000_000L - System.nanoTime();
        if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
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
