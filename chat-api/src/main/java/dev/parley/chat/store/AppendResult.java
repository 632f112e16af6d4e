package dev.parley.chat.store;

import java.util.Objects;

/**
 * What {@link MessageStore#append} did with one message.
 *
 * @param message the stored message (for a duplicate: the copy stored earlier)
 * @param duplicate true if the message's client id was already stored and nothing new was written
 */
public record AppendResult(StoredMessage message, boolean duplicate) {
    /** Checks that the message is present. */
    public AppendResult {
        Objects.requireNonNull(message, "message");
    }
}
