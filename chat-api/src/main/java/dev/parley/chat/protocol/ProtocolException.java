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

    /**
     * An error about a line or frame that has no (valid) ref.
     *
     * @param code the wire error code
     * @param message the human text, as sent in the ERROR frame
     */
    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * An error caused by a request that carried {@code ref}.
     *
     * @param code the wire error code
     * @param message the human text, as sent in the ERROR frame
     * @param ref the request's ref, echoed in the ERROR frame, or {@code null}
     */
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
