package dev.parley.chat.server;

import dev.parley.chat.server.spi.Cluster;
import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.transport.Connection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts one server together: makes its parts, each given what it needs through its constructor, and
 * hands new connections to them. Nothing here is static; two servers share nothing. The parts:
 * {@link Admission} (connections and limits), {@link Users} (names online here),
 * {@link RoomDirectory} (rooms and direct conversations), {@link Publisher} (messages in),
 * {@link Dispatcher} and its handlers (requests), {@link Reaper} (deadlines), {@link ServerNode}
 * (what a cluster calls), and the {@link MessageBus} and {@link Presence} (in-process, or a
 * cluster's).
 *
 * <p>Locks, in the order they may be taken: a room's membership lock, then its delivery lock
 * ({@link Conversation#lock}), then an {@link Outbound}'s or {@link Users}'s lock. {@link Admission}'s
 * and presence's locks are never held while taking another. Room locks are taken one at a time.
 */
final class Hub {
    /** How long a missing seq is waited for while this server's own appends are in flight. */
    static final Duration GAP_WAIT = Duration.ofSeconds(1);

    final Settings settings;
    final Counters counters;
    final Events events;
    final Fence fence = new Fence();
    final Admission admission;
    final Users users;
    final RoomDirectory directory;
    final Publisher publisher;
    final Reaper reaper;
    final ServerNode node;
    final Cluster cluster;
    final Session.Shared shared;
    final RoomAccess roomAccess;
    private final AtomicLong ids = new AtomicLong();

    Hub(Settings settings, String name) {
        this.settings = settings;
        this.counters = new Counters(settings.metrics());
        this.cluster = settings.cluster();
        MessageBus bus = cluster != null ? cluster.bus() : new LocalBus(settings.store());
        Presence presence = cluster != null ? cluster.presence() : new LocalPresence();
        if (bus == null || presence == null) {
            throw new IllegalArgumentException("cluster: bus() and presence() must not be null");
        }
        Ticker ticker = settings.ticker();
        this.events = new Events(settings.listener(), settings.listenerQueueSize(), counters, name + "-events");
        this.admission = new Admission(settings, fence, events);
        this.users = new Users(presence);
        GapWaits waits = new GapWaits();
        Conversation.Env env = new Conversation.Env(settings.store(), ticker, nanos(GAP_WAIT),
                task -> Thread.ofVirtual().name(name + "-fetch").start(task), waits, counters);
        this.directory = new RoomDirectory(env, presence, users, events, settings);
        this.publisher = new Publisher(bus, counters, fence);
        this.roomAccess = new RoomAccess(users, directory);
        AccessRules access = new AccessRules(settings.accessPolicy(), roomAccess, users);
        Dispatcher dispatcher = new Dispatcher(settings, counters,
                new HelloHandler(settings, users, events),
                new RoomHandler(settings, directory, settings.store(), fence, counters, access),
                new QueryHandler(settings, directory, users, settings.store(), counters, access));
        this.shared = new Session.Shared(settings, counters, events, ticker, admission, users, dispatcher, publisher,
                directory, access);
        this.reaper = new Reaper(admission, waits, directory, ticker, tickMillis(settings));
        this.node = new ServerNode(name, directory, users, admission, fence);
    }

    /** Called on a transport's accepting thread: must not block. */
    void accept(Connection connection) {
        long id = ids.incrementAndGet();
        if (!admission.accepting()) {
            counters.refused(connection.transportName(), ServerMetrics.Refusal.SHUTTING_DOWN);
            connection.close();
            return;
        }
        Session session = new Session(id, connection, shared);
        admission.add(session);
        counters.connectionsTotal.increment();
        // Decided here, in the order connections were accepted (a short lock, no I/O): with the server
        // at its cap, the connection that came last is the one refused, whichever reader runs first.
        Admission.Verdict verdict = admission.admit(session);
        switch (verdict) {
            case ADMITTED -> counters.accepted(session.transport);
            case FULL -> counters.refused(session.transport, ServerMetrics.Refusal.SERVER_FULL);
            case ADDRESS_FULL -> counters.refused(session.transport, ServerMetrics.Refusal.ADDRESS_FULL);
            case FENCED -> counters.refused(session.transport, ServerMetrics.Refusal.FENCED);
        }
        Thread.ofVirtual().name("parley-c" + id).start(() -> session.run(verdict));
    }

    private static long tickMillis(Settings s) {
        long shortest = Math.min(Math.min(s.handshakeTimeout().toMillis(), s.pingInterval().toMillis()),
                Math.min(s.pingTimeout().toMillis(), s.writeTimeout().toMillis()));
        return Math.max(10, Math.min(250, shortest / 4));
    }

    static long nanos(Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
