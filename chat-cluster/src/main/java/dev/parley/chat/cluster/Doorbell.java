package dev.parley.chat.cluster;

import java.util.List;

/**
 * How cluster nodes tell each other that something committed: the default rings through PostgreSQL
 * {@code LISTEN}/{@code NOTIFY}; another transport (NATS, Redis pub/sub) can replace it with
 * {@link PostgresCluster.Builder#doorbell(Doorbell)}. A doorbell may lose announcements (a connection
 * drops) or repeat them; it must say so through {@link Receiver#mayHaveMissed()} when it knows it may
 * have lost some, and the cluster then re-reads from the database. A slow safety poll covers the rest.
 * Announcements are never sent inside the transaction that made the change.
 *
 * <p>Thread safe. {@link #announce} is called on connection threads right after a commit and must not
 * block on the network: queue and batch.
 */
public interface Doorbell extends AutoCloseable {

    /** Receives the other nodes' announcements, on the doorbell's own thread; must return quickly. */
    interface Receiver {

        /** Announcements from other nodes (never this node's own), in the order they arrived. */
        void received(List<Announcement> announcements);

        /**
         * Announcements may have been lost (the connection to the other nodes dropped and is back):
         * the receiver re-reads everything it follows from the database.
         */
        void mayHaveMissed();
    }

    /**
     * Starts listening; returns once announcements sent from now on will be received (for a
     * connection-based doorbell: once it is subscribed), so the caller can read the current state
     * right after without a gap.
     *
     * @throws dev.parley.chat.store.StoreException if it cannot subscribe
     */
    void start(Receiver receiver);

    /** Sends an announcement to every other node, soon (batched with others), not on this thread. */
    void announce(Announcement announcement);

    /** Stops listening and sending; what is queued may be dropped. Idempotent. */
    @Override
    void close();
}
