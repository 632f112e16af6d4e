package dev.parley.chat.server;

import dev.parley.chat.server.spi.Cluster;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.transport.Transport;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The mutable settings behind {@link ChatServer.Builder}, with their defaults, and the one check of
 * them all ({@link #toSettings()}). Only the builder touches it, on the thread that builds.
 */
final class SettingsDraft {
    final List<Transport> transports = new ArrayList<>();
    MessageStore store;
    Authenticator authenticator = Authenticator.anonymous();
    MessageFilter filter = MessageFilter.acceptAll();
    ServerListener listener;
    int listenerQueueSize = 10_000;
    int maxConnections = 10_000;
    int maxConnectionsPerAddress = 256;
    Duration handshakeTimeout = Duration.ofSeconds(10);
    Duration pingInterval = Duration.ofSeconds(30);
    Duration pingTimeout = Duration.ofSeconds(30);
    int maxRoomsPerConnection = 100;
    int maxLineLength = 16_384;
    long maxDiscardedLine = 1 << 20;
    int maxTextLength = 4096;
    double ratePerSecond = 50;
    int rateBurst = 100;
    int floodRefusals = 100;
    Duration floodWindow = Duration.ofSeconds(10);
    int outboundQueueBytes = 1 << 20;
    Duration writeTimeout = Duration.ofSeconds(10);
    int directWriteMaxRecipients = 4;
    int joinReplay = 50;
    int maxReplay = 1000;
    int maxHistoryLimit = 500;
    Duration drainTimeout = Duration.ofSeconds(5);
    InstantSource clock = InstantSource.system();
    ServerMetrics metrics = ServerMetrics.NONE;
    Cluster cluster;
    Ticker ticker = Ticker.SYSTEM;
    int newRoomsPerMinute = 10;
    int newRoomBurst = 100;
    int roomsPageSize = 200;
    AccessPolicy accessPolicy = AccessPolicy.allowAll();
    /** The resume secret, or {@code null} for a random one. */
    byte[] resumeSecret;

    /**
     * Checks every setting and freezes them.
     *
     * @throws IllegalArgumentException naming the first setting that is missing or impossible
     */
    Settings toSettings() {
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("listen: at least one transport is required");
        }
        if (store == null) {
            throw new IllegalArgumentException("store: a MessageStore is required");
        }
        atLeast("listenerQueueSize", listenerQueueSize, 1);
        atLeast("maxConnections", maxConnections, 1);
        atLeast("maxConnectionsPerAddress", maxConnectionsPerAddress, 1);
        positive("handshakeTimeout", handshakeTimeout);
        positive("pingInterval", pingInterval);
        positive("pingTimeout", pingTimeout);
        atLeast("maxRoomsPerConnection", maxRoomsPerConnection, 1);
        atLeast("newRoomLimit perMinute", newRoomsPerMinute, 1);
        atLeast("newRoomLimit burst", newRoomBurst, 1);
        atMost("newRoomLimit perMinute", newRoomsPerMinute, 1_000_000);
        atMost("newRoomLimit burst", newRoomBurst, 1_000_000);
        atLeast("roomsPageSize", roomsPageSize, 1);
        atLeast("maxLineLength", maxLineLength, 256);
        if (maxDiscardedLine < maxLineLength) {
            throw new IllegalArgumentException("maxDiscardedLine must be at least maxLineLength (" + maxLineLength
                    + "), was " + maxDiscardedLine);
        }
        atLeast("maxTextLength", maxTextLength, 1);
        if (maxTextLength > maxLineLength - 64) {
            throw new IllegalArgumentException("maxTextLength must leave room for the frame in maxLineLength ("
                    + maxLineLength + " - 64), was " + maxTextLength);
        }
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rateLimit framesPerSecond must be positive, was " + ratePerSecond);
        }
        atLeast("rateLimit burst", rateBurst, 1);
        atLeast("floodLimit refusedFrames", floodRefusals, 1);
        positive("floodLimit window", floodWindow);
        atLeast("outboundQueueBytes", outboundQueueBytes, 4096);
        positive("writeTimeout", writeTimeout);
        atLeast("directWriteMaxRecipients", directWriteMaxRecipients, 0);
        atLeast("joinReplay", joinReplay, 0);
        atLeast("maxReplay", maxReplay, 1);
        atLeast("maxHistoryLimit", maxHistoryLimit, 1);
        positive("drainTimeout", drainTimeout);
        return new Settings(List.copyOf(transports), store, authenticator, filter, listener,
                listenerQueueSize, maxConnections, maxConnectionsPerAddress, handshakeTimeout, pingInterval,
                pingTimeout, maxRoomsPerConnection, maxLineLength, maxDiscardedLine, maxTextLength, ratePerSecond,
                rateBurst, floodRefusals, floodWindow, outboundQueueBytes, writeTimeout, directWriteMaxRecipients,
                joinReplay, maxReplay, maxHistoryLimit, drainTimeout, clock, ticker, cluster, metrics, "parley/0.1.0",
                newRoomsPerMinute, newRoomBurst, roomsPageSize, accessPolicy,
                resumeSecret == null ? Identities.withRandomSecret() : new Identities(resumeSecret));
    }

    private static void atLeast(String setting, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(setting + " must be at least " + min + ", was " + value);
        }
    }

    private static void atMost(String setting, long value, long max) {
        if (value > max) {
            throw new IllegalArgumentException(setting + " must be at most " + max + ", was " + value);
        }
    }

    private static void positive(String setting, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(setting + " must be a positive duration, was " + d);
        }
    }
}
