package dev.parley.chat.server;

import dev.parley.chat.store.StoredMessage;

/**
 * Observes a running server. Every method has an empty default; override what you need.
 *
 * <p>Events are delivered one at a time, in the order they happened, on one dedicated virtual thread
 * per server, through a bounded queue ({@link ChatServer.Builder#listenerQueueSize(int)}). A listener
 * that is slow makes events queue up and, once the queue is full, be dropped and counted in
 * {@link ServerStats#listenerEventsDropped()}; one that throws is logged and called again for the next
 * event. Neither ever stalls or breaks the server.
 */
public interface ServerListener {

    /** A connection was accepted (its name is not known yet). */
    default void connected(ConnectionInfo connection) {
    }

    /** A connection completed HELLO and got WELCOME. */
    default void registered(ConnectionInfo connection) {
    }

    /** A user (identity) is now present in a room: its first connection joined it. */
    default void joined(String room, String name) {
    }

    /**
     * A user is no longer present in a room: its last connection left it.
     *
     * @param reason the {@code LEFT} reason: part, quit, disconnect, timeout, kicked, ...
     */
    default void left(String room, String name, String reason) {
    }

    /** A message was stored (and is being delivered). Direct conversations have keys starting with {@code @}. */
    default void messageStored(StoredMessage message) {
    }

    /** A connection ended, with its reason. */
    default void disconnected(ConnectionInfo connection, DisconnectReason reason) {
    }
}
