package dev.parley.chat.cluster;

import dev.parley.chat.cluster.internal.ClusterParts;
import dev.parley.chat.server.spi.Cluster;
import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.server.spi.Node;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.store.jdbc.JdbcDialect;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Makes a {@link dev.parley.chat.server.ChatServer} one node of a cluster whose nodes share one
 * PostgreSQL database: names unique across nodes, rooms with members on any node, {@code JOINED} and
 * {@code LEFT} exactly once (also when a node dies), one gap-free order per room whichever node a
 * message arrives at, resume and idempotent resend on any node, no sticky sessions.
 *
 * <pre>{@code
 * HikariDataSource pool = ...;                                  // jdbc:postgresql://db/chat?currentSchema=chat
 * try (PostgresCluster cluster = PostgresCluster.builder(pool)
 *              .nodeName("node-1")                              // unique per running node
 *              .store(store -> store.retention(100_000))        // JdbcMessageStore settings
 *              .build();
 *      ChatServer server = ChatServer.builder()
 *              .listen(TcpTransport.port(7878))
 *              .store(cluster.store())
 *              .cluster(cluster)
 *              .build()
 *              .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <h2>How it works</h2>
 * The {@link JdbcMessageStore} it builds is the log and the sequencer: the database assigns each
 * conversation's seqs, whichever node appends. Names, room memberships, per-room presence events and
 * the nodes with their leases are tables of the same database (same schema, same prefix). After a
 * commit, a node rings a {@link Doorbell} (PostgreSQL {@code LISTEN}/{@code NOTIFY} by default) with
 * "conversation: seqs from..to" or "room: presence events from..to"; the others read the rows and
 * deliver them through their server's ordered-delivery step. A lost doorbell connection is
 * re-established and followed by a re-read; a slow safety poll covers anything else.
 *
 * <p>Every node renews a lease judged by the database's clock. A node that cannot renew in time, or
 * finds itself declared dead, fences itself: it closes its clients and writes nothing more (the
 * database refuses its transactions), then comes back as a new incarnation. Any live node reaps an
 * expired node in one transaction: a {@code LEFT} for each of its memberships that was an identity's
 * last in a room, its names released, the node marked dead. See {@code docs/cluster.md} for the
 * guarantees, faults and limits.
 *
 * <h2>Life</h2>
 * {@link Builder#build()} builds the store and creates the cluster's tables; the node joins the
 * cluster when the server starts ({@link #started}) and leaves it cleanly when the server has closed
 * ({@link #stopped}). {@link #close()} also closes the store (build the server inside the
 * try-with-resources so it closes first). One instance serves one server.
 *
 * <p>Clustering needs PostgreSQL (12 or later, with the pgjdbc driver on the class path):
 * {@link Builder#build()} refuses any other database.
 */
public final class PostgresCluster implements Cluster, AutoCloseable {
    private final ClusterParts parts;

    private PostgresCluster(ClusterParts parts) {
        this.parts = parts;
    }

    /**
     * A builder for a cluster node on this PostgreSQL data source (use a pool: each node runs short
     * transactions from many threads, and holds two connections of its own for the doorbell).
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** The message store to give the server ({@code ChatServer.Builder.store}). */
    public JdbcMessageStore store() {
        return parts.store();
    }

    /** This node's name. */
    public String nodeName() {
        return parts.nodeName();
    }

    /** The id of this node's current incarnation in the cluster, 0 before the server started. */
    public long nodeId() {
        return parts.nodeId();
    }

    /** Whether the node is fenced (lost its lease; its clients were closed) or not started. */
    public boolean fenced() {
        return parts.fenced();
    }

    @Override
    public MessageBus bus() {
        return parts.bus();
    }

    @Override
    public Presence presence() {
        return parts.presence();
    }

    @Override
    public void started(Node node) {
        parts.start(node);
    }

    @Override
    public void stopping() {
        parts.stopping();
    }

    @Override
    public void stopped() {
        parts.stop();
    }

    @Override
    public int kickElsewhere(String canonicalName) {
        return parts.kickElsewhere(canonicalName);
    }

    /** Leaves the cluster if still in it, stops the node's threads and closes the store. Idempotent. */
    @Override
    public void close() {
        parts.close();
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + parts + "]";
    }

    /** Settings of a cluster node; every one but the data source has a default. Not thread safe. */
    public static final class Builder {
        private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

        private final DataSource dataSource;
        private String nodeName;
        private Duration lease = Duration.ofSeconds(10);
        private Duration renewInterval;
        private Duration reapInterval = Duration.ofSeconds(1);
        private Duration safetyPollInterval = Duration.ofSeconds(5);
        private Duration doorbellBatchDelay = Duration.ofMillis(2);
        private Doorbell doorbell;
        private boolean rejoin = true;
        private Consumer<JdbcMessageStore.Builder> storeSettings = b -> { };

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * This node's name, unique among the running nodes: a node that starts with the name of an
         * alive node takes over from it (the older one is reaped: this is how a restarted node
         * replaces its crashed self without waiting for its lease). Default: the host name and the
         * process id. 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}.
         */
        public Builder nodeName(String nodeName) {
            Objects.requireNonNull(nodeName, "nodeName");
            if (!NODE_NAME.matcher(nodeName).matches()) {
                throw new IllegalArgumentException("nodeName must be 1 to 64 letters, digits, '.', '_' or '-', was \""
                        + nodeName + "\"");
            }
            this.nodeName = nodeName;
            return this;
        }

        /**
         * How long a node's lease lasts without renewal, by the database's clock: a node that dies is
         * reaped (its users' {@code LEFT}s sent) at most this plus {@link #reapInterval} later, and a node
         * that cannot reach the database for this long fences itself. Default 10 s; 1 s to 15 min.
         */
        public Builder lease(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(15)) > 0) {
                throw new IllegalArgumentException("lease must be 1s..15min, was " + lease);
            }
            this.lease = lease;
            return this;
        }

        /** How often the lease is renewed. Default a quarter of the lease; at most half of it. */
        public Builder renewInterval(Duration renewInterval) {
            this.renewInterval = positive(renewInterval, "renewInterval");
            return this;
        }

        /** How often a node looks for expired nodes to reap. Default 1 s. */
        public Builder reapInterval(Duration reapInterval) {
            this.reapInterval = positive(reapInterval, "reapInterval");
            return this;
        }

        /**
         * How often a node reads every conversation's head and every followed room's last presence
         * event, to find what a lost announcement did not tell it. Default 5 s.
         */
        public Builder safetyPollInterval(Duration safetyPollInterval) {
            this.safetyPollInterval = positive(safetyPollInterval, "safetyPollInterval");
            return this;
        }

        /**
         * How long the default doorbell gathers announcements before one {@code NOTIFY} transaction
         * sends them. Default 2 ms; 0 to 1 s.
         */
        public Builder doorbellBatchDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("doorbellBatchDelay must be 0..1s, was " + delay);
            }
            this.doorbellBatchDelay = delay;
            return this;
        }

        /** Another doorbell (NATS, Redis...) instead of PostgreSQL {@code LISTEN}/{@code NOTIFY}. */
        public Builder doorbell(Doorbell doorbell) {
            this.doorbell = Objects.requireNonNull(doorbell, "doorbell");
            return this;
        }

        /**
         * Whether a node that fenced itself comes back as a new incarnation once it can (default), or
         * stays fenced (its server refuses every client) until it is restarted.
         */
        public Builder rejoinAfterFencing(boolean rejoin) {
            this.rejoin = rejoin;
            return this;
        }

        /**
         * Settings of the {@link JdbcMessageStore} the cluster builds on the same data source (table
         * prefix, retention, group commit...). Its transaction guard is the cluster's own.
         */
        public Builder store(Consumer<JdbcMessageStore.Builder> settings) {
            this.storeSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Builds the store (creating its tables if missing) and the cluster's tables. The node joins
         * the cluster when the server starts.
         *
         * @throws IllegalArgumentException if the database is not PostgreSQL, or the settings clash
         * @throws dev.parley.chat.store.jdbc.JdbcStoreException if the database cannot be reached
         */
        public PostgresCluster build() {
            Duration renew = renewInterval != null ? renewInterval : lease.dividedBy(4);
            if (renew.compareTo(lease.dividedBy(2)) > 0) {
                throw new IllegalArgumentException("renewInterval (" + renew + ") must be at most half the lease (" + lease + ")");
            }
            String name = nodeName != null ? nodeName : defaultNodeName();
            return new PostgresCluster(new ClusterParts(dataSource, name, lease, renew, reapInterval,
                    safetyPollInterval, doorbellBatchDelay, doorbell, rejoin, storeSettings, JdbcDialect.POSTGRESQL));
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static String defaultNodeName() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "node";
            }
            String name = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._-]", "-");
            return name.length() > 64 ? name.substring(name.length() - 64) : name;
        }
    }
}
