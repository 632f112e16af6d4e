package dev.parley.chat.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A message about to be stored: everything but its seq, which the store assigns.
 *
 * @param conversation the conversation key (see {@link Conversations})
 * @param sender the sender's name as shown to others
 * @param text the message text, any characters but NUL
 * @param time the server's clock when it accepted the message
 * @param clientId the sender's id for idempotent resends, or {@code null}
 */
public record NewMessage(String conversation, String sender, String text, Instant time, String clientId) {
    public NewMessage {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
    }
}
