package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.cluster.Doorbell;
import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.server.spi.Node;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.store.jdbc.JdbcDialect;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pieces of one cluster node and their life: the store (with the lease as its transaction guard),
 * the lease, the doorbell, the inbound side, the bus and presence. {@code PostgresCluster} is its
 * public face.
 */
public final class ClusterParts {
    private static final Logger log = LoggerFactory.getLogger(ClusterParts.class);
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int STOPPED = 2;

    private final String nodeName;
    private final JdbcMessageStore store;
    private final NodeLease lease;
    private final Doorbell doorbell;
    private final Inbound inbound;
    private final ClusterBus bus;
    private final ClusterPresence presence;
    private final long safetyPollNanos;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile boolean closed;
    private volatile Node node;
    private long nextPoll;

    /**
     * Builds the store (its tables too) and the cluster's tables.
     *
     * @param doorbell the doorbell, or {@code null} for PostgreSQL LISTEN/NOTIFY on the data source
     * @param required the only dialect clustering supports
     * @throws IllegalArgumentException if the database is not PostgreSQL
     */
    public ClusterParts(DataSource dataSource, String nodeName, Duration lease, Duration renewEvery,
            Duration reapEvery, Duration safetyPoll, Duration batchDelay, Doorbell doorbell, boolean rejoin,
            Consumer<JdbcMessageStore.Builder> storeSettings, JdbcDialect required) {
        this.nodeName = nodeName;
        this.safetyPollNanos = safetyPoll.toNanos();
        NodeLease[] leaseRef = new NodeLease[1];
        JdbcMessageStore.Builder sb = JdbcMessageStore.builder(dataSource);
        storeSettings.accept(sb);
        sb.transactionGuard(c -> leaseRef[0].guard(c)); // the lease is made below, before any append
        this.store = sb.build();
        try {
            if (store.dialect() != required) {
                throw new IllegalArgumentException("clustering needs PostgreSQL; this data source is " + store.dialect());
            }
            ClusterTables tables = new ClusterTables(store.schema(), store.tablePrefix());
            ClusterSchema.prepare(dataSource, tables, store.schema(), true);
            Db db = new Db(dataSource, 30);
            this.lease = new NodeLease(db, tables, nodeName, lease, renewEvery, reapEvery, rejoin, System::nanoTime);
            leaseRef[0] = this.lease;
            this.doorbell = doorbell != null ? doorbell
                    : new PgDoorbell(dataSource, PgDoorbell.channelFor(store.schema(), store.tablePrefix()),
                            nodeName, batchDelay);
            this.inbound = new Inbound(db, tables, this.lease::id);
            this.bus = new ClusterBus(store, this.lease, this.doorbell, inbound);
            this.presence = new ClusterPresence(db, tables, this.lease, this.doorbell, inbound);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public JdbcMessageStore store() {
        return store;
    }

    public String nodeName() {
        return nodeName;
    }

    public long nodeId() {
        return lease.id();
    }

    public boolean fenced() {
        return lease.fenced();
    }

    public MessageBus bus() {
        return bus;
    }

    public Presence presence() {
        return presence;
    }

    /** Joins the cluster: registers the incarnation, listens, reads the current state, starts the lease. */
    public void start(Node node) {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("a cluster node serves one server, once");
        }
        this.node = node;
        List<Announcement> reaped = lease.register();
        try {
            doorbell.start(inbound);  // listening before reading: nothing committed from now on is missed
            inbound.start(node);      // reads the heads
        } catch (RuntimeException e) {
            announce(lease.stop(true)); // leave at once rather than wait to be reaped
            inbound.close();
            doorbell.close();
            throw e;
        }
        announce(reaped);
        nextPoll = System.nanoTime() + safetyPollNanos;
        lease.start(new NodeLease.Listener() {
            @Override
            public void fenced(String reason) {
                presence.fenced();
                inbound.reset();
                node.fence(reason);
            }

            @Override
            public void rejoined(long nodeId) {
                log.info("Node {} is back in the cluster as incarnation {}", nodeName, nodeId);
                inbound.poll();
                node.unfence();
            }

            @Override
            public void reaped(List<Announcement> events) {
                announce(events);
            }

            @Override
            public void tick() {
                presence.retryDeferred();
                long now = System.nanoTime();
                if (now - nextPoll >= 0) {
                    nextPoll = now + safetyPollNanos;
                    inbound.poll();
                }
            }
        });
        log.info("Cluster node {} started ({})", nodeName, this);
    }

    /** Presence events written here for every node: announce them, and deliver them here too. */
    private void announce(List<Announcement> events) {
        for (Announcement a : events) {
            doorbell.announce(a);
        }
        inbound.local(events);
    }

    public void stopping() {
        log.info("Cluster node {} stopping", nodeName);
    }

    /** Leaves the cluster cleanly and stops the node's threads. */
    public void stop() {
        if (!state.compareAndSet(STARTED, STOPPED)) {
            state.compareAndSet(NEW, STOPPED);
            return;
        }
        List<Announcement> events = lease.stop(true);
        for (Announcement a : events) {
            doorbell.announce(a);
        }
        inbound.close();
        doorbell.close(); // sends what is queued first
    }

    public int kickElsewhere(String canonicalName) {
        if (state.get() == STARTED) {
            doorbell.announce(Announcement.kick(canonicalName));
        }
        return 0;
    }

    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        store.close();
    }

    @Override
    public String toString() {
        return "node=" + nodeName + ", incarnation=" + lease.id() + (lease.fenced() ? ", fenced" : "")
                + ", doorbell=" + doorbell + ", store=" + store;
    }

}
