package dev.parley.chat.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A name online on this server: one anonymous connection, or this server's connections of one
 * authenticated identity. Created and removed by {@link Users} under its lock.
 */
final class User {
    final String name;
    final String canonical;
    /** What an {@link AccessPolicy} is told about it. */
    final Identity who;
    /** Its connections on this server; changed only under the {@link Users} lock, read anywhere. */
    final List<Session> sessions = new CopyOnWriteArrayList<>();

    User(String name, String canonical, boolean authenticated) {
        this.name = name;
        this.canonical = canonical;
        this.who = new Identity(name, authenticated);
    }
}
