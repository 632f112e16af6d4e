package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's incarnation, its lease, and the fencing and reaping that follow from leases.
 *
 * <p><b>Lease.</b> {@link #register} inserts a node row whose {@code lease_until} is the database's
 * clock plus the lease; a loop thread ({@code parley-cluster-lease}) renews it every
 * {@code renewEvery} with {@code lease_until = clock_timestamp() + lease WHERE state = 'alive' AND
 * lease_until > clock_timestamp()}. Only the database's clock judges a lease, so node clocks do not
 * matter; locally the node only measures, on its monotonic clock, how long ago it sent its last
 * successful renewal.
 *
 * <p><b>Fencing.</b> The node fences itself (calls {@link Listener#fenced}, which closes every client)
 * when a renewal finds its row dead or expired, when a transaction's guard does, or when a watchdog
 * thread sees that no renewal succeeded within the lease, counted from when the last successful one
 * was sent (so the node gives up no later than the database does). The database enforces it too:
 * {@link #guard} runs first in every message, name and membership transaction and share-locks the
 * node's row only if it is alive and its lease unexpired, so a node resumed after a SIGSTOP cannot
 * commit anything after its lease ran out, whatever it believes. A guarded transaction that stays
 * idle (the node stopped mid-transaction) is ended by PostgreSQL after {@code idleTimeout}, so it
 * cannot hold the reaper up either.
 *
 * <p><b>Rejoining.</b> A fenced node (unless told not to) keeps trying to come back as a new
 * incarnation: it reaps its old row itself (if no one did yet), registers a new one and calls
 * {@link Listener#rejoined}.
 *
 * <p><b>Reaping.</b> Every {@code reapEvery} the loop looks for alive nodes whose lease expired by the
 * database's clock and reaps each ({@link Reaper}, one transaction per node); {@link Listener#reaped}
 * gets the presence events written, to announce them.
 */
public final class NodeLease {
    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

    /** What the lease tells the rest of the cluster code. Called on the lease's threads. */
    public interface Listener {
        /** The node is fenced: close every client now. */
        void fenced(String reason);

        /** The node is back as a new incarnation. */
        void rejoined(long nodeId);

        /** The reaper wrote these presence events (of a dead node). */
        void reaped(List<Announcement> events);

        /** Called on every loop turn while the node is not fenced (retries of deferred work). */
        void tick();
    }

    private final Db db;
    private final ClusterTables t;
    private final Reaper reaper;
    private final String name;
    private final Duration lease;
    private final long leaseNanos;
    private final long renewEveryNanos;
    private final long reapEveryNanos;
    private final String idleTimeoutMillis;
    private final boolean rejoin;
    private final LongSupplier nanoTime;

    private volatile long id;
    private final AtomicBoolean fenced = new AtomicBoolean(true);
    /** Monotonic nanos until which the current lease surely holds (set by a successful renewal). */
    private volatile long validUntil;
    /** The thread running {@link Listener#fenced} for the last fencing; rejoining waits for it. */
    private volatile Thread fencing;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Guarded by lock. */
    private boolean stopping;
    private Listener listener;
    private Thread loop;
    private Thread watchdog;

    /**
     * @param lease how long a lease lasts without renewal (database clock)
     * @param renewEvery how often it is renewed
     * @param reapEvery how often expired nodes are looked for
     * @param rejoin whether a fenced node comes back as a new incarnation
     * @param nanoTime the monotonic clock ({@link System#nanoTime} outside tests)
     */
    public NodeLease(Db db, ClusterTables tables, String name, Duration lease, Duration renewEvery,
            Duration reapEvery, boolean rejoin, LongSupplier nanoTime) {
        this.db = db;
        this.t = tables;
        this.reaper = new Reaper(db, tables);
        this.name = name;
        this.lease = lease;
        this.leaseNanos = lease.toNanos();
        this.renewEveryNanos = renewEvery.toNanos();
        this.reapEveryNanos = reapEvery.toNanos();
        // A guarded transaction is short; one left idle this long belongs to a stopped node.
        this.idleTimeoutMillis = Long.toString(Math.max(1000, Math.min(5000, lease.toMillis() / 3)));
        this.rejoin = rejoin;
        this.nanoTime = nanoTime;
    }

    /** The reaper (for the cluster's clean shutdown). */
    Reaper reaper() {
        return reaper;
    }

    /** The current incarnation's id, 0 before {@link #register}. */
    public long id() {
        return id;
    }

    /** Whether the node is fenced (or not registered yet). */
    public boolean fenced() {
        return fenced.get();
    }

    /**
     * Registers a new incarnation: reaps earlier alive incarnations of the same node name (a restarted
     * node's previous self), inserts the row with a fresh lease.
     *
     * @return the presence events the reaping wrote (to announce)
     * @throws StoreException if the database failed
     */
    public List<Announcement> register() {
        List<Announcement> events = new java.util.ArrayList<>();
        for (long earlier : reaper.sameName(name, 0)) {
            log.info("Node {}: reaping its earlier incarnation {}", name, earlier);
            events.addAll(reaper.reap(earlier, 0, true, "dead", "disconnect"));
        }
        long sentAt = nanoTime.getAsLong();
        long newId = db.read("registering node " + name, c -> { // one statement, auto-commit
            try (PreparedStatement ps = db.prepare(c, t.register)) {
                ps.setString(1, name);
                ps.setString(2, lease.toMillis() + " milliseconds");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        id = newId;
        validUntil = sentAt + leaseNanos;
        fenced.set(false);
        log.info("Node {} joined the cluster as incarnation {} (lease {})", name, newId, lease);
        return events;
    }

    /** Starts the lease loop and the watchdog. */
    public void start(Listener listener) {
        this.listener = listener;
        loop = Thread.ofPlatform().daemon(true).name("parley-cluster-lease").start(this::loop);
        watchdog = Thread.ofPlatform().daemon(true).name("parley-cluster-watchdog").start(this::watch);
    }

    /**
     * Runs first in every guarded transaction: refuses at once if the node is fenced, else share-locks
     * the node's row if it is alive with an unexpired lease (database clock), or fences the node and
     * refuses.
     *
     * @throws FencedException to refuse
     * @throws SQLException if the database failed
     */
    public void guard(Connection c) throws SQLException {
        long me = id;
        if (fenced.get() || me == 0) {
            throw new FencedException("it lost its lease");
        }
        try (PreparedStatement ps = db.prepare(c, t.guard)) {
            ps.setString(1, idleTimeoutMillis);
            ps.setLong(2, me);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        fence(me, "the database says its lease expired or it was declared dead");
        throw new FencedException("the database says its lease expired or it was declared dead");
    }

    /** Fences the incarnation {@code which} (if it is still the current one and not fenced yet). */
    void fence(long which, String reason) {
        if (which != id || !fenced.compareAndSet(false, true)) {
            return;
        }
        log.warn("Node {} (incarnation {}) fences itself: {}; closing every client", name, which, reason);
        // From here every write is refused (the flag above). Closing the clients runs on a thread of
        // its own: fence() may be called from inside a store or presence transaction.
        fencing = Thread.ofVirtual().name("parley-cluster-fence").start(() -> {
            try {
                listener.fenced(reason);
            } catch (RuntimeException e) {
                log.error("Fencing node {} failed", name, e);
            }
        });
        signal();
    }

    /**
     * Stops the loop and the watchdog; with {@code leave}, ends this incarnation cleanly (its row
     * marked {@code left}, whatever it still held released, {@code LEFT reason=shutdown} for
     * memberships the server did not end itself).
     *
     * @return the presence events written (to announce)
     */
    public List<Announcement> stop(boolean leave) {
        lock.lock();
        try {
            stopping = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        join(loop);
        join(watchdog);
        long me = id;
        boolean wasFenced = fenced.getAndSet(true);
        if (!leave || me == 0 || wasFenced) {
            return List.of();
        }
        try {
            List<Announcement> events = reaper.reap(me, me, true, "left", "shutdown");
            log.info("Node {} (incarnation {}) left the cluster", name, me);
            return events;
        } catch (StoreException e) {
            log.warn("Node {} could not leave the cluster cleanly ({}); it will be reaped when its lease expires",
                    name, e.getMessage());
            return List.of();
        }
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            if (!thread.join(Duration.ofSeconds(30))) {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps up to {@code nanos} or until woken; false once stopping. */
    private boolean pause(long nanos) {
        lock.lock();
        try {
            if (!stopping && nanos > 0) {
                wake.awaitNanos(nanos);
            }
            return !stopping;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ loop thread

    private void loop() {
        long nextRenew = nanoTime.getAsLong() + renewEveryNanos;
        long nextReap = nanoTime.getAsLong();
        long nextHousekeeping = nanoTime.getAsLong() + TimeUnit.MINUTES.toNanos(1);
        long tickNanos = Math.min(renewEveryNanos, reapEveryNanos);
        long minWait = TimeUnit.MILLISECONDS.toNanos(1);
        while (pause(fenced.get() ? renewEveryNanos
                : Math.max(minWait, Math.min(tickNanos, Math.min(nextRenew, nextReap) - nanoTime.getAsLong())))) {
            long now = nanoTime.getAsLong();
            if (fenced.get()) {
                if (rejoin && now >= nextRenew) {
                    nextRenew = now + renewEveryNanos;
                    tryRejoin();
                }
                continue;
            }
            if (now >= nextRenew) {
                nextRenew = now + renewEveryNanos;
                renew();
            }
            if (now >= nextReap && !fenced.get()) {
                nextReap = now + reapEveryNanos;
                reapExpired();
            }
            if (now >= nextHousekeeping && !fenced.get()) {
                nextHousekeeping = now + TimeUnit.MINUTES.toNanos(1);
                try {
                    reaper.housekeeping(Duration.ofHours(1).compareTo(lease.multipliedBy(100)) > 0
                            ? Duration.ofHours(1) : lease.multipliedBy(100));
                } catch (StoreException e) {
                    log.debug("Cluster housekeeping failed: {}", e.getMessage());
                }
            }
            if (!fenced.get()) {
                try {
                    listener.tick();
                } catch (RuntimeException e) {
                    log.warn("Cluster tick failed", e);
                }
            }
        }
    }

    private void renew() {
        long me = id;
        long sentAt = nanoTime.getAsLong();
        try {
            // One statement in auto-commit: no transaction stays open if this node stops right here.
            int updated = db.read("renewing the lease", c -> {
                try (PreparedStatement ps = db.prepare(c, t.renew)) {
                    ps.setString(1, lease.toMillis() + " milliseconds");
                    ps.setLong(2, me);
                    return ps.executeUpdate();
                }
            });
            if (updated == 1) {
                validUntil = sentAt + leaseNanos;
            } else {
                fence(me, "its lease expired or it was declared dead before it could renew");
            }
        } catch (StoreException e) {
            log.warn("Node {} could not renew its lease: {}", name, e.getMessage());
        }
    }

    private void reapExpired() {
        try {
            for (long dead : reaper.expired()) {
                if (dead == id) {
                    continue; // the watchdog fences us; we do not reap ourselves while alive
                }
                List<Announcement> events = reaper.reap(dead, id, false, "dead", "disconnect");
                if (!events.isEmpty() || log.isInfoEnabled()) {
                    log.info("Node {} reaped node incarnation {} ({} rooms had LEFT notices)", name, dead, events.size());
                }
                listener.reaped(events);
            }
        } catch (StoreException e) {
            log.warn("Reaping expired nodes failed: {}", e.getMessage());
        }
    }

    private void tryRejoin() {
        long old = id;
        Thread f = fencing;
        if (f != null) {
            try {
                f.join(); // unfence only after the fencing finished
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            List<Announcement> events = reaper.reap(old, old, true, "dead", "disconnect");
            listener.reaped(events);
            listener.reaped(register());
            listener.rejoined(id);
        } catch (StoreException e) {
            log.debug("Node {} cannot rejoin yet: {}", name, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ watchdog thread

    private void watch() {
        long step = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.MILLISECONDS.toNanos(200), leaseNanos / 50));
        while (pause(step)) {
            if (!fenced.get() && nanoTime.getAsLong() - validUntil >= 0) {
                fence(id, "it could not renew its lease within " + lease);
            }
        }
    }
}
