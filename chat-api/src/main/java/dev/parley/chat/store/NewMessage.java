package dev.parley.chat.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A message about to be stored: everything but its seq, which the store assigns.
 *
 * @param conversation the conversation key (see {@link Conversations})
 * @param sender the sender's name as shown to others
 * @param text the message text, any characters but NUL (stores keep it character for character)
 * @param time the server's clock when it accepted the message
 * @param clientId the sender's id for idempotent resends, or {@code null}
 */
public record NewMessage(String conversation, String sender, String text, Instant time, String clientId) {
    /** The longest sender name (in UTF-16 chars) a store must accept: 32 code points may take 64. */
    public static final int MAX_SENDER_LENGTH = 64;
    /** The longest client id (in chars) a store must accept. */
    public static final int MAX_CLIENT_ID_LENGTH = 64;

    /** Checks the fields; nulls are refused, the store checks lengths (see {@link MessageStore#append}). */
    public NewMessage {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
    }
}
