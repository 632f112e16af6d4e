package dev.parley.chat.server.spi;

/**
 * Makes a {@link dev.parley.chat.server.ChatServer} one node of a cluster: supplies the message bus and
 * presence, and follows the server's life. Plugged in with
 * {@link dev.parley.chat.server.ChatServer.Builder#cluster(Cluster)}; one instance serves one server.
 *
 * <p>Order of calls: {@link #bus()} and {@link #presence()} once each when the server is built;
 * {@link #started(Node)} once from {@code ChatServer.start()}, before any transport accepts a
 * connection; then the bus and presence are used from many threads; {@link #stopping()} once from
 * {@code ChatServer.close()}, before the clients are told to go (their {@code leave} and
 * {@code releaseName} calls follow); {@link #stopped()} once when every connection is gone. If
 * {@code start()} fails after {@code started}, {@code stopped()} is still called. None of these may
 * call back into {@code ChatServer.close()} on the same thread.
 *
 * <p>An implementation fences itself (it lost its lease, or learnt that the others declared it dead)
 * by calling {@link Node#fence}: the server closes every client at once and refuses new ones until
 * {@link Node#unfence}. From then on its bus and presence must refuse to write (throw
 * {@link dev.parley.chat.store.StoreException}), which the server answers as
 * {@code STORE_UNAVAILABLE}.
 */
public interface Cluster {

    /** The bus every message goes through. Called once, when the server is built. */
    MessageBus bus();

    /** Names and room memberships across the cluster. Called once, when the server is built. */
    Presence presence();

    /**
     * The server is starting: from now on the implementation may call {@code node}, from any
     * thread, and should start listening to the other nodes. Called before any client connects.
     *
     * @throws RuntimeException to fail {@code ChatServer.start()} (nothing is listening then)
     */
    default void started(Node node) {
    }

    /**
     * The server is shutting down: it stops accepting and is about to close every client, each of
     * which leaves its rooms and releases its name through {@link Presence}, so that the other
     * nodes see the {@code LEFT}s with reason {@code shutdown}.
     */
    default void stopping() {
    }

    /** Every connection of the server is gone; release what the node holds (its lease, threads). */
    default void stopped() {
    }

    /**
     * Disconnects the connections of a user held on other nodes ({@code ChatServer.kick}: the
     * server kicks its own first). Each such connection gets {@code BYE reason=kicked}, its rooms
     * {@code LEFT reason=kicked}; on its node the implementation calls {@link Node#kick}.
     *
     * @param canonicalName the user's canonical name ({@link dev.parley.chat.protocol.Names#canonicalUser})
     * @return how many connections other nodes kicked, as far as known when this returns (0 if the
     *     request was only sent); the default, for a single server, is 0
     */
    default int kickElsewhere(String canonicalName) {
        return 0;
    }
}
