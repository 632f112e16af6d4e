package dev.parley.chat.server.spi;

import java.util.List;
import java.util.Map;

/**
 * Who is online and who is in which room, for the whole cluster: names held by connections, and
 * room memberships with the per-identity 0&lt;-&gt;1 transitions that produce {@code JOINED} and
 * {@code LEFT} (PROTOCOL.md: presence is per identity; a notice goes out when a user's first
 * connection joins a room and when its last one leaves it, exactly once).
 *
 * <p>Names are given twice: {@code name} as its owner registered it (what others see) and
 * {@code canonicalName}, its canonical form ({@link dev.parley.chat.protocol.Names#canonicalUser}),
 * which names a user in a room while it is online (only one identity holds a canonical name at a
 * time). The identity behind a name ({@link Holder}) is what direct messages belong to. Rooms are canonical (lower-case) names. A connection is named by a
 * {@code connectionId}, unique within this server for its life (never reused); an implementation that
 * shares state between nodes qualifies it with its node id.
 *
 * <p>The server calls these methods on connection threads (virtual threads: blocking on a database is
 * fine), never while holding a lock that message delivery needs. For one connection, calls come in
 * order: {@code claimName}, then {@code join}/{@code leave} pairs, then {@code releaseName}; a
 * connection leaves every room it joined (reason given) before its name is released, including when
 * the server shuts down or is fenced. The server serialises {@code join} and {@code leave} calls of one
 * room on this node, so their results can be broadcast in the order they were decided.
 *
 * <p>Failures: the methods that decide something ({@code claimName}, {@code join}) may throw
 * {@link dev.parley.chat.store.StoreException} when the cluster state cannot be reached or the node is
 * fenced: the server answers {@code STORE_UNAVAILABLE} and nothing changes for the client. {@code leave}
 * and {@code releaseName} must not fail visibly: a connection that is gone is gone; an implementation
 * that cannot record it now must make it true later (a dead node's memberships are reaped). The
 * reading methods may throw {@code StoreException} too ({@code STORE_UNAVAILABLE}).
 */
public interface Presence {

    /**
     * Who holds a name: the name as registered and the identity behind it.
     *
     * @param name the name as registered (what others see)
     * @param identity the identity holding it: the canonical name for an authenticated user, or
     *     {@code canonical~ID} for an anonymous one (PROTOCOL.md, "Identities")
     */
    record Holder(String name, String identity) {
        /** Checks the components. */
        public Holder {
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * Claims a name for a connection that completed {@code HELLO}.
     *
     * <p>Uniqueness: a name is taken if a connection of another identity holds, anywhere in the
     * cluster, a name that shares one of its {@linkplain dev.parley.chat.protocol.Names#confusableKeys
     * confusable keys} (which covers an equal canonical form: {@code Straße} and {@code STRASSE}, and
     * look-alikes: Cyrillic {@code асе} and {@code ace}). Connections of one identity share its name: an
     * authenticated user's identity is its canonical name, so all its connections do; an anonymous
     * identity is random, so only connections that resumed it with its token do.
     *
     * @param name the name as registered
     * @param canonicalName its canonical form
     * @param identity the identity claiming it (see {@link Holder#identity})
     * @param connectionId the connection
     * @return {@code true} if the connection now holds the name; {@code false} if it is taken
     */
    boolean claimName(String name, String canonicalName, String identity, long connectionId);

    /** The connection no longer holds the name (its last room was left before this call). */
    void releaseName(String canonicalName, long connectionId);

    /**
     * Who holds {@code canonicalName} now, anywhere in the cluster, or {@code null} if nobody does.
     * Used for {@code SEND to=} and {@code HISTORY with=}: direct messages belong to the identity.
     */
    Holder holder(String canonicalName);

    /**
     * A connection of the identity joined a room.
     *
     * @return {@code true} if this is the identity's first connection in the room in the whole
     *     cluster: this server then sends {@code JOINED room name} to its other members of the room,
     *     and the implementation must have every other node do the same for theirs (a
     *     {@link PresenceEvent} through {@link Node#presenceChanged}), exactly once
     */
    boolean join(String room, String name, String canonicalName, long connectionId);

    /**
     * A connection of the identity left a room (PART, or its connection ended).
     *
     * @param reason the {@code LEFT} reason: part, quit, disconnect, timeout, kicked, slow-consumer,
     *     flood, shutdown or error
     * @return {@code true} if it was the identity's last connection in the room in the whole cluster:
     *     this server then sends {@code LEFT}, and the implementation has every other node do the same,
     *     exactly once
     */
    boolean leave(String room, String name, String canonicalName, long connectionId, String reason);

    /**
     * The names (as registered) present in a room, one per identity, in any order (the server sorts
     * them for {@code WHO}); empty if nobody is in it.
     */
    List<String> members(String room);

    /**
     * Every room with at least one member in the cluster, with how many identities are in it. The
     * server adds the rooms it knows to have messages (with 0 members) for {@code ROOMS}.
     */
    Map<String, Integer> rooms();
}
