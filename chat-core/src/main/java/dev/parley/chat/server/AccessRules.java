package dev.parley.chat.server;

import dev.parley.chat.protocol.Escaping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access checks the handlers make: the application's {@link AccessPolicy} and this server's
 * {@link RoomAccess}, both of which must allow. Runs on the asking connection's reader thread.
 */
final class AccessRules {
    private static final Logger log = LoggerFactory.getLogger(AccessRules.class);

    private final AccessPolicy policy;
    private final RoomAccess rooms;
    private final Users users;

    AccessRules(AccessPolicy policy, RoomAccess rooms, Users users) {
        this.policy = policy;
        this.rooms = rooms;
        this.users = users;
    }

    /** Whether the connection's user may do this with the room (canonical name). */
    boolean room(Session session, AccessPolicy.Action action, String room) {
        User u = session.user;
        if (!rooms.allows(u.canonical, room)) {
            return false;
        }
        try {
            return policy.allows(u.who, action, room);
        } catch (RuntimeException e) {
            log.warn("{} access policy failed on {} {}: refused", session.tag(), action, Escaping.forLog(room, 64), e);
            return false;
        }
    }

    /** Only {@link RoomAccess}: the check repeated after a JOIN, which a concurrent removal may pass. */
    boolean admitted(Session session, String room) {
        return rooms.allows(session.user.canonical, room);
    }

    /** Whether the connection's user may send a direct message to the (connected) recipient. */
    boolean direct(Session session, String recipientCanonical, String recipientName) {
        User to = users.local(recipientCanonical);
        Identity recipient = to != null ? to.who : new Identity(recipientName, false);
        try {
            return policy.allowsDirect(session.user.who, recipient);
        } catch (RuntimeException e) {
            log.warn("{} access policy failed on a direct message: refused", session.tag(), e);
            return false;
        }
    }
}
