package dev.parley.chat.net.internal;

import java.io.IOException;

/**
 * The peer broke the WebSocket rules: the connection must be closed with {@link #code()}
 * (1002 protocol error, 1003 unsupported data, 1007 invalid UTF-8, 1008 policy violation, 1009 message
 * too big).
 */
public final class WsCloseException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param code the close status code to send
     * @param reason a short reason, ASCII, at most 123 bytes, sent in the close frame
     */
    public WsCloseException(int code, String reason) {
        super("WebSocket close " + code + ": " + reason);
        this.code = code;
    }

    /** The close status code to send to the peer. */
    public int code() {
        return code;
    }

    /** The reason without the code prefix. */
    public String reason() {
        String m = getMessage();
        return m.substring(m.indexOf(": ") + 2);
    }
}
