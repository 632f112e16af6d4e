package dev.parley.chat.server.spi;

import java.util.Objects;

/**
 * A cluster-wide presence transition that happened on another node (or was decided by a reaper for a
 * dead one), for {@link Node#presenceChanged}.
 *
 * @param kind whether the user joined or left
 * @param room the canonical room name
 * @param name the user's name as registered
 * @param reason for {@link Kind#LEFT}: part, quit, disconnect, timeout, kicked, slow-consumer, flood,
 *     shutdown or error; {@code null} for {@link Kind#JOINED}
 * @param afterSeq the room's head (last committed seq) when the transition was decided: every node
 *     delivers the notice after the room's message {@code afterSeq} and before {@code afterSeq + 1},
 *     so all members see one order of messages and notices; notices with the same {@code afterSeq}
 *     go out in the order they are given to the node
 */
public record PresenceEvent(Kind kind, String room, String name, String reason, long afterSeq) {

    /** The two transitions. */
    public enum Kind {
        /** The identity's first connection in the cluster joined the room. */
        JOINED,
        /** The identity's last connection in the cluster left the room. */
        LEFT
    }

    /** Checks the components. */
    public PresenceEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(name, "name");
        if (kind == Kind.LEFT) {
            Objects.requireNonNull(reason, "reason");
        }
        if (afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq must be at least 0, was " + afterSeq);
        }
    }

    /** A {@code JOINED} event. */
    public static PresenceEvent joined(String room, String name, long afterSeq) {
        return new PresenceEvent(Kind.JOINED, room, name, null, afterSeq);
    }

    /** A {@code LEFT} event. */
    public static PresenceEvent left(String room, String name, String reason, long afterSeq) {
        return new PresenceEvent(Kind.LEFT, room, name, reason, afterSeq);
    }
}
