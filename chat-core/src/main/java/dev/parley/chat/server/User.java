package dev.parley.chat.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A name that is online: one anonymous connection, or every connection of one authenticated identity.
 * Created and removed by {@link Hub} under its users lock.
 */
final class User {
    final String name;
    final String canonical;
    final boolean shared;
    /** Its connections; changed only under the hub's users lock, read anywhere. */
    final List<Session> sessions = new CopyOnWriteArrayList<>();

    User(String name, String canonical, boolean shared) {
        this.name = name;
        this.canonical = canonical;
        this.shared = shared;
    }
}
