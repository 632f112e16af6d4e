package dev.parley.chat.protocol;

import dev.parley.chat.ChatException;

/**
 * Bytes or a frame that break PROTOCOL.md, or an {@code ERROR} frame received from a server.
 * Always carries the wire {@link ErrorCode}; {@link #getMessage()} is the human text.
 */
public class ProtocolException extends ChatException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String ref;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ProtocolException(ErrorCode code, String message, String ref) {
        super(message);
        this.code = java.util.Objects.requireNonNull(code, "code");
        this.ref = ref;
    }

    /** The wire error code. */
    public ErrorCode code() {
        return code;
    }

    /** The {@code ref} of the request that caused it, or {@code null}. */
    public String ref() {
        return ref;
    }

    @Override
    public String toString() {
        return "ProtocolException[" + code + "]: " + getMessage();
    }
}
