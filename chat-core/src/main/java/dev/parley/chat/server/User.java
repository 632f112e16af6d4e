package dev.parley.chat.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A name online on this server: this server's connections of one identity (an authenticated user, or
 * an anonymous one and the connections that resumed it). Created and removed by {@link Users} under its lock.
 */
final class User {
    final String name;
    final String canonical;
    /** What its direct messages belong to ({@link Identities}). */
    final String identity;
    /** What an {@link AccessPolicy} is told about it. */
    final Identity who;
    /** Its connections on this server; changed only under the {@link Users} lock, read anywhere. */
    final List<Session> sessions = new CopyOnWriteArrayList<>();

    User(String name, String canonical, String identity) {
        this.name = name;
        this.canonical = canonical;
        this.identity = identity;
        this.who = new Identity(name, !Identities.isAnonymous(identity));
    }
}
