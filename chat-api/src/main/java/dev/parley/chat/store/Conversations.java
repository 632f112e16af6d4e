package dev.parley.chat.store;

import java.util.Locale;

/**
 * How the server names conversations in a {@link MessageStore}. Stores treat keys as opaque strings
 * of at most 200 characters; this class only documents and builds them.
 *
 * <ul>
 *   <li>a room: {@code #} and the room's canonical (lower-case) name, e.g. {@code #lobby};
 *   <li>direct messages between two users: {@code @} and the two canonical names in sorted order,
 *       joined by a space, e.g. {@code @ritam souvik}.
 * </ul>
 */
public final class Conversations {
    /** The longest key a store must accept. */
    public static final int MAX_KEY_LENGTH = 200;

    private Conversations() {
    }

    /** The key of a room, from its canonical name. */
    public static String room(String canonicalRoom) {
        return "#" + canonicalRoom.toLowerCase(Locale.ROOT);
    }

    /** The key of the direct conversation between two users, from their canonical names. */
    public static String direct(String canonicalA, String canonicalB) {
        return canonicalA.compareTo(canonicalB) <= 0
                ? "@" + canonicalA + " " + canonicalB
                : "@" + canonicalB + " " + canonicalA;
    }

    /** Whether the key names a room. */
    public static boolean isRoom(String key) {
        return key.startsWith("#");
    }

    /** The room name of a room key. */
    public static String roomName(String key) {
        if (!isRoom(key)) {
            throw new IllegalArgumentException("not a room key: " + key);
        }
        return key.substring(1);
    }
}
