package dev.parley.chat.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The server's counters; any thread adds, {@link #snapshot} reads. */
final class Counters {
    final LongAdder connectionsTotal = new LongAdder();
    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder storeAppends = new LongAdder();
    final LongAdder storeFailures = new LongAdder();
    final LongAdder storeNanos = new LongAdder();
    final AtomicLong storeMaxNanos = new AtomicLong();
    final LongAdder listenerDropped = new LongAdder();
    private final Map<DisconnectReason, LongAdder> disconnects = new EnumMap<>(DisconnectReason.class);

    Counters() {
        for (DisconnectReason r : DisconnectReason.values()) {
            disconnects.put(r, new LongAdder());
        }
    }

    void disconnected(DisconnectReason reason) {
        disconnects.get(reason).increment();
    }

    void append(long nanos, boolean failed) {
        storeAppends.increment();
        storeNanos.add(nanos);
        storeMaxNanos.accumulateAndGet(nanos, Math::max);
        if (failed) {
            storeFailures.increment();
        }
    }

    ServerStats snapshot(long connections, long rooms, long users) {
        Map<DisconnectReason, Long> d = new EnumMap<>(DisconnectReason.class);
        disconnects.forEach((k, v) -> d.put(k, v.sum()));
        long appends = storeAppends.sum();
        return new ServerStats(connections, connectionsTotal.sum(), rooms, users, framesIn.sum(), framesOut.sum(),
                bytesIn.sum(), bytesOut.sum(), d, rateLimited.sum(), appends, storeFailures.sum(),
                appends == 0 ? 0 : storeNanos.sum() / appends, storeMaxNanos.get(), listenerDropped.sum());
    }
}
