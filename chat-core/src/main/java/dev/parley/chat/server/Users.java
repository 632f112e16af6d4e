package dev.parley.chat.server;

import dev.parley.chat.server.spi.Presence;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users online on this server, by canonical name (held by one identity at a time), with their
 * connections here: who a direct message or a kick reaches on this server. Whether a name may be taken at all is decided by
 * {@link Presence} (for the whole cluster when there is one); this registry follows its decisions.
 *
 * <p>{@link #lock} guards the map and each user's connection list; it is never held while calling
 * {@link Presence} or taking any other lock.
 */
final class Users {
    private static final Logger log = LoggerFactory.getLogger(Users.class);

    private final Presence presence;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final Map<String, User> users = new HashMap<>();

    Users(Presence presence) {
        this.presence = presence;
    }

    /**
     * Registers a name for a connection.
     *
     * @return the user, or {@code null} if the name is taken
     * @throws dev.parley.chat.store.StoreException if presence cannot be reached (nothing changed)
     */
    User register(Session session, String name, String canonical, String identity) {
        if (!presence.claimName(name, canonical, identity, session.id)) {
            return null;
        }
        lock.lock();
        try {
            User u = users.get(canonical);
            if (u == null || !u.identity.equals(identity)) {
                // presence decided: an earlier identity's entry here (if any) is on its way out
                u = new User(name, canonical, identity);
                users.put(canonical, u);
            }
            u.sessions.add(session);
            return u;
        } finally {
            lock.unlock();
        }
    }

    /** The connection no longer holds its name here, and then in presence. */
    void unregister(Session session, User user) {
        lock.lock();
        try {
            user.sessions.remove(session);
            if (user.sessions.isEmpty() && users.get(user.canonical) == user) {
                users.remove(user.canonical);
            }
        } finally {
            lock.unlock();
        }
        try {
            presence.releaseName(user.canonical, session.id);
        } catch (RuntimeException e) {
            log.warn("{} presence failed to release the name {}", session.tag(), user.canonical, e);
        }
    }

    /** The user with connections on this server, or {@code null}. */
    User local(String canonical) {
        if (canonical == null) {
            return null;
        }
        lock.lock();
        try {
            return users.get(canonical);
        } finally {
            lock.unlock();
        }
    }

    /** The user of this identity with connections on this server, or {@code null}. */
    User localIdentity(String identity) {
        User u = local(Identities.canonicalOf(identity));
        return u != null && u.identity.equals(identity) ? u : null;
    }

    /**
     * Who holds {@code canonical} on this server or, through presence, anywhere; {@code null} if
     * nobody does.
     */
    Presence.Holder holder(String canonical) {
        User u = local(canonical);
        return u != null ? new Presence.Holder(u.name, u.identity) : presence.holder(canonical);
    }

    /** Distinct names online on this server. */
    int count() {
        lock.lock();
        try {
            return users.size();
        } finally {
            lock.unlock();
        }
    }
}
