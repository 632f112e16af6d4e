package dev.parley.chat.net.internal;

import static dev.parley.chat.net.internal.WsFrames.BINARY;
import static dev.parley.chat.net.internal.WsFrames.CLOSE;
import static dev.parley.chat.net.internal.WsFrames.CONTINUATION;
import static dev.parley.chat.net.internal.WsFrames.INVALID_PAYLOAD;
import static dev.parley.chat.net.internal.WsFrames.MESSAGE_TOO_BIG;
import static dev.parley.chat.net.internal.WsFrames.NO_STATUS;
import static dev.parley.chat.net.internal.WsFrames.PING;
import static dev.parley.chat.net.internal.WsFrames.POLICY_VIOLATION;
import static dev.parley.chat.net.internal.WsFrames.PONG;
import static dev.parley.chat.net.internal.WsFrames.PROTOCOL_ERROR;
import static dev.parley.chat.net.internal.WsFrames.TEXT;
import static dev.parley.chat.net.internal.WsFrames.UNSUPPORTED_DATA;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the frames a WebSocket client sends (RFC 6455 section 5) and reassembles text messages.
 *
 * <p>Rules enforced, each failing with a {@link WsCloseException} that carries the close code:
 * every client frame is masked (1002); RSV bits are zero, no extension being negotiated (1002);
 * unknown opcodes (1002); control frames are final and at most 125 bytes (1002); a continuation
 * needs a started message, and a new message may not start inside another (1002); a 64-bit length
 * with the top bit set (1002); binary messages (1003); a message whose total length would pass
 * {@code maxMessageSize} (1009), checked from the frame header <em>before</em> anything is
 * allocated or read; text that is not UTF-8 (1007, checked on the complete message); a close frame
 * with a 1-byte payload or a status that may not be sent (1002) or a reason that is not UTF-8 (1007);
 * a message in more than {@link #MAX_FRAGMENTS} frames (1008), so that endless empty fragments
 * cannot keep the reader busy without ever producing a line.
 * Control frames may arrive between the fragments of a message: they are returned at once and the
 * message goes on.
 *
 * <p>Memory: the message buffer grows up to {@code maxMessageSize} for a large message and is let go
 * when the next message starts, unless it is at most {@link #RETAINED_BUFFER} bytes, so an idle
 * connection keeps at most that much whatever it once received.
 *
 * <p>Not thread safe: used by the connection's reader thread only.
 */
public final class WsFrameReader {
    /** What {@link #next()} found. */
    public enum Kind {
        /** A complete text message: {@link #message()} and {@link #messageLength()}. */
        TEXT,
        /** A ping: answer with a pong carrying {@link #controlPayload()}. */
        PING,
        /** A pong: nothing to do. */
        PONG,
        /** A close frame: {@link #closeCode()} (1005 when it had none); reply and close. */
        CLOSE,
        /** The stream ended cleanly between frames. */
        END
    }

    /** The most frames (first frame and continuations) one message may arrive in. */
    public static final int MAX_FRAGMENTS = 1024;
    /** The largest message buffer kept from one message to the next. */
    public static final int RETAINED_BUFFER = 4096;

    private final InputStream in;
    private final int maxMessageSize;
    private final byte[] header = new byte[14];
    private byte[] message = new byte[0];
    private int messageLength;
    /** Inside a fragmented text message (its first frame had FIN clear). */
    private boolean fragmented;
    /** Data frames of the current message so far. */
    private int fragments;
    private byte[] controlPayload = new byte[0];
    private int closeCode;
    private String closeReason = "";

    /**
     * @param in the bytes from the client
     * @param maxMessageSize the largest message accepted, in bytes
     */
    public WsFrameReader(InputStream in, int maxMessageSize) {
        this.in = in;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Reads frames until a complete text message, a control frame or the end of the stream.
     *
     * @throws WsCloseException if the client broke a rule; the connection must be closed with its code
     * @throws EOFException if the stream ended inside a frame
     * @throws IOException if reading failed
     */
    public Kind next() throws IOException {
        if (!fragmented) {
            messageLength = 0;
            fragments = 0;
            if (message.length > RETAINED_BUFFER) {
                message = new byte[0];
            }
        }
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                if (fragmented) {
                    throw new EOFException("stream ended inside a fragmented message");
                }
                return Kind.END;
            }
            readFully(header, 0, 1);
            int b1 = header[0] & 0xff;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            if ((b0 & 0x70) != 0) {
                throw new WsCloseException(PROTOCOL_ERROR, "reserved bits set without an extension");
            }
            if ((b1 & 0x80) == 0) {
                throw new WsCloseException(PROTOCOL_ERROR, "client frame not masked");
            }
            long length = b1 & 0x7f;
            if (length == 126) {
                readFully(header, 0, 2);
                length = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
            } else if (length == 127) {
                readFully(header, 0, 8);
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (header[i] & 0xff);
                }
                if (length < 0) {
                    throw new WsCloseException(PROTOCOL_ERROR, "64-bit length with the most significant bit set");
                }
            }
            boolean control = (opcode & 0x08) != 0;
            if (control) {
                if (opcode != CLOSE && opcode != PING && opcode != PONG) {
                    throw new WsCloseException(PROTOCOL_ERROR, "unknown control opcode " + opcode);
                }
                if (!fin) {
                    throw new WsCloseException(PROTOCOL_ERROR, "fragmented control frame");
                }
                if (length > 125) {
                    throw new WsCloseException(PROTOCOL_ERROR, "control frame longer than 125 bytes");
                }
            } else {
                switch (opcode) {
                    case CONTINUATION -> {
                        if (!fragmented) {
                            throw new WsCloseException(PROTOCOL_ERROR, "continuation frame without a message");
                        }
                    }
                    case TEXT -> {
                        if (fragmented) {
                            throw new WsCloseException(PROTOCOL_ERROR, "new message inside a fragmented message");
                        }
                    }
                    case BINARY -> {
                        if (fragmented) {
                            throw new WsCloseException(PROTOCOL_ERROR, "new message inside a fragmented message");
                        }
                        throw new WsCloseException(UNSUPPORTED_DATA, "binary messages are not accepted");
                    }
                    default -> throw new WsCloseException(PROTOCOL_ERROR, "unknown data opcode " + opcode);
                }
                if (++fragments > MAX_FRAGMENTS) {
                    throw new WsCloseException(POLICY_VIOLATION, "message in more than " + MAX_FRAGMENTS + " frames");
                }
                // The size check comes before any allocation or read of the payload.
                if (length > maxMessageSize - messageLength) {
                    throw new WsCloseException(MESSAGE_TOO_BIG, "message larger than " + maxMessageSize + " bytes");
                }
            }
            readFully(header, 0, 4);
            int n = (int) length;
            if (control) {
                byte[] payload = new byte[n];
                readFully(payload, 0, n);
                unmask(payload, 0, n);
                switch (opcode) {
                    case PING -> {
                        controlPayload = payload;
                        return Kind.PING;
                    }
                    case PONG -> {
                        controlPayload = payload;
                        return Kind.PONG;
                    }
                    default -> {
                        readClose(payload);
                        return Kind.CLOSE;
                    }
                }
            }
            int start = messageLength;
            ensureCapacity(start + n);
            readFully(message, start, n);
            unmask(message, start, n);
            messageLength = start + n;
            if (!fin) {
                fragmented = true;
                continue;
            }
            fragmented = false;
            if (!WsUtf8.isValid(message, 0, messageLength)) {
                throw new WsCloseException(INVALID_PAYLOAD, "text message is not valid UTF-8");
            }
            return Kind.TEXT;
        }
    }

    /** The bytes of the last text message; valid until the next call of {@link #next()}. */
    public byte[] message() {
        return message;
    }

    /** The length of the last text message. */
    public int messageLength() {
        return messageLength;
    }

    /** The payload of the last ping or pong. */
    public byte[] controlPayload() {
        return controlPayload;
    }

    /** The status code of the last close frame, 1005 if it carried none. */
    public int closeCode() {
        return closeCode;
    }

    /** The reason of the last close frame, possibly empty. */
    public String closeReason() {
        return closeReason;
    }

    private void readClose(byte[] payload) throws WsCloseException {
        if (payload.length == 0) {
            closeCode = NO_STATUS;
            closeReason = "";
            return;
        }
        if (payload.length == 1) {
            throw new WsCloseException(PROTOCOL_ERROR, "close frame with a 1-byte payload");
        }
        int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        if (!WsFrames.isValidCloseCode(code)) {
            throw new WsCloseException(PROTOCOL_ERROR, "invalid close code " + code);
        }
        if (!WsUtf8.isValid(payload, 2, payload.length - 2)) {
            throw new WsCloseException(INVALID_PAYLOAD, "close reason is not valid UTF-8");
        }
        closeCode = code;
        closeReason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    /** Unmasks {@code b[off, off+n)} in place with the mask key held in {@code header[0..3]}. */
    private void unmask(byte[] b, int off, int n) {
        for (int i = 0; i < n; i++) {
            b[off + i] ^= header[i & 3];
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > message.length) {
            int grown = (int) Math.min(maxMessageSize, Math.max((long) needed, 2L * message.length));
            message = Arrays.copyOf(message, Math.max(grown, Math.min(256, maxMessageSize)));
        }
    }

    private void readFully(byte[] b, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(b, off + done, n - done);
            if (r < 0) {
                throw new EOFException("stream ended inside a frame");
            }
            done += r;
        }
    }
}
