package dev.parley.chat.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A message received from the server: a room message ({@link #room()} set) or a direct message
 * ({@link #with()} set).
 *
 * @param room the room's canonical name, or {@code null} for a direct message
 * @param with for a direct message, the other person of the conversation (the sender when someone
 *     wrote to you; the recipient when it is a copy of what you sent from another connection);
 *     {@code null} for a room message
 * @param seq the message's number in its conversation, from 1
 * @param from the sender's name
 * @param time the server's clock when it accepted the message
 * @param text the text, exactly as sent
 */
public record ChatMessage(String room, String with, long seq, String from, Instant time, String text) {
    /** Checks that exactly one of {@code room} and {@code with} is set. */
    public ChatMessage {
        if ((room == null) == (with == null)) {
            throw new IllegalArgumentException("exactly one of room and with must be set");
        }
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(text, "text");
    }

    /** Whether this is a direct message. */
    public boolean isDirect() {
        return with != null;
    }
}
