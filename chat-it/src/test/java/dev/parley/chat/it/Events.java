package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import dev.parley.chat.server.ServerListener;
import dev.parley.chat.server.ConnectionInfo;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.store.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** A {@link ServerListener} that records what the server reports, for assertions with deadlines. */
final class Events implements ServerListener {
    /** One disconnect as the server reported it. */
    record Disconnect(ConnectionInfo connection, DisconnectReason reason) {
    }

    /** One LEFT as the server reported it. */
    record Left(String room, String name, String reason) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private final List<Disconnect> disconnects = new ArrayList<>();
    /** Guarded by lock. */
    private final List<Left> lefts = new ArrayList<>();
    /** Guarded by lock. */
    private final List<StoredMessage> stored = new ArrayList<>();
    /** Guarded by lock. */
    private int registered;

    @Override
    public void registered(ConnectionInfo connection) {
        add(() -> registered++);
    }

    @Override
    public void left(String room, String name, String reason) {
        add(() -> lefts.add(new Left(room, name, reason)));
    }

    @Override
    public void messageStored(StoredMessage message) {
        add(() -> stored.add(message));
    }

    @Override
    public void disconnected(ConnectionInfo connection, DisconnectReason reason) {
        add(() -> disconnects.add(new Disconnect(connection, reason)));
    }

    private void add(Runnable r) {
        lock.lock();
        try {
            r.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<Disconnect> disconnects() {
        lock.lock();
        try {
            return List.copyOf(disconnects);
        } finally {
            lock.unlock();
        }
    }

    List<Left> lefts() {
        lock.lock();
        try {
            return List.copyOf(lefts);
        } finally {
            lock.unlock();
        }
    }

    List<StoredMessage> stored() {
        lock.lock();
        try {
            return List.copyOf(stored);
        } finally {
            lock.unlock();
        }
    }

    int registered() {
        lock.lock();
        try {
            return registered;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} disconnects match; returns them. */
    List<Disconnect> awaitDisconnects(int n, Predicate<Disconnect> match) {
        return await(() -> disconnects.stream().filter(match).toList(), n, "disconnects");
    }

    /** Waits for the first disconnect of a connection with this name. */
    Disconnect awaitDisconnectOf(String name) {
        return awaitDisconnects(1, d -> name.equals(d.connection().name())).get(0);
    }

    /** Waits until at least {@code n} LEFTs match; returns them. */
    List<Left> awaitLefts(int n, Predicate<Left> match) {
        return await(() -> lefts.stream().filter(match).toList(), n, "lefts");
    }

    /** Waits until {@code n} connections have registered. */
    void awaitRegistered(int n) {
        await(() -> registered >= n ? List.of(registered) : List.of(), 1, "registered >= " + n);
    }

    private <T> List<T> await(java.util.function.Supplier<List<T>> query, int n, String what) {
        long deadline = System.nanoTime() + RawClient.WAIT.toNanos();
        lock.lock();
        try {
            while (true) {
                List<T> found = query.get();
                if (found.size() >= n) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " " + what + " within " + RawClient.WAIT
                            + ", have " + found + "; all disconnects=" + disconnects + ", lefts=" + lefts);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Waits a little for anything more to happen: used only to make "exactly one" checks meaningful. */
    static Duration settle() {
        return Duration.ofMillis(300);
    }
}
