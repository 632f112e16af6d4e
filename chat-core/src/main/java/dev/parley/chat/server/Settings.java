package dev.parley.chat.server;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.transport.Transport;
import java.time.Duration;
import java.util.List;

/** The validated, immutable settings of one server (built by {@link ChatServer.Builder}). */
record Settings(
        List<Transport> transports,
        MessageStore store,
        Authenticator authenticator,
        MessageFilter filter,
        ServerListener listener,
        int listenerQueueSize,
        int maxConnections,
        int maxConnectionsPerAddress,
        Duration handshakeTimeout,
        Duration pingInterval,
        Duration pingTimeout,
        int maxRoomsPerConnection,
        int maxLineLength,
        long maxDiscardedLine,
        int maxTextLength,
        double ratePerSecond,
        int rateBurst,
        int floodRefusals,
        Duration floodWindow,
        int outboundQueueBytes,
        Duration writeTimeout,
        int directWriteMaxRecipients,
        int joinReplay,
        int maxReplay,
        int maxHistoryLimit,
        Duration drainTimeout,
        java.time.InstantSource clock,
        Ticker ticker,
        dev.parley.chat.server.spi.Cluster cluster,
        ServerMetrics metrics,
        String serverName,
        int newRoomsPerMinute,
        int newRoomBurst,
        int roomsPageSize,
        AccessPolicy accessPolicy,
        Identities identities) {

    /** The effective configuration for a DEBUG log line (no secrets are held here). */
    String describe() {
        return "transports=" + transports.stream().map(Transport::name).toList()
                + " store=" + store.getClass().getSimpleName()
                + " metrics=" + metrics.getClass().getName()
                + " maxConnections=" + maxConnections
                + " maxConnectionsPerAddress=" + maxConnectionsPerAddress
                + " handshakeTimeout=" + handshakeTimeout.toMillis() + "ms"
                + " pingInterval=" + pingInterval.toMillis() + "ms"
                + " pingTimeout=" + pingTimeout.toMillis() + "ms"
                + " maxRoomsPerConnection=" + maxRoomsPerConnection
                + " maxLineLength=" + maxLineLength
                + " maxTextLength=" + maxTextLength
                + " rateLimit=" + ratePerSecond + "/s burst " + rateBurst
                + " flood=" + floodRefusals + " in " + floodWindow.toMillis() + "ms"
                + " outboundQueueBytes=" + outboundQueueBytes
                + " writeTimeout=" + writeTimeout.toMillis() + "ms"
                + " directWriteMaxRecipients=" + directWriteMaxRecipients
                + " joinReplay=" + joinReplay
                + " maxReplay=" + maxReplay
                + " maxHistoryLimit=" + maxHistoryLimit
                + " drainTimeout=" + drainTimeout.toMillis() + "ms"
                + " newRoomLimit=" + newRoomsPerMinute + "/min burst " + newRoomBurst
                + " roomsPageSize=" + roomsPageSize
                + " accessPolicy=" + accessPolicy.getClass().getName()
                + " cluster=" + (cluster == null ? "none" : cluster.getClass().getName());
    }
}
