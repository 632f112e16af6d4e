package dev.parley.chat.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The connections of this server and who may stay: the connection limits (overall and per address),
 * the fence, and waiting for every connection to be gone at shutdown.
 *
 * <p>{@link #lock} guards the counts and is never held while doing I/O or taking another lock (but
 * {@link Events#post}, which never blocks).
 */
final class Admission {
    /** Whether a new connection may stay. */
    enum Verdict { ADMITTED, FULL, ADDRESS_FULL, FENCED }

    private final int maxConnections;
    private final int maxPerAddress;
    private final Fence fence;
    private final Events events;
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    /** Guarded by lock: admitted sessions. */
    private int admitted;
    private volatile boolean accepting = true;

    Admission(Settings s, Fence fence, Events events) {
        this.maxConnections = s.maxConnections();
        this.maxPerAddress = s.maxConnectionsPerAddress();
        this.fence = fence;
        this.events = events;
    }

    /** Whether new connections are taken (false once the server closes). */
    boolean accepting() {
        return accepting;
    }

    void stopAccepting() {
        accepting = false;
    }

    /** A new connection's session is known (before it is admitted): {@link #remove} must follow. */
    void add(Session session) {
        sessions.put(session.id, session);
    }

    Collection<Session> sessions() {
        return sessions.values();
    }

    int size() {
        return sessions.size();
    }

    /** Whether the session may stay (connection limits, fence); counts it if so. */
    Verdict admit(Session session) {
        if (fence.up()) {
            return Verdict.FENCED;
        }
        InetAddress address = addressOf(session.remote);
        lock.lock();
        try {
            if (admitted >= maxConnections) {
                return Verdict.FULL;
            }
            if (address != null && perAddress.getOrDefault(address, 0) >= maxPerAddress) {
                return Verdict.ADDRESS_FULL;
            }
            admitted++;
            if (address != null) {
                perAddress.merge(address, 1, Integer::sum);
            }
            return Verdict.ADMITTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The session ended: forgets it (and its admission) and, under the same lock, queues its last
     * listener event, so that {@link #awaitNone} returning means every such event is queued.
     */
    void remove(Session session, boolean wasAdmitted, Consumer<ServerListener> lastEvent) {
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
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no session is left or the timeout passes; true if none is left. */
    boolean awaitNone(long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!sessions.isEmpty() && left > 0) {
                left = changed.awaitNanos(left);
            }
            return sessions.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return sessions.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private static InetAddress addressOf(SocketAddress a) {
        return a instanceof InetSocketAddress isa && !isa.isUnresolved() ? isa.getAddress() : null;
    }
}
