package dev.parley.chat.cluster;

import java.util.Objects;

/**
 * What one node tells the others through the {@link Doorbell}, after the change committed: a range of
 * messages stored in a conversation, a range of presence events of a room, or a request to kick a
 * user. It carries positions, never the data: a receiver reads the rows from the database, so a lost
 * or repeated announcement costs a read, never a message.
 *
 * @param kind what changed
 * @param key the conversation key ({@link Kind#MESSAGES}), the canonical room name
 *     ({@link Kind#PRESENCE}) or the user's canonical name ({@link Kind#KICK}); no tab or line break
 * @param from the first seq (or event number) of the range, at least 1; 0 for {@link Kind#KICK}
 * @param to the last one, at least {@code from}; 0 for {@link Kind#KICK}
 */
public record Announcement(Kind kind, String key, long from, long to) {

    /** What an announcement is about. */
    public enum Kind {
        /** Messages {@code from..to} of conversation {@code key} committed. */
        MESSAGES,
        /** Presence events {@code from..to} of room {@code key} committed. */
        PRESENCE,
        /** Kick every connection of user {@code key} (canonical name) on the receiving node. */
        KICK
    }

    /** Checks the components. */
    public Announcement {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.indexOf('\t') >= 0 || key.indexOf('\n') >= 0 || key.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("key must be non-empty, without tab or line break: \"" + key + "\"");
        }
        if (kind == Kind.KICK ? from != 0 || to != 0 : from < 1 || to < from) {
            throw new IllegalArgumentException("bad range " + from + ".." + to + " for " + kind);
        }
    }

    /** Messages {@code from..to} of a conversation were committed. */
    public static Announcement messages(String conversation, long from, long to) {
        return new Announcement(Kind.MESSAGES, conversation, from, to);
    }

    /** Presence events {@code from..to} of a room were committed. */
    public static Announcement presence(String room, long from, long to) {
        return new Announcement(Kind.PRESENCE, room, from, to);
    }

    /** Kick a user's connections on the receiving node. */
    public static Announcement kick(String canonicalName) {
        return new Announcement(Kind.KICK, canonicalName, 0, 0);
    }
}
