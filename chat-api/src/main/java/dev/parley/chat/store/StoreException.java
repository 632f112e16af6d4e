package dev.parley.chat.store;

import dev.parley.chat.ChatException;

/**
 * A {@link MessageStore} could not do what was asked; nothing of the failed call was stored.
 * The message says what failed with the state that helps (for JDBC: the SQL state and vendor code).
 */
public class StoreException extends ChatException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
