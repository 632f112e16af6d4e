package dev.parley.chat.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters, the one place where it counts things: each event adds to the totals
 * {@link #snapshot} reads for {@link ChatServer#stats()} and is passed on to the application's
 * {@link ServerMetrics}. Any thread.
 */
final class Counters {
    private final ServerMetrics metrics;
    final LongAdder connectionsTotal = new LongAdder();
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder storeAppends = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();
    private final LongAdder storeNanos = new LongAdder();
    private final AtomicLong storeMaxNanos = new AtomicLong();
    private final LongAdder listenerDropped = new LongAdder();
    private final Map<DisconnectReason, LongAdder> disconnects = new EnumMap<>(DisconnectReason.class);

    Counters(ServerMetrics metrics) {
        this.metrics = metrics;
        for (DisconnectReason r : DisconnectReason.values()) {
            disconnects.put(r, new LongAdder());
        }
    }

    Counters() {
        this(ServerMetrics.NONE);
    }

    void accepted(String transport) {
        metrics.connectionAccepted(transport);
    }

    void refused(String transport, ServerMetrics.Refusal reason) {
        metrics.connectionRefused(transport, reason);
    }

    void disconnected(String transport, DisconnectReason reason) {
        disconnects.get(reason).increment();
        metrics.disconnected(transport, reason);
    }

    void bytesIn(int n) {
        bytesIn.add(n);
        metrics.bytesReceived(n);
    }

    void frameIn() {
        framesIn.increment();
        metrics.frameReceived();
    }

    void rateLimited() {
        rateLimited.increment();
        metrics.frameRateLimited();
    }

    void sent(int frames, long bytes) {
        framesOut.add(frames);
        bytesOut.add(bytes);
        metrics.framesSent(frames, bytes);
    }

    void delivered(int recipients) {
        metrics.delivered(recipients);
    }

    void append(int messages, long nanos, boolean failed) {
        storeAppends.increment();
        storeNanos.add(nanos);
        storeMaxNanos.accumulateAndGet(nanos, Math::max);
        if (failed) {
            storeFailures.increment();
        }
        metrics.storeAppended(messages, nanos, failed);
    }

    void historyRead(ServerMetrics.Read kind, int messages, long nanos) {
        metrics.historyRead(kind, messages, nanos);
    }

    void listenerDropped() {
        listenerDropped.increment();
        metrics.listenerEventDropped();
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
