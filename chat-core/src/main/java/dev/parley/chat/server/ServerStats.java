package dev.parley.chat.server;

import java.util.Map;

/**
 * An immutable snapshot of a server's counters, from {@link ChatServer#stats()}.
 *
 * @param connections connections open now
 * @param connectionsTotal connections accepted since start
 * @param rooms rooms the server knows (joined now or with history)
 * @param users distinct names connected now
 * @param framesIn frames received
 * @param framesOut frames sent (a broadcast counts once per recipient)
 * @param bytesIn bytes received
 * @param bytesOut bytes handed to transports
 * @param disconnects connections ended, by reason
 * @param rateLimited frames refused with {@code RATE_LIMITED}
 * @param storeAppends calls to {@code MessageStore.append}
 * @param storeFailures appends that threw
 * @param storeAppendAvgNanos average append latency
 * @param storeAppendMaxNanos largest append latency
 * @param listenerEventsDropped listener events dropped because the listener queue was full
 */
public record ServerStats(
        long connections,
        long connectionsTotal,
        long rooms,
        long users,
        long framesIn,
        long framesOut,
        long bytesIn,
        long bytesOut,
        Map<DisconnectReason, Long> disconnects,
        long rateLimited,
        long storeAppends,
        long storeFailures,
        long storeAppendAvgNanos,
        long storeAppendMaxNanos,
        long listenerEventsDropped) {

    /** Copies the disconnect counts, so the snapshot stays immutable. */
    public ServerStats {
        disconnects = Map.copyOf(disconnects);
    }

    /** Connections closed as slow consumers. */
    public long slowConsumerDisconnects() {
        return disconnects.getOrDefault(DisconnectReason.SLOW_CONSUMER, 0L);
    }

    /** Connections closed for flooding after being rate limited. */
    public long floodDisconnects() {
        return disconnects.getOrDefault(DisconnectReason.FLOOD, 0L);
    }

    /** Connections ended for this reason. */
    public long disconnects(DisconnectReason reason) {
        return disconnects.getOrDefault(reason, 0L);
    }
}
