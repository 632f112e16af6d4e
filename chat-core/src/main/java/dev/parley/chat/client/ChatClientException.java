package dev.parley.chat.client;

import dev.parley.chat.ChatException;

/**
 * A failure on the client's side of the connection: the server cannot be reached, did not answer the
 * handshake in time, or the session was closed while a request was waiting.
 * Errors sent by the server arrive as {@link dev.parley.chat.protocol.ProtocolException} instead,
 * with their wire {@link dev.parley.chat.protocol.ErrorCode}.
 */
public class ChatClientException extends ChatException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message. */
    public ChatClientException(String message) {
        super(message);
    }

    /** An exception with this message and cause. */
    public ChatClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
