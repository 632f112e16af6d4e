package dev.parley.chat.store;

import java.util.Locale;

/**
 * How the server names conversations in a {@link MessageStore}. Stores treat keys as opaque strings
 * of at most 200 characters; this class only documents and builds them.
 *
 * <ul>
 *   <li>a room: {@code #} and the room's canonical (lower-case) name, e.g. {@code #lobby};
 *   <li>direct messages between two identities: {@code @} and the two identities in sorted order,
 *       joined by a space. An authenticated user's identity is its canonical name, an anonymous
 *       user's its canonical name, {@code ~} and a random id (PROTOCOL.md, "Identities"), e.g.
 *       {@code @ritam souvik} or {@code @ritam souvik~q2pVYtzGD4GGyJ3Qf8b6Ew}.
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

    /** The key of the direct conversation between two identities. */
    public static String direct(String identityA, String identityB) {
        return identityA.compareTo(identityB) <= 0
                ? "@" + identityA + " " + identityB
                : "@" + identityB + " " + identityA;
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
