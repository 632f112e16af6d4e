package dev.parley.chat;

/**
 * The root of every exception Parley throws. Unchecked: callers catch the subclass they can act on.
 *
 * <ul>
 *   <li>{@link dev.parley.chat.protocol.ProtocolException}: bytes that do not follow PROTOCOL.md, or
 *       an {@code ERROR} frame from the server, always with a wire {@link dev.parley.chat.protocol.ErrorCode}.
 *   <li>{@link dev.parley.chat.store.StoreException}: a {@code MessageStore} could not do what was asked.
 * </ul>
 */
public abstract class ChatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected ChatException(String message) {
        super(message);
    }

    protected ChatException(String message, Throwable cause) {
        super(message, cause);
    }
}
