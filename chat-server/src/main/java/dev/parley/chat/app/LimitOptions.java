package dev.parley.chat.app;

import dev.parley.chat.server.ChatServer;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The server's limits and timeouts: one option per {@link ChatServer.Builder} setting; unset keeps its default. */
final class LimitOptions {
    @Option(names = "--max-connections", paramLabel = "N", order = 50,
            description = "Connections at once; more get SERVER_FULL (default 10000).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N", order = 51,
            description = "Connections at once from one IP address (default 256).")
    Integer maxConnectionsPerAddress;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", order = 52,
            converter = Converters.DurationConverter.class,
            description = "Time from connect to HELLO (default 10s).")
    Duration handshakeTimeout;

    @Option(names = "--ping-interval", paramLabel = "DURATION", order = 53,
            converter = Converters.DurationConverter.class,
            description = "Silence after which the server sends PING (default 30s).")
    Duration pingInterval;

    @Option(names = "--ping-timeout", paramLabel = "DURATION", order = 54,
            converter = Converters.DurationConverter.class,
            description = "Time without an answer to PING before closing (default 30s).")
    Duration pingTimeout;

    @Option(names = "--max-rooms-per-connection", paramLabel = "N", order = 55,
            description = "Rooms one connection may be in (default 100).")
    Integer maxRoomsPerConnection;

    @Option(names = "--max-line-length", paramLabel = "SIZE", order = 56, converter = Converters.SizeConverter.class,
            description = "Longest protocol line (default 16KiB).")
    Long maxLineLength;

    @Option(names = "--max-discarded-line", paramLabel = "SIZE", order = 57, converter = Converters.SizeConverter.class,
            description = "An over-long line this big closes the connection (default 1MiB).")
    Long maxDiscardedLine;

    @Option(names = "--max-text-length", paramLabel = "SIZE", order = 58, converter = Converters.SizeConverter.class,
            description = "Longest message text in UTF-8 bytes (default 4096).")
    Long maxTextLength;

    @Option(names = "--rate-limit", paramLabel = "PER_SECOND", order = 59,
            description = "Frames per second one connection may send, sustained (default 50).")
    Double rateLimit;

    @Option(names = "--rate-burst", paramLabel = "N", order = 60,
            description = "Frames one connection may send at once above the rate (default 100).")
    Integer rateBurst;

    @Option(names = "--flood-limit", paramLabel = "N", order = 61,
            description = "Refused frames within --flood-window that close the connection (default 100).")
    Integer floodLimit;

    @Option(names = "--flood-window", paramLabel = "DURATION", order = 62,
            converter = Converters.DurationConverter.class, description = "See --flood-limit (default 10s).")
    Duration floodWindow;

    @Option(names = "--outbound-queue-bytes", paramLabel = "SIZE", order = 63, converter = Converters.SizeConverter.class,
            description = "Bytes queued for one connection before it is closed as a slow consumer (default 1MiB).")
    Long outboundQueueBytes;

    @Option(names = "--write-timeout", paramLabel = "DURATION", order = 64,
            converter = Converters.DurationConverter.class,
            description = "Longest one write may stall before closing as a slow consumer (default 10s).")
    Duration writeTimeout;

    @Option(names = "--direct-write-max-recipients", paramLabel = "N", order = 65,
            description = "A performance knob, see docs/concurrency.md (default 4).")
    Integer directWriteMaxRecipients;

    @Option(names = "--join-replay", paramLabel = "N", order = 66,
            description = "Messages replayed on a JOIN without since= (default 50).")
    Integer joinReplay;

    @Option(names = "--max-replay", paramLabel = "N", order = 67,
            description = "Most messages replayed on a JOIN with since= (default 1000).")
    Integer maxReplay;

    @Option(names = "--max-history-limit", paramLabel = "N", order = 68,
            description = "Largest HISTORY page; larger limits are clamped (default 500).")
    Integer maxHistoryLimit;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", order = 69,
            converter = Converters.DurationConverter.class,
            description = "On shutdown, time for queued messages to go out (default 5s).")
    Duration drainTimeout;

    @Option(names = "--listener-queue-size", paramLabel = "N", order = 70,
            description = "Join/leave log events held before some are dropped (default 10000).")
    Integer listenerQueueSize;

    @Option(names = "--new-room-limit", paramLabel = "PER_MINUTE", order = 71,
            description = "New rooms one user, and one address, may make per minute after the burst; more get TOO_MANY_ROOMS (default 10).")
    Integer newRoomLimit;

    @Option(names = "--new-room-burst", paramLabel = "N", order = 72,
            description = "New rooms one user, and one address, may make at once (default 100).")
    Integer newRoomBurst;

    @Option(names = "--rooms-page-size", paramLabel = "N", order = 73,
            description = "Most rooms in one answer to ROOMS; the client asks for the next page (default 200).")
    Integer roomsPageSize;

    /** The defaults of ChatServer.Builder for the settings that take two values. */
    private static final double DEFAULT_RATE = 50;
    private static final int DEFAULT_BURST = 100;
    private static final int DEFAULT_FLOOD = 100;
    private static final Duration DEFAULT_FLOOD_WINDOW = Duration.ofSeconds(10);
    private static final int DEFAULT_NEW_ROOMS = 10;
    private static final int DEFAULT_NEW_ROOM_BURST = 100;

    /** Sets every limit that was given; the builder validates the values. */
    void applyTo(ChatServer.Builder b) {
        if (maxConnections != null) {
            b.maxConnections(maxConnections);
        }
        if (maxConnectionsPerAddress != null) {
            b.maxConnectionsPerAddress(maxConnectionsPerAddress);
        }
        if (handshakeTimeout != null) {
            b.handshakeTimeout(handshakeTimeout);
        }
        if (pingInterval != null) {
            b.pingInterval(pingInterval);
        }
        if (pingTimeout != null) {
            b.pingTimeout(pingTimeout);
        }
        if (maxRoomsPerConnection != null) {
            b.maxRoomsPerConnection(maxRoomsPerConnection);
        }
        if (maxLineLength != null) {
            b.maxLineLength(Converters.intSize(maxLineLength, "--max-line-length"));
        }
        if (maxDiscardedLine != null) {
            b.maxDiscardedLine(maxDiscardedLine);
        }
        if (maxTextLength != null) {
            b.maxTextLength(Converters.intSize(maxTextLength, "--max-text-length"));
        }
        if (rateLimit != null || rateBurst != null) {
            b.rateLimit(rateLimit == null ? DEFAULT_RATE : rateLimit, rateBurst == null ? DEFAULT_BURST : rateBurst);
        }
        if (floodLimit != null || floodWindow != null) {
            b.floodLimit(floodLimit == null ? DEFAULT_FLOOD : floodLimit, floodWindow == null ? DEFAULT_FLOOD_WINDOW : floodWindow);
        }
        if (outboundQueueBytes != null) {
            b.outboundQueueBytes(Converters.intSize(outboundQueueBytes, "--outbound-queue-bytes"));
        }
        if (writeTimeout != null) {
            b.writeTimeout(writeTimeout);
        }
        if (directWriteMaxRecipients != null) {
            b.directWriteMaxRecipients(directWriteMaxRecipients);
        }
        if (joinReplay != null) {
            b.joinReplay(joinReplay);
        }
        if (maxReplay != null) {
            b.maxReplay(maxReplay);
        }
        if (maxHistoryLimit != null) {
            b.maxHistoryLimit(maxHistoryLimit);
        }
        if (drainTimeout != null) {
            b.drainTimeout(drainTimeout);
        }
        if (listenerQueueSize != null) {
            b.listenerQueueSize(listenerQueueSize);
        }
        if (newRoomLimit != null || newRoomBurst != null) {
            b.newRoomLimit(newRoomLimit == null ? DEFAULT_NEW_ROOMS : newRoomLimit,
                    newRoomBurst == null ? DEFAULT_NEW_ROOM_BURST : newRoomBurst);
        }
        if (roomsPageSize != null) {
            b.roomsPageSize(roomsPageSize);
        }
    }
}
