package dev.parley.chat.net.internal;

import java.nio.charset.StandardCharsets;

/** WebSocket frame constants and the server side's (unmasked) frame encoding. RFC 6455 section 5. */
public final class WsFrames {
    /** Continuation frame. */
    public static final int CONTINUATION = 0x0;
    /** Text frame. */
    public static final int TEXT = 0x1;
    /** Binary frame. */
    public static final int BINARY = 0x2;
    /** Close frame. */
    public static final int CLOSE = 0x8;
    /** Ping frame. */
    public static final int PING = 0x9;
    /** Pong frame. */
    public static final int PONG = 0xA;

    /** Close code: normal closure. */
    public static final int NORMAL = 1000;
    /** Close code: the endpoint is going away (server shutdown, page navigated away). */
    public static final int GOING_AWAY = 1001;
    /** Close code: protocol error. */
    public static final int PROTOCOL_ERROR = 1002;
    /** Close code: a data type the endpoint does not accept (binary here). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Close code (received only): the close frame had no status. */
    public static final int NO_STATUS = 1005;
    /** Close code: a text message that is not UTF-8. */
    public static final int INVALID_PAYLOAD = 1007;
    /** Close code: a rule of this endpoint's own was broken (too many fragments in one message). */
    public static final int POLICY_VIOLATION = 1008;
    /** Close code: a message larger than the endpoint accepts. */
    public static final int MESSAGE_TOO_BIG = 1009;

    /** The largest header of a server frame (no mask): 2 + 8 bytes. */
    public static final int MAX_HEADER = 10;

    private WsFrames() {
    }

    /** The header length of an unmasked frame with this payload length. */
    public static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength <= 0xffff ? 4 : 10;
    }

    /**
     * Writes the header of a final, unmasked frame at {@code dst[off]}.
     *
     * @return the number of header bytes written
     */
    public static int writeHeader(byte[] dst, int off, int opcode, int payloadLength) {
        dst[off] = (byte) (0x80 | opcode);
        if (payloadLength < 126) {
            dst[off + 1] = (byte) payloadLength;
            return 2;
        }
        if (payloadLength <= 0xffff) {
            dst[off + 1] = 126;
            dst[off + 2] = (byte) (payloadLength >>> 8);
            dst[off + 3] = (byte) payloadLength;
            return 4;
        }
        dst[off + 1] = 127;
        long len = payloadLength;
        for (int i = 0; i < 8; i++) {
            dst[off + 2 + i] = (byte) (len >>> (56 - 8 * i));
        }
        return 10;
    }

    /** A complete unmasked control frame. */
    public static byte[] control(int opcode, byte[] payload) {
        byte[] frame = new byte[2 + payload.length];
        writeHeader(frame, 0, opcode, payload.length);
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }

    /** A complete unmasked close frame with a status code and a short ASCII reason (cut at 123 bytes). */
    public static byte[] close(int code, String reason) {
        byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(r.length, 123);
        byte[] payload = new byte[2 + n];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, n);
        return control(CLOSE, payload);
    }

    /** Whether a close code may appear in a close frame (RFC 6455 7.4). */
    public static boolean isValidCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
    }
}
