package dev.parley.chat.server;

/**
 * A hook that hears what operators watch, as it happens: connections accepted and refused, frames
 * and bytes in and out, deliveries, disconnects by reason (slow consumers among them), store append
 * latency and batch size, and history reads. Give one to {@link ChatServer.Builder#metrics}; the
 * {@code chat-micrometer} module has one for Micrometer ({@code ParleyMetrics}). Without one the
 * server uses {@link #NONE}. {@link ChatServer#stats()} keeps its own totals either way.
 *
 * <p>Every method has an empty default, so an implementation overrides only what it records.
 *
 * <p>Threads: the methods are called on the server's own threads (connection readers and writers,
 * the polling thread of plain TCP, which handles requests too where nothing can block, the appending
 * sender), often on the hot path and concurrently: an implementation must be
 * thread safe, fast (an adder or a histogram update, no I/O, no lock held for long) and must never
 * throw or block. Some calls come while the server holds a lock of its own ({@link #delivered} under
 * the room's delivery lock), so an implementation must not call back into the server.
 *
 * <p>Counting rules: a connection handed over by a transport is either {@link #connectionAccepted}
 * or {@link #connectionRefused}. Every accepted connection, and every one refused for a connection
 * limit or a fenced node, ends with exactly one {@link #disconnected} (the refused ones with
 * {@link DisconnectReason#SERVER_FULL}, or {@link DisconnectReason#SHUTDOWN} when fenced); one refused
 * because the server is shutting down is closed at once without it. A connection closed as a slow consumer ends with
 * {@link DisconnectReason#SLOW_CONSUMER}.
 */
public interface ServerMetrics {

    /** Records nothing. */
    ServerMetrics NONE = new ServerMetrics() {
    };

    /** Why a connection was refused before it could say HELLO. */
    enum Refusal {
        /** {@code maxConnections} reached. */
        SERVER_FULL,
        /** {@code maxConnectionsPerAddress} reached for its address. */
        ADDRESS_FULL,
        /** The server was shutting down. */
        SHUTTING_DOWN,
        /** This node of a cluster is fenced (it ends with {@link DisconnectReason#SHUTDOWN}). */
        FENCED
    }

    /** Which request read messages from the store. */
    enum Read {
        /** The replay of a {@code JOIN} (with or without {@code since}). */
        JOIN_REPLAY,
        /** A {@code HISTORY} request. */
        HISTORY
    }

    /** The server's current levels, read whenever a gauge is sampled (cheap, any thread). */
    interface Gauges {
        /** Connections open now (accepted and not yet gone). */
        int connections();

        /** Bytes queued for all connections and not yet handed to their transports. */
        long queuedBytes();

        /** Rooms the server knows (joined now or with history). */
        int rooms();

        /** Distinct names connected now. */
        int users();
    }

    /**
     * The server started; {@code gauges} reads its levels from now on (zeros once it is closed).
     * Called once, before any other method.
     */
    default void serverStarted(Gauges gauges) {
    }

    /** A connection passed the connection limits. {@code transport} is {@code Transport.name()}: tcp, ws, ... */
    default void connectionAccepted(String transport) {
    }

    /** A connection was refused at once (see the class comment for the {@link #disconnected} that follows). */
    default void connectionRefused(String transport, Refusal reason) {
    }

    /** A connection ended, for this reason (exactly once per connection). */
    default void disconnected(String transport, DisconnectReason reason) {
    }

    /** Bytes read from a connection (one call per read). */
    default void bytesReceived(int bytes) {
    }

    /** A frame (a protocol line, valid or not) was received. */
    default void frameReceived() {
    }

    /** A frame was refused with {@code RATE_LIMITED}. */
    default void frameRateLimited() {
    }

    /**
     * Frames were queued or written for one connection: {@code frames} frames of {@code bytes} bytes in
     * all (a broadcast counts once per recipient).
     */
    default void framesSent(int frames, long bytes) {
    }

    /**
     * A stored message was handed to {@code recipients} connections (room members or the two sides
     * of a direct conversation, the sender's own connection excluded).
     */
    default void delivered(int recipients) {
    }

    /**
     * One {@code MessageStore.append} call returned or threw.
     *
     * @param messages how many messages the call appended (the batch size)
     * @param nanos how long it took
     * @param failed whether it threw (nothing of it was stored or acknowledged)
     */
    default void storeAppended(int messages, long nanos, boolean failed) {
    }

    /**
     * Messages were read from the store for a client.
     *
     * @param kind a join's replay or a HISTORY request
     * @param messages how many were read
     * @param nanos how long the read took
     */
    default void historyRead(Read kind, int messages, long nanos) {
    }

    /** A listener event was dropped because the listener queue was full. */
    default void listenerEventDropped() {
    }
}
