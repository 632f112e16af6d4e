package dev.parley.chat.server;

import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.transport.Connection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state of one server: sessions, online users, rooms, direct conversations, counters.
 * Nothing here is static; two servers share nothing.
 *
 * <p>Locks: {@link #lock} guards {@code users} and {@code perAddress} and is never held while
 * taking a room lock or doing I/O. Room locks ({@link Conversation#lock}) are taken one at a time.
 */
final class Hub {
    private static final Logger log = LoggerFactory.getLogger(Hub.class);

    final Settings settings;
    final MessageStore store;
    final Counters counters;
    final Events events;
    final MessageBus bus;
    private final AtomicLong ids = new AtomicLong();

    final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, DirectConversation> directs = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition sessionsChanged = lock.newCondition();
    /** Guarded by lock. */
    private final Map<String, User> users = new HashMap<>();
    /** Guarded by lock. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    /** Guarded by lock: admitted sessions. */
    private int admitted;
    volatile boolean accepting = true;

    Hub(Settings settings, String name) {
        this.settings = settings;
        this.store = settings.store();
        this.counters = new Counters(settings.metrics());
        this.events = new Events(settings.listener(), settings.listenerQueueSize(), counters, name + "-events");
        this.bus = new LocalBus(store, counters);
    }

    /** Loads the rooms that have history, so they exist for WHO/ROOMS/JOIN replay after a restart. */
    void loadRooms() {
        for (String key : store.conversations()) {
            if (Conversations.isRoom(key)) {
                String name = Wire.canonicalRoom(Conversations.roomName(key));
                if (name != null) {
                    room(name, true);
                }
            }
        }
    }

    /** Called on a transport's accepting thread: must not block. */
    void accept(Connection connection) {
        long id = ids.incrementAndGet();
        Session session = new Session(id, this, connection);
        if (!accepting) {
            counters.refused(connection.transportName(), ServerMetrics.Refusal.SHUTTING_DOWN);
            connection.close();
            return;
        }
        sessions.put(id, session);
        counters.connectionsTotal.increment();
        Thread.ofVirtual().name("parley-c" + id).start(session::run);
    }

    /** Whether the session may stay (connection limits); counts it if so. */
    boolean admit(Session session) {
        InetAddress address = addressOf(session.remote);
        ServerMetrics.Refusal refusal = null;
        lock.lock();
        try {
            if (admitted >= settings.maxConnections()) {
                refusal = ServerMetrics.Refusal.SERVER_FULL;
            } else if (address != null && perAddress.getOrDefault(address, 0) >= settings.maxConnectionsPerAddress()) {
                refusal = ServerMetrics.Refusal.ADDRESS_FULL;
            } else {
                admitted++;
                if (address != null) {
                    perAddress.merge(address, 1, Integer::sum);
                }
            }
        } finally {
            lock.unlock();
        }
        if (refusal != null) {
            counters.refused(session.transport, refusal);
            return false;
        }
        counters.accepted(session.transport);
        return true;
    }

    /**
     * The session ended: forgets it (and its admission) and, under the same lock, queues its last
     * listener event, so that {@link #awaitNoSessions} returning means every such event is queued.
     */
    void remove(Session session, boolean wasAdmitted, java.util.function.Consumer<ServerListener> lastEvent) {
        InetAddress address = addressOf(session.remote);
        lock.lock();
        try {
            sessions.remove(session.id);
            if (wasAdmitted) {
                admitted--;
                if (address != null) {
                    perAddress.computeIfPresent(address, (k, v) -> v <= 1 ? null : v - 1);
                }
            }
            events.post(lastEvent);
            sessionsChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static InetAddress addressOf(SocketAddress a) {
        return a instanceof InetSocketAddress isa && !isa.isUnresolved() ? isa.getAddress() : null;
    }

    /** Registers a name for the session, or returns null if the name is taken. */
    User register(Session session, String name, String canonical, boolean shared) {
        lock.lock();
        try {
            User existing = users.get(canonical);
            if (existing == null) {
                User u = new User(name, canonical, shared);
                u.sessions.add(session);
                users.put(canonical, u);
                return u;
            }
            if (existing.shared && shared) {
                existing.sessions.add(session);
                return existing;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    void unregister(Session session, User user) {
        lock.lock();
        try {
            user.sessions.remove(session);
            if (user.sessions.isEmpty() && users.get(user.canonical) == user) {
                users.remove(user.canonical);
            }
        } finally {
            lock.unlock();
        }
    }

    User user(String canonical) {
        if (canonical == null) {
            return null;
        }
        lock.lock();
        try {
            return users.get(canonical);
        } finally {
            lock.unlock();
        }
    }

    int userCount() {
        lock.lock();
        try {
            return users.size();
        } finally {
            lock.unlock();
        }
    }

    /** The room, created if asked (no I/O: its head is read on first use). */
    Room room(String canonical, boolean create) {
        Room r = rooms.get(canonical);
        if (r == null && create) {
            r = rooms.computeIfAbsent(canonical, n -> new Room(n, this));
        }
        return r;
    }

    /** Drops a retired room from the map, unless a newer room of that name is there already. */
    void forget(Room room) {
        rooms.remove(room.name, room);
    }

    List<Room> rooms() {
        return new ArrayList<>(rooms.values());
    }

    DirectConversation direct(String canonicalA, String canonicalB) {
        String key = Conversations.direct(canonicalA, canonicalB);
        return directs.computeIfAbsent(key, k -> new DirectConversation(canonicalA, canonicalB, this));
    }

    /** Waits until no session is left or the timeout passes; true if none is left. */
    boolean awaitNoSessions(long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!sessions.isEmpty() && left > 0) {
                left = sessionsChanged.awaitNanos(left);
            }
            return sessions.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return sessions.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** One reaper pass: handshake, idle and write-stall deadlines (closing unblocks readers). */
    void reap() {
        long now = System.nanoTime();
        for (Session s : sessions.values()) {
            try {
                s.checkDeadlines(now);
            } catch (RuntimeException e) {
                log.warn("{} deadline check failed", s.tag(), e);
            }
        }
    }

    static long nanos(java.time.Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
