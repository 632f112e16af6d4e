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

    /**
     * Checks the fields, so that every store gets the same rules.
     *
     * @throws NullPointerException if conversation, sender, text or time is null
     * @throws IllegalArgumentException if the conversation key is empty or longer than
     *     {@link Conversations#MAX_KEY_LENGTH}, the sender is empty or longer than {@link #MAX_SENDER_LENGTH},
     *     the client id is empty or longer than {@link #MAX_CLIENT_ID_LENGTH}, or the text contains NUL
     */
    public NewMessage {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
        if (conversation.isEmpty() || conversation.length() > Conversations.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("conversation key must be 1.." + Conversations.MAX_KEY_LENGTH
                    + " characters, was " + conversation.length());
        }
        if (sender.isEmpty() || sender.length() > MAX_SENDER_LENGTH) {
            throw new IllegalArgumentException("sender must be 1.." + MAX_SENDER_LENGTH
                    + " characters, was " + sender.length());
        }
        if (clientId != null && (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH)) {
            throw new IllegalArgumentException("clientId must be 1.." + MAX_CLIENT_ID_LENGTH
                    + " characters, was " + clientId.length());
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text must not contain NUL");
        }
    }
}
