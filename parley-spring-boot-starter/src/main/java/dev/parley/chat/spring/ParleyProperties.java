package dev.parley.chat.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Parley's settings under {@code parley.*}: every {@code ChatServer.Builder} setting (same names, same
 * defaults), the TCP port, the WebSocket endpoint, the store and the metrics. IDEs complete them from
 * the configuration metadata generated from this class.
 */
@ConfigurationProperties(prefix = "parley")
public class ParleyProperties {
    /** Whether to run a Parley chat server in this application. */
    private boolean enabled = true;

    /** Listener events held before new ones are dropped. */
    private int listenerQueueSize = 10_000;

    /** Connections at once; more get SERVER_FULL. */
    private int maxConnections = 10_000;

    /** Connections at once from one IP address; more get SERVER_FULL. */
    private int maxConnectionsPerAddress = 256;

    /** Time from connect to HELLO before ERROR code=TIMEOUT. */
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    /** Silence after which the server sends PING. */
    private Duration pingInterval = Duration.ofSeconds(30);

    /** Time after a server PING with no inbound frame before ERROR code=TIMEOUT. */
    private Duration pingTimeout = Duration.ofSeconds(30);

    /** Rooms one connection may be in; more get TOO_MANY_ROOMS. */
    private int maxRoomsPerConnection = 100;

    /** Most rooms in one answer to ROOMS (END more=1 says a next page follows). */
    private int roomsPageSize = 200;

    /** Longest line in bytes (announced as max-line); longer gets LINE_TOO_LONG. */
    private int maxLineLength = 16_384;

    /** Bytes of one over-long line, without LF, after which the connection is closed. */
    private long maxDiscardedLine = 1048576;

    /** Longest message text in UTF-8 bytes (announced as max-text). */
    private int maxTextLength = 4096;

    /** Bytes queued for one connection before it is closed as SLOW_CONSUMER. */
    private int outboundQueueBytes = 1048576;

    /** How long one write may stall before the connection is closed as SLOW_CONSUMER. */
    private Duration writeTimeout = Duration.ofSeconds(10);

    /** Deliveries to at most this many recipients are written from the sender's thread (a performance knob: measure before changing it). */
    private int directWriteMaxRecipients = 4;

    /** Messages replayed on a JOIN without since. */
    private int joinReplay = 50;

    /** Most messages replayed on a JOIN with since (older ones get a GAP). */
    private int maxReplay = 1000;

    /** Largest HISTORY page; bigger limits are clamped to it. */
    private int maxHistoryLimit = 500;

    /** How long shutdown lets queued frames drain before closing connections. */
    private Duration drainTimeout = Duration.ofSeconds(5);

    /**
     * The key of anonymous users' resume tokens (its UTF-8 bytes, at least 16); unset: random per
     * start, so tokens do not survive a restart. The same on every node of a cluster. A secret.
     */
    private String resumeSecret;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getListenerQueueSize() {
        return listenerQueueSize;
    }

    public void setListenerQueueSize(int listenerQueueSize) {
        this.listenerQueueSize = listenerQueueSize;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public int getMaxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
    }

    public Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    public void setHandshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    public Duration getPingInterval() {
        return pingInterval;
    }

    public void setPingInterval(Duration pingInterval) {
        this.pingInterval = pingInterval;
    }

    public Duration getPingTimeout() {
        return pingTimeout;
    }

    public void setPingTimeout(Duration pingTimeout) {
        this.pingTimeout = pingTimeout;
    }

    public int getMaxRoomsPerConnection() {
        return maxRoomsPerConnection;
    }

    public void setMaxRoomsPerConnection(int maxRoomsPerConnection) {
        this.maxRoomsPerConnection = maxRoomsPerConnection;
    }

    public int getRoomsPageSize() {
        return roomsPageSize;
    }

    public void setRoomsPageSize(int roomsPageSize) {
        this.roomsPageSize = roomsPageSize;
    }

    public int getMaxLineLength() {
        return maxLineLength;
    }

    public void setMaxLineLength(int maxLineLength) {
        this.maxLineLength = maxLineLength;
    }

    public long getMaxDiscardedLine() {
        return maxDiscardedLine;
    }

    public void setMaxDiscardedLine(long maxDiscardedLine) {
        this.maxDiscardedLine = maxDiscardedLine;
    }

    public int getMaxTextLength() {
        return maxTextLength;
    }

    public void setMaxTextLength(int maxTextLength) {
        this.maxTextLength = maxTextLength;
    }

    public int getOutboundQueueBytes() {
        return outboundQueueBytes;
    }

    public void setOutboundQueueBytes(int outboundQueueBytes) {
        this.outboundQueueBytes = outboundQueueBytes;
    }

    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public int getDirectWriteMaxRecipients() {
        return directWriteMaxRecipients;
    }

    public void setDirectWriteMaxRecipients(int directWriteMaxRecipients) {
        this.directWriteMaxRecipients = directWriteMaxRecipients;
    }

    public int getJoinReplay() {
        return joinReplay;
    }

    public void setJoinReplay(int joinReplay) {
        this.joinReplay = joinReplay;
    }

    public int getMaxReplay() {
        return maxReplay;
    }

    public void setMaxReplay(int maxReplay) {
        this.maxReplay = maxReplay;
    }

    public int getMaxHistoryLimit() {
        return maxHistoryLimit;
    }

