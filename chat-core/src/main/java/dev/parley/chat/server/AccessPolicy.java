package dev.parley.chat.server;

/**
 * Decides what a registered user may do with a room, and to whom they may send direct messages:
 * the application's access rules (docs/access.md). Given to {@link ChatServer.Builder#accessPolicy};
 * the default, {@link #allowAll()}, lets everybody do everything (an open server).
 *
 * <p>The server asks before {@code JOIN}, {@code HISTORY}, {@code SEND} and {@code WHO} (each time,
 * not once per room: a policy may change its mind), and once per room for {@code ROOMS}, which lists
 * only the rooms the asker may {@link Action#LIST}. A refusal is {@code ERROR code=FORBIDDEN}, the
 * same answer whether or not the room exists. The rules of {@link ChatServer#access()} (private
 * rooms) apply too: a request must pass both.
 *
 * <p><b>Threading.</b> Called on the asking connection's own reader thread, for its own request,
 * possibly from many connections at once: an implementation must be thread-safe. It must be fast
 * and must not block (no database or network call per request; keep the rules in memory and update
 * them from elsewhere), because that connection's requests, and every reply queued for it, wait
 * until it returns. It never delays other connections. An exception counts as a refusal and is
 * logged.
 *
 * <pre>{@code
 * AccessPolicy staffOnly = (who, action, room) ->
 *         !room.startsWith("staff-") || staff.contains(who.name());
 * }</pre>
 */
@FunctionalInterface
public interface AccessPolicy {

    /** What a user asks to do with a room. */
    enum Action {
        /** {@code JOIN}: become a member and receive the room's messages (and its replay). */
        JOIN,
        /** {@code HISTORY room=}: read earlier messages. */
        HISTORY,
        /** {@code SEND room=}: post a message. */
        SEND,
        /** {@code WHO}: see who is in the room. */
        WHO,
        /** {@code ROOMS}: see that the room exists, with its member count. */
        LIST
    }

    /**
     * Whether {@code who} may do {@code action} with {@code room}.
     *
     * @param who the asking connection's identity
     * @param action what it asks to do
     * @param room the room's canonical name (case-folded: see PROTOCOL.md, "Names"); it may not exist
     */
    boolean allows(Identity who, Action action, String room);

    /**
     * Whether {@code from} may send a direct message to {@code to} (asked for {@code SEND to=}, only
     * once the recipient is known to be connected). Default: yes.
     *
     * @param from the sender's identity
     * @param to the recipient as this server knows it: for a recipient connected only to another node
     *     of a cluster, {@link Identity#authenticated()} is {@code false} (this node cannot tell)
     */
    default boolean allowsDirect(Identity from, Identity to) {
        return true;
    }

    /** The open policy: everybody may do everything. */
    static AccessPolicy allowAll() {
        return Defaults.ALLOW_ALL;
    }
}
