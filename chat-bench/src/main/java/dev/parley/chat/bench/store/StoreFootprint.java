package dev.parley.chat.bench.store;

import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Memory the in-memory store holds per kept message, as the rooms scenario fills it: {@code messages}
 * appends of a 100-byte text spread over {@code rooms} conversations, one sender object per room (as a
 * server passes its session's name), and, with {@code ids}, a client id per message.
 * Prints the live heap after full collections and the JVM's direct buffer memory (where the store keeps
 * its blocks' bytes), before and after, divided by the messages.
 *
 * <pre>
 * java -cp "$(cat chat-bench/target/bench-classpath.txt)" dev.parley.chat.bench.store.StoreFootprint [messages=1000000] [rooms=500] [ids]
 * </pre>
 * Run it with another build's chat-core first on the class path to compare two stores.
 */
public final class StoreFootprint {
    private StoreFootprint() {
    }

    public static void main(String[] args) {
        int messages = 1_000_000;
        int rooms = 500;
        boolean ids = false;
        for (String a : args) {
            if (a.startsWith("messages=")) {
                messages = Integer.parseInt(a.substring(9));
            } else if (a.startsWith("rooms=")) {
                rooms = Integer.parseInt(a.substring(6));
            } else if (a.equals("ids")) {
                ids = true;
            } else {
                throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        String[] keys = new String[rooms];
        String[] senders = new String[rooms];
        for (int r = 0; r < rooms; r++) {
            keys[r] = "#room" + r;
            senders[r] = "user" + r;
        }
        String payload = "x".repeat(100);
        InMemoryMessageStore store = InMemoryMessageStore.create();
        long before = liveHeap();
        long directBefore = directBuffers();
        Instant start = Instant.now();
        for (int i = 0; i < messages; i++) {
            int r = i % rooms;
            // a fresh text and time per message, as a decoded SEND brings them
            String text = new StringBuilder(payload).append(i).toString();
            Instant time = start.plusMillis(i / 20);
            store.append(List.of(new NewMessage(keys[r], senders[r], text, time, ids ? "c" + i : null)));
        }
        long after = liveHeap();
        long direct = directBuffers() - directBefore;
        System.out.printf(Locale.ROOT,
                "%s: %,d messages in %d conversations%s: %.1f bytes of live heap and %.1f of direct buffers per message%n",
                InMemoryMessageStore.class.getProtectionDomain().getCodeSource().getLocation().getPath(),
                messages, rooms, ids ? " with client ids" : "", (after - before) / (double) messages,
                direct / (double) messages);
        if (store.head(keys[0]) == 0) {
            throw new AssertionError("nothing stored");
        }
    }

    private static long directBuffers() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
