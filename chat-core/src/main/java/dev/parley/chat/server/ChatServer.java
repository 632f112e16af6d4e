package dev.parley.chat.server;

import dev.parley.chat.net.internal.JdkPoller;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.server.spi.Cluster;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable group-chat server speaking Parley protocol v1 (PROTOCOL.md).
 *
 * <pre>{@code
 * try (ChatServer server = ChatServer.builder()
 *         .listen(TcpTransport.port(0))
 *         .store(InMemoryMessageStore.create())
 *         .build()
 *         .start()) {
 *     int port = server.port();
 *     ...
 * }
 * }</pre>
 *
 * <p>One virtual thread reads each connection; replies and broadcasts go through a bounded
 * per-connection queue (see docs/concurrency.md). Several transports may feed the same rooms.
 * A server has no static state: several servers in one JVM are independent. It does not close
 * the {@link MessageStore} it was given.
 *
 * <p>{@link #close()} is graceful: it stops accepting, sends every client
 * {@code ERROR code=SHUTTING_DOWN} then {@code BYE reason=shutdown} behind whatever is already
 * queued for it (a request being handled gets its reply first), waits up to the drain timeout for
 * those to be written, then closes what is left. Every message acknowledged was stored before its
 * ACK was sent.
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

    private final Settings settings;
    private final Hub hub;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final List<Binding> bindings = new ArrayList<>();
    /** Guarded by lock. */
    private State state = State.NEW;

    private enum State { NEW, RUNNING, CLOSED }

    private ChatServer(Settings settings) {
        this.settings = settings;
        this.name = "parley-" + Integer.toHexString(System.identityHashCode(this));
        this.hub = new Hub(settings, name);
    }

    /** A builder with the defaults listed on its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds every transport and starts serving. Returns this server, so {@code build().start()}
     * chains.
     *
     * @throws UncheckedIOException if a transport cannot bind (everything bound so far is closed)
     * @throws IllegalStateException if already started or closed
     */
    public ChatServer start() {
        lock.lock();
        try {
            if (state != State.NEW) {
                throw new IllegalStateException("server was already started");
            }
            log.debug("{} settings: {}", name, settings.describe());
            // Load the Unicode name tables (and the JDK's normalizer) here rather than in the first
            // HELLO: class initialisation there held that connection's carrier thread for ~50 ms, and
            // every other HELLO arriving meanwhile waited for it.
            Names.confusableKeys("parley");
            // Likewise start the JDK's poller for virtual threads blocked on sockets now: made at the
            // first such block, it failed for good if that came while the heap was full (JdkPoller).
            JdkPoller.start();
            hub.directory.loadRooms(settings.store());
            hub.events.start();
            settings.metrics().serverStarted(new Levels(hub));
            boolean clusterStarted = false;
            try {
                if (hub.cluster != null) {
                    clusterStarted = true;
                    hub.cluster.started(hub.node);
                }
                for (Transport t : settings.transports()) {
                    bindings.add(t.bind(hub::accept));
                }
            } catch (IOException | RuntimeException e) {
                bindings.forEach(Binding::close);
                bindings.clear();
                if (clusterStarted) {
                    stopCluster();
                }
                hub.events.stop(0);
                state = State.CLOSED;
                if (e instanceof IOException io) {
                    throw new UncheckedIOException("could not bind: " + e.getMessage(), io);
                }
                throw (RuntimeException) e;
            }
            hub.reaper.start(name + "-reaper");
            state = State.RUNNING;
            log.info("{} started on {}", name, addressesLocked());
            return this;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The port of the first transport that listens on an IP port (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if not running or no transport has a port
     */
    public int port() {
        for (SocketAddress a : addresses()) {
            if (a instanceof InetSocketAddress isa && isa.getPort() > 0) {
                return isa.getPort();
            }
        }
        throw new IllegalStateException("no transport of this server listens on a port");
    }

    /** The addresses of all transports, in the order they were added; empty unless running. */
    public List<SocketAddress> addresses() {
        lock.lock();
        try {
            return addressesLocked();
        } finally {
            lock.unlock();
        }
    }

    private List<SocketAddress> addressesLocked() {
        return bindings.stream().map(Binding::localAddress).toList();
    }

    /** Whether {@link #start()} has run and {@link #close()} has not. */
    public boolean isRunning() {
        lock.lock();
        try {
            return state == State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    /** This server's private rooms, on top of the {@link AccessPolicy}; per node in a cluster (docs/access.md). */
    public RoomAccess access() {
        return hub.roomAccess;
    }

    /** A snapshot of the counters. */
    public ServerStats stats() {
        return hub.counters.snapshot(hub.admission.size(), hub.directory.size(), hub.users.count());
    }

    /**
     * Posts a message as the system or a bot: stored and delivered to the room's members like any
     * message (the message filter does not apply). The room is created if it does not exist.
     *
     * @param room a room name (case-insensitive)
     * @param sender the name shown as {@code from=}; the reserved names {@code system} and
     *     {@code server} are allowed here
     * @return the stored message with its seq
     * @throws IllegalArgumentException if a name is invalid or the text is empty, has NUL or is too long
     * @throws dev.parley.chat.store.StoreException if the store failed (nothing was delivered)
     */
    public StoredMessage post(String room, String sender, String text) {
        checkRunning();
        String canonical = Wire.canonicalRoom(room);
        if (canonical == null) {
            throw new IllegalArgumentException("invalid room name: " + room);
        }
        String lower = sender == null ? null : sender.toLowerCase(java.util.Locale.ROOT);
        if (!"system".equals(lower) && !"server".equals(lower) && Wire.canonicalUser(sender) == null) {
            throw new IllegalArgumentException("invalid sender name: " + sender);
        }
        if (text == null || text.isEmpty() || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text must be non-empty and contain no NUL");
        }
        if (Wire.utf8Length(text) > settings.maxTextLength()) {
            throw new IllegalArgumentException("text is longer than maxTextLength " + settings.maxTextLength());
        }
        Room r = hub.directory.room(canonical, true);
        NewMessage m = new NewMessage(r.key, sender, text, Instant.ofEpochMilli(settings.clock().millis()), null);
        AppendResult result = hub.publisher.publish(List.of(r), List.of(m), null).get(0);
        return result.message();
    }

    /**
     * The names of the rooms that exist (someone is in them, or they have messages), sorted. With a
     * cluster, the rooms of every node.
     */
    public List<String> rooms() {
        return List.copyOf(hub.directory.roomList().keySet());
    }

    /**
     * The names present in a room (with a cluster, on any node), sorted like {@code WHO}: by canonical
     * form in code point order; empty if the room does not exist.
     */
    public List<String> members(String room) {
        String canonical = Wire.canonicalRoom(room);
        List<String> names = canonical == null ? null : hub.directory.members(canonical);
        return names == null ? List.of() : List.copyOf(names);
    }

    /**
     * Disconnects every connection of a user: each gets {@code BYE reason=kicked}, the rooms they
     * were in get {@code LEFT reason=kicked}.
     *
     * With a cluster, the user's connections on other nodes are kicked too.
     *
     * @return how many connections were kicked (0 if the name is not connected); with a cluster, those
     *     of other nodes as far as the cluster knows when this returns
     */
    public int kick(String name) {
        String canonical = Wire.canonicalUser(name);
        if (canonical == null) {
            return 0;
        }
        int n = hub.node.kick(canonical);
        if (hub.cluster != null) {
            n += hub.cluster.kickElsewhere(canonical);
        }
        log.info("{} kicked {} ({} connections)", this.name, dev.parley.chat.protocol.Escaping.forLog(name, 64), n);
        return n;
    }

    /** Tests: the server's parts. */
    Hub hub() {
        return hub;
    }

    private void checkRunning() {
        if (!isRunning()) {
            throw new IllegalStateException("server is not running");
        }
    }

    /**
     * Shuts down gracefully (see the class comment); waits at most about twice the drain timeout.
     * Idempotent.
     */
    @Override
    public void close() {
        List<Binding> toClose;
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.CLOSED;
            if (!wasRunning) {
                return;
            }
            toClose = new ArrayList<>(bindings);
        } finally {
            lock.unlock();
        }
        hub.admission.stopAccepting();
        toClose.forEach(Binding::close);
        if (hub.cluster != null) {
            try {
                hub.cluster.stopping();
            } catch (RuntimeException e) {
                log.warn("{} cluster failed in stopping()", name, e);
            }
        }
        for (Session s : hub.admission.sessions()) {
            s.terminate(DisconnectReason.SHUTDOWN, dev.parley.chat.protocol.ErrorCode.SHUTTING_DOWN,
                    "server is shutting down", null);
        }
        long drain = Hub.nanos(settings.drainTimeout());
        if (!hub.admission.awaitNone(drain)) {
            for (Session s : hub.admission.sessions()) {
                s.out.abort();
            }
            hub.admission.awaitNone(drain);
        }
        if (hub.cluster != null) {
            stopCluster();
        }
        hub.reaper.stop();
        hub.events.stop(settings.drainTimeout().toMillis());
        log.info("{} stopped", name);
    }

    private void stopCluster() {
        try {
            hub.cluster.stopped();
        } catch (RuntimeException e) {
            log.warn("{} cluster failed in stopped()", name, e);
        }
    }

    @Override
    public String toString() {
        return "ChatServer[" + name + " " + addresses() + "]";
    }

    /**
     * Settings of a {@link ChatServer}. Every setting has a default; {@link #build()} checks them all
     * and throws {@link IllegalArgumentException} naming the first impossible one.
     */
    public static final class Builder {
        private final SettingsDraft d = new SettingsDraft();

        private Builder() {
        }

        /** Adds a transport to listen on (at least one is required; several feed the same rooms). */
        public Builder listen(Transport transport) {
            d.transports.add(Objects.requireNonNull(transport, "transport"));
            return this;
        }

        /** The message store (required). The server does not close it. */
        public Builder store(MessageStore store) {
            d.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Who may connect under which name; default {@link Authenticator#anonymous()}. */
        public Builder authenticator(Authenticator authenticator) {
            d.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * The key of anonymous users' resume tokens (HMAC-SHA256, at least 16 bytes; copied): a token
         * from {@code WELCOME resume=} lets a later {@code HELLO} come back as the same identity, with
         * its direct messages. Default: a random key per server instance, so tokens do not survive a
         * restart; set the same secret on every node of a cluster. Keep it secret: whoever has it can
         * make a token for any anonymous identity.
         */
        public Builder resumeSecret(byte[] secret) {
            d.resumeSecret = Objects.requireNonNull(secret, "resumeSecret").clone();
            return this;
        }

        /** Checks or rewrites messages before they are stored; default {@link MessageFilter#acceptAll()}. */
        public Builder messageFilter(MessageFilter filter) {
            d.filter = Objects.requireNonNull(filter, "messageFilter");
            return this;
        }

        /** Observes the server (see {@link ServerListener} for threading); default none. */
        public Builder listener(ServerListener listener) {
            d.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Listener events held before new ones are dropped; default 10000. */
        public Builder listenerQueueSize(int size) {
            d.listenerQueueSize = size;
            return this;
        }

        /** Connections at once; more get {@code SERVER_FULL}; default 10000. */
        public Builder maxConnections(int max) {
            d.maxConnections = max;
            return this;
        }

        /** Connections at once from one IP address; more get {@code SERVER_FULL}; default 256. */
        public Builder maxConnectionsPerAddress(int max) {
            d.maxConnectionsPerAddress = max;
            return this;
        }

        /** Time from connect to HELLO before {@code ERROR code=TIMEOUT}; default 10 s. */
        public Builder handshakeTimeout(Duration timeout) {
            d.handshakeTimeout = timeout;
            return this;
        }

        /** Silence after which the server sends {@code PING}; default 30 s. */
        public Builder pingInterval(Duration interval) {
            d.pingInterval = interval;
            return this;
        }

        /** Time after a server PING with no inbound frame before {@code ERROR code=TIMEOUT}; default 30 s. */
        public Builder pingTimeout(Duration timeout) {
            d.pingTimeout = timeout;
            return this;
        }

        /** Rooms one connection may be in; more get {@code TOO_MANY_ROOMS}; default 100. */
        public Builder maxRoomsPerConnection(int max) {
            d.maxRoomsPerConnection = max;
            return this;
        }

        /**
         * New rooms per identity and per address (token buckets; past them JOIN gets {@code TOO_MANY_ROOMS};
         * a room left empty before any message gives its token back); default 10 a minute, burst 100.
         */
        public Builder newRoomLimit(int perMinute, int burst) {
            d.newRoomsPerMinute = perMinute;
            d.newRoomBurst = burst;
            return this;
        }

        /** Most {@code ROOM} frames in one answer to {@code ROOMS} (its {@code limit=} is clamped to it); default 200. */
        public Builder roomsPageSize(int rooms) {
            d.roomsPageSize = rooms;
            return this;
        }

        /** Longest line in bytes (announced as {@code max-line}); longer gets {@code LINE_TOO_LONG}; default 16384. */
        public Builder maxLineLength(int bytes) {
            d.maxLineLength = bytes;
            return this;
        }

        /** Bytes of one over-long line, without LF, after which the connection is closed; default 1 MiB. */
        public Builder maxDiscardedLine(long bytes) {
            d.maxDiscardedLine = bytes;
            return this;
        }

        /** Longest message text in UTF-8 bytes (announced as {@code max-text}); default 4096. */
        public Builder maxTextLength(int bytes) {
            d.maxTextLength = bytes;
            return this;
        }

        /**
         * Per-connection token bucket: {@code framesPerSecond} sustained, {@code burst} at once;
         * refused frames get {@code RATE_LIMITED}; default 50/s, burst 100.
         */
        public Builder rateLimit(double framesPerSecond, int burst) {
            d.ratePerSecond = framesPerSecond;
            d.rateBurst = burst;
            return this;
        }

        /**
         * A connection with {@code refusedFrames} refused within {@code window} is closed
         * ({@code BYE reason=flood}); default 100 within 10 s.
         */
        public Builder floodLimit(int refusedFrames, Duration window) {
            d.floodRefusals = refusedFrames;
            d.floodWindow = window;
            return this;
        }

        /** Bytes queued for one connection before it is closed as {@code SLOW_CONSUMER}; default 1 MiB. */
        public Builder outboundQueueBytes(int bytes) {
            d.outboundQueueBytes = bytes;
            return this;
        }

        /** How long one write may stall before the connection is closed as {@code SLOW_CONSUMER}; default 10 s. */
        public Builder writeTimeout(Duration timeout) {
            d.writeTimeout = timeout;
            return this;
        }

        /**
         * A delivery to at most this many recipients writes directly from the sender's thread to each
         * recipient whose queue is idle (never blocking: see docs/concurrency.md); a bigger broadcast
         * queues for every recipient so their writers can merge frames into one write. A SEND with no
         * other SEND next to it in its sender's read (light traffic) writes directly to up to four
         * times as many. 0 always queues. Default 4. A performance knob: measure before changing it.
         */
        public Builder directWriteMaxRecipients(int recipients) {
            d.directWriteMaxRecipients = recipients;
            return this;
        }

        /** Messages replayed on a JOIN without {@code since}; default 50. */
        public Builder joinReplay(int messages) {
            d.joinReplay = messages;
            return this;
        }

        /** Most messages replayed on a JOIN with {@code since} (older ones get a {@code GAP}); default 1000. */
        public Builder maxReplay(int messages) {
            d.maxReplay = messages;
            return this;
        }

        /** Largest HISTORY page; bigger limits are clamped to it; default 500. */
        public Builder maxHistoryLimit(int messages) {
            d.maxHistoryLimit = messages;
            return this;
        }

        /** How long {@link ChatServer#close()} lets queued frames drain before closing; default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            d.drainTimeout = timeout;
            return this;
        }

        /**
         * The clock that stamps each message's {@code time}; default the system clock. Order never
         * comes from it (seq does), so a clock that jumps backwards only changes the times shown.
         * Tests use it to play such a clock.
         */
        public Builder clock(java.time.InstantSource clock) {
            d.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Makes this server one node of a cluster (see {@link dev.parley.chat.server.spi}): the cluster
         * supplies the message bus and presence (names, room memberships, JOINED/LEFT) shared with the
         * other nodes, and can fence the node. Default: none, a single server with in-process bus and
         * presence. The {@link #store(MessageStore) store} must be the one the cluster shares.
         */
        public Builder cluster(Cluster cluster) {
            d.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * Where the server reports connections, frames, deliveries, store latencies and the like as
         * they happen (see {@link ServerMetrics}); default {@link ServerMetrics#NONE}.
         * {@link ChatServer#stats()} works either way.
         */
        public Builder metrics(ServerMetrics metrics) {
            d.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * The application's access rules: who may join, read, post in, list and see the members of
         * which room, and send direct messages to whom (see {@link AccessPolicy}, docs/access.md);
         * default {@link AccessPolicy#allowAll()}. {@link ChatServer#access()} adds private rooms on top.
         */
        public Builder accessPolicy(AccessPolicy policy) {
            d.accessPolicy = Objects.requireNonNull(policy, "accessPolicy");
            return this;
        }

        /** Tests: the monotonic clock of deadlines, rate limits and delivery waits. */
        Builder ticker(Ticker ticker) {
            d.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Checks the settings and makes the server (not started).
         *
         * @throws IllegalArgumentException naming the first setting that is missing or impossible
         */
        public ChatServer build() {
            return new ChatServer(d.toSettings());
        }
    }
}
