package dev.parley.chat.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A message as stored, with the seq its conversation gave it.
 *
 * @param conversation the conversation key
 * @param seq its number in the conversation, from 1
 * @param sender the sender's name
 * @param text the text, byte for byte as sent
 * @param time the server's clock when it was accepted (ordering comes from seq, not time)
 * @param clientId the sender's idempotency id, or {@code null}
 */
public record StoredMessage(String conversation, long seq, String sender, String text, Instant time, String clientId) {
    public StoredMessage {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be at least 1, was " + seq);
        }
    }

    /** The stored form of a new message once it has its seq. */
    public static StoredMessage of(NewMessage m, long seq) {
        return new StoredMessage(m.conversation(), seq, m.sender(), m.text(), m.time(), m.clientId());
    }
}