    public void setMaxHistoryLimit(int maxHistoryLimit) {
        this.maxHistoryLimit = maxHistoryLimit;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public String getResumeSecret() {
        return resumeSecret;
    }

    public void setResumeSecret(String resumeSecret) {
        this.resumeSecret = resumeSecret;
    }

    /** Per-connection token bucket. */
    private final RateLimit rateLimit = new RateLimit();

    public RateLimit getRateLimit() {
        return rateLimit;
    }

    /** Closing connections that keep sending after being rate limited. */
    private final FloodLimit floodLimit = new FloodLimit();

    public FloodLimit getFloodLimit() {
        return floodLimit;
    }

    /** New rooms per user and per address; more get TOO_MANY_ROOMS. */
    private final NewRoomLimit newRoomLimit = new NewRoomLimit();

    public NewRoomLimit getNewRoomLimit() {
        return newRoomLimit;
    }

    /** The TCP (and TLS) listener. */
    private final Tcp tcp = new Tcp();

    public Tcp getTcp() {
        return tcp;
    }

    /** The WebSocket endpoint in the application's servlet container. */
    private final Websocket websocket = new Websocket();

    public Websocket getWebsocket() {
        return websocket;
    }

    /** Where history is kept. */
    @NestedConfigurationProperty
    private final ParleyStoreProperties store = new ParleyStoreProperties();

    public ParleyStoreProperties getStore() {
        return store;
    }

    /** Micrometer meters. */
    private final Metrics metrics = new Metrics();

    public Metrics getMetrics() {
        return metrics;
    }

    /** Per-connection token bucket: refused frames get RATE_LIMITED. */
    public static class RateLimit {
        /** Frames per second sustained per connection; more get RATE_LIMITED. */
        private double framesPerSecond = 50;

        /** Frames at once per connection. */
        private int burst = 100;

        public double getFramesPerSecond() {
            return framesPerSecond;
        }

        public void setFramesPerSecond(double framesPerSecond) {
            this.framesPerSecond = framesPerSecond;
        }

        public int getBurst() {
            return burst;
        }

        public void setBurst(int burst) {
            this.burst = burst;
        }

    }

    /** Token buckets of new rooms, one per user and one per address; a room left empty before any message gives its token back. */
    public static class NewRoomLimit {
        /** New rooms per minute, sustained, after the burst. */
        private int perMinute = 10;

        /** New rooms at once. */
        private int burst = 100;

        public int getPerMinute() {
            return perMinute;
        }

        public void setPerMinute(int perMinute) {
            this.perMinute = perMinute;
        }

        public int getBurst() {
            return burst;
        }

        public void setBurst(int burst) {
            this.burst = burst;
        }
    }

    /** A connection with this many refusals within the window is closed. */
    public static class FloodLimit {
        /** Refused frames within the window after which the connection is closed (BYE reason=flood). */
        private int refusedFrames = 100;

        /** The window. */
        private Duration window = Duration.ofSeconds(10);

        public int getRefusedFrames() {
            return refusedFrames;
        }

        public void setRefusedFrames(int refusedFrames) {
            this.refusedFrames = refusedFrames;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }

    }

    /** The TCP (and TLS) listener. */
    public static class Tcp {
        /** Whether to listen for raw TCP (and TLS) clients. */
        private boolean enabled = true;

        /** Address to listen on; all interfaces when not set. */
        private String host;

        /** TCP port; 0 picks a free one. */
        private int port = 7878;

        /** Name of a Spring Boot SSL bundle (spring.ssl.bundle.*): the port then speaks TLS. */
        private String sslBundle;

        /** Time a TLS handshake may take. */
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getSslBundle() {
            return sslBundle;
        }

        public void setSslBundle(String sslBundle) {
            this.sslBundle = sslBundle;
        }

        public Duration getHandshakeTimeout() {
            return handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }

    }

    /** The WebSocket endpoint in the application's servlet container. */
    public static class Websocket {
        /** Whether to mount the WebSocket endpoint in the application's servlet container (when it has Jakarta WebSocket). */
        private boolean enabled = true;

        /** The endpoint's path within the application. */
        private String path = "/chat";

        /** Whether to serve the browser chat page at the application's root path. */
        private boolean page = true;

        /** Origins browsers may connect from besides the same origin (scheme://host[:port], or * for any). */
        private List<String> allowedOrigins = new ArrayList<>();

        /** Largest incoming WebSocket message in bytes; larger ones close with 1009. */
        private int maxMessageSize = 65536;

        /** Messages received and not yet read per connection before the container's thread waits. */
        private int inboxMessages = 16;

        /** Sessions with no traffic at all for this long are closed by the container (well above ping-interval + ping-timeout). */
        private Duration idleTimeout = Duration.ofMinutes(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public boolean isPage() {
            return page;
        }

        public void setPage(boolean page) {
            this.page = page;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public int getMaxMessageSize() {
            return maxMessageSize;
        }

        public void setMaxMessageSize(int maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public int getInboxMessages() {
            return inboxMessages;
        }

        public void setInboxMessages(int inboxMessages) {
            this.inboxMessages = inboxMessages;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

    }

    /** Micrometer meters. */
    public static class Metrics {
        /** Whether to publish Parley's meters to Micrometer (when it is present). */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

    }

}
